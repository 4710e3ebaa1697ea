"""Deployment settings from TOML: the alert policy, per agreement, and clear refusals."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import pytest

from airhotline.core.alerts import AlertPolicy
from airhotline.core.node import HotlineConfig
from airhotline.errors import InputError
from airhotline.settings import (
    HOTLINE_BOUNDS,
    POLICY_BOUNDS,
    check_agreement_parties,
    load_settings,
    settings_from_mapping,
)


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


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        # A NaN or infinite cycle starts a node whose cycle never runs again.
        ({"hotline": {"cycle_s": math.nan}}, "hotline.cycle_s", "finite"),
        ({"hotline": {"cycle_s": math.inf}}, "hotline.cycle_s", "finite"),
        ({"hotline": {"cycle_s": 1e-9}}, "hotline.cycle_s", "between 0.05 and 60"),
        ({"hotline": {"cycle_s": 61}}, "hotline.cycle_s", "between 0.05 and 60"),
        ({"hotline": {"cycle_s": 10**400}}, "hotline.cycle_s", "finite"),
        ({"hotline": {"lost_after_s": 1e300}}, "hotline.lost_after_s", "between"),
        ({"hotline": {"coast_after_s": math.inf}}, "hotline.coast_after_s", "finite"),
        ({"hotline": {"future_tolerance_s": 1e12}}, "hotline.future_tolerance_s", "between"),
        ({"hotline": {"idempotency_retention_s": 0}}, "hotline.idempotency_retention_s", "between"),
        ({"alerts": {"advisory_s": math.inf}}, "alerts.advisory_s", "finite"),
        ({"alerts": {"advisory_s": 1e9}}, "alerts.advisory_s", "between"),
        ({"alerts": {"confirm_hits": math.inf}}, "alerts.confirm_hits", "finite"),
        ({"alerts": {"confirm_window": 10**9}}, "alerts.confirm_window", "between"),
        ({"alerts": {"escalate_admin_s": math.nan}}, "alerts.escalate_admin_s", "finite"),
        ({"alerts": {"material_dcpa_m": 1e300}}, "alerts.material_dcpa_m", "between"),
        (
            {"alerts": {"agreement": [{"parties": ["A", "B"], "warning_s": math.nan}]}},
            "alerts.agreement[0].warning_s",
            "finite",
        ),
        ({"hotline": 5}, "hotline", "must be a table"),
        ({"alerts": "loud"}, "alerts", "must be a table"),
        ({"alerts": {"agreement": [5]}}, "alerts.agreement[0]", "must be a table"),
        (
            {"alerts": {"agreement": [{"parties": ["A", "B"]}, {"parties": ["B", "A"]}]}},
            "alerts.agreement[1].parties",
            "alerts.agreement[0]",
        ),
    ],
)
def test_every_setting_is_finite_and_within_its_bounds(
    data: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InputError) as caught:
        settings_from_mapping(data)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_the_bounds_cover_every_setting_and_admit_the_defaults() -> None:
    # A field added to the policy or the config without a bound would go unchecked.
    assert set(POLICY_BOUNDS) == {f.name for f in fields(AlertPolicy)}
    assert set(HOTLINE_BOUNDS) < {f.name for f in fields(HotlineConfig)}
    defaults = HotlineConfig()
    for name, (low, high) in HOTLINE_BOUNDS.items():
        assert low <= getattr(defaults, name) <= high, name
    for name, (low, high) in POLICY_BOUNDS.items():
        assert low <= getattr(AlertPolicy(), name) <= high, name


def test_settings_at_their_bounds_are_accepted() -> None:
    config = settings_from_mapping(
        {"hotline": {"cycle_s": 0.05, "coast_after_s": 86_400, "lost_after_s": 86_400}}
    )
    assert (config.cycle_s, config.lost_after_s) == (0.05, 86_400.0)


def test_agreement_parties_are_checked_against_the_known_names() -> None:
    config = settings_from_mapping(
        {
            "alerts": {
                "agreement": [
                    {"parties": ["ATLAS", "BOREAS"], "advisory_s": 400},
                    {"parties": ["ATLAS", "ZEPHYR"], "advisory_s": 400},
                ]
            }
        }
    )
    check_agreement_parties(config, {"ATLAS", "BOREAS", "ZEPHYR"})
    with pytest.raises(InputError) as caught:
        check_agreement_parties(config, {"ATLAS", "BOREAS"})
    assert caught.value.field == "alerts.agreement[1].parties"
    assert "'ZEPHYR'" in caught.value.reason


def test_the_hardening_settings_are_read_and_bounded() -> None:
    from airhotline.core.quotas import Quotas

    config = settings_from_mapping(
        {
            "hotline": {"past_tolerance_s": 600, "exposure_limit": 20, "flood_limit": 5},
            "quotas": {"max_live_tracks": 500, "reports_per_s": 1000, "burst_s": 3},
        }
    )
    assert (config.past_tolerance_s, config.exposure_limit, config.flood_limit) == (600, 20, 5)
    assert isinstance(config.exposure_limit, int)
    assert config.quotas == Quotas(max_live_tracks=500, reports_per_s=1000.0, burst_s=3.0)
    for bad, field in (
        ({"hotline": {"exposure_limit": 2.5}}, "hotline.exposure_limit"),
        ({"hotline": {"flood_limit": 0}}, "hotline.flood_limit"),
        ({"quotas": {"reports_per_s": float("inf")}}, "quotas.reports_per_s"),
        ({"quotas": {"unknown": 1}}, "quotas.unknown"),
        ({"quotas": 5}, "quotas"),
    ):
        with pytest.raises(InputError) as raised:
            settings_from_mapping(bad)
        assert raised.value.field == field


def test_the_message_settings_are_read_and_bounded() -> None:
    from airhotline.core.messages.engine import MessagePolicy
    from airhotline.settings import MESSAGE_BOUNDS

    assert set(MESSAGE_BOUNDS) == {f.name for f in fields(MessagePolicy)}
    for name, (low, high) in MESSAGE_BOUNDS.items():
        assert low <= getattr(MessagePolicy(), name) <= high, name
    config = settings_from_mapping({"messages": {"escalate_s": 30, "line_check_every_s": 300}})
    assert config.messages == MessagePolicy(escalate_s=30.0, line_check_every_s=300.0)
    for bad, field in (
        ({"messages": {"escalate_s": 0}}, "messages.escalate_s"),
        ({"messages": {"line_check_every_s": math.inf}}, "messages.line_check_every_s"),
        ({"messages": {"line_check_timeout_s": 1e9}}, "messages.line_check_timeout_s"),
        ({"messages": {"loudness": 3}}, "messages.loudness"),
        ({"messages": 5}, "messages"),
    ):
        with pytest.raises(InputError) as caught:
            settings_from_mapping(bad)
        assert caught.value.field == field, bad
