"""Deployment settings from TOML: the alert policy, per agreement, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from airhotline.core.alerts import AlertPolicy
from airhotline.errors import InputError
from airhotline.settings import load_settings, settings_from_mapping


def test_defaults_when_empty() -> None:
    config = settings_from_mapping({})
    assert config.alert_policy == AlertPolicy()
    assert config.cycle_s == 1.0


def test_file_sets_deployment_and_agreement_policies(tmp_path: Path) -> None:
    path = tmp_path / "airhotline.toml"
    path.write_text(
        """
[hotline]
cycle_s = 0.5
[alerts]
caution_s = 150
confirm_hits = 1
[[alerts.agreement]]
parties = ["ATLAS", "BOREAS"]
advisory_s = 420
""",
        encoding="utf-8",
    )
    config = load_settings(path)
    assert config.cycle_s == 0.5
    assert config.alert_policy.caution_s == 150.0
    assert config.alert_policy.confirm_hits == 1
    pair = config.agreement_policies[frozenset({"ATLAS", "BOREAS"})]
    # An agreement's policy starts from the deployment's, then overrides.
    assert (pair.advisory_s, pair.caution_s, pair.confirm_hits) == (420.0, 150.0, 1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"alerts": {"cautoin_s": 100}}, "alerts.cautoin_s"),
        ({"alerts": {"caution_s": "soon"}}, "alerts.caution_s"),
        ({"alerts": {"caution_s": -1}}, "alerts.caution_s"),
        ({"alerts": {"confirm_hits": 1.5}}, "alerts.confirm_hits"),
        ({"alerts": {"warning_s": 200}}, "alerts"),  # warning later than caution
        ({"alerts": {"agreement": [{"parties": ["ATLAS"]}]}}, "alerts.agreement[0].parties"),
        ({"hotline": {"cycle_s": 0}}, "hotline.cycle_s"),
        ({"hotline": {"coast_after_s": 90}}, "hotline.coast_after_s"),
        ({"notices": {}}, "notices"),
    ],
)
def test_bad_settings_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        settings_from_mapping(data)
    assert caught.value.field == field


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[alerts\ncaution_s = 1", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_settings(broken)
