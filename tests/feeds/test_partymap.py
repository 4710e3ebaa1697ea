"""The party map: which rule wins, and every invalid map refused naming its field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from airhotline.cli import app
from airhotline.feeds import Row
from airhotline.feeds.partymap import PartyMapError, PartyRouter, load_party_map, party_map_of

MAP: dict[str, Any] = {
    "parties": {
        "RED": {"token": "r", "callsign_prefixes": ["AA"], "icao24": ["a00001"]},
        "BLUE": {"token_env": "BLUE_TOKEN", "callsign_prefixes": ["A"]},
        "GREEN": {"icao24_ranges": ["b00000-b0ffff"]},
    },
    "unmapped": "GREEN",
}


def row(icao24: str | None = None, callsign: str | None = None, **extra: Any) -> Row:
    r: Row = {
        "track_id": "t",
        "time_us": 0,
        "lat": 0.0,
        "lon": 0.0,
        "alt_ft": 0.0,
        "gs_kt": 0.0,
        "track_deg": 0.0,
        "vrate_fpm": 0.0,
    }
    if icao24:
        r["icao24"] = icao24
    if callsign:
        r["callsign"] = callsign
    r.update(extra)  # type: ignore[typeddict-item]
    return r


def test_address_then_range_then_longest_prefix_then_unmapped() -> None:
    router = PartyRouter(party_map_of(MAP))
    assert router.party_of(row("a00001", "A1")) == "RED"
    assert router.party_of(row("b0abcd", "AA1")) == "GREEN"
    assert router.party_of(row("c00000", "AA1")) == "RED"
    assert router.party_of(row("c00001", "A1")) == "BLUE"
    assert router.party_of(row("c00002")) == "GREEN"
    assert router.party_of(row(None, None, party="BLUE")) == "BLUE"


def test_an_address_keeps_the_party_its_callsign_gave_it() -> None:
    router = PartyRouter(party_map_of({**MAP, "unmapped": "drop"}))
    assert router.party_of(row("c00001")) is None
    assert router.party_of(row("c00001", "A7")) == "BLUE"
    assert router.party_of(row("c00001")) == "BLUE"
    shares = router.split([row("d00000"), row("c00001"), row("a00001")])
    assert {k: len(v) for k, v in shares.items()} == {"BLUE": 1, "RED": 1}
    assert router.dropped == 1


def test_tokens_given_or_from_the_environment() -> None:
    loaded = party_map_of(MAP)
    assert loaded.token("RED") == "r"
    assert loaded.token("BLUE", {"BLUE_TOKEN": "b"}) == "b"
    with pytest.raises(PartyMapError, match=r"parties.BLUE.token_env: \$BLUE_TOKEN is not set"):
        loaded.token("BLUE", {})
    with pytest.raises(PartyMapError, match=r"parties\.GREEN: needs token or token_env"):
        loaded.token("GREEN", {})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a mapping"),
        ({"parties": {}}, "parties: must map at least one"),
        ({"parties": {"R": {}}, "colour": 1}, "colour: unknown field"),
        ({"parties": {"R": {"prefixes": ["A"]}}}, "parties.R.prefixes: unknown field"),
        ({"parties": {"R": {"icao24": ["xyz"]}}}, r"parties.R.icao24\[0\]: 'xyz' is not"),
        ({"parties": {"R": {"icao24": "a00000"}}}, "parties.R.icao24: must be a list"),
        ({"parties": {"R": {"icao24_ranges": ["a0"]}}}, r"icao24_ranges\[0\]: write a range"),
        ({"parties": {"R": {"icao24_ranges": ["b0-a0"]}}}, r"icao24_ranges\[0\]: 'b0' is not"),
        (
            {"parties": {"R": {"icao24_ranges": ["b00000-a00000"]}}},
            r"icao24_ranges\[0\]: starts after it ends",
        ),
        ({"parties": {"R": {"token": ""}}}, "parties.R.token: must be a non-empty string"),
        ({"parties": {"R": {}}, "unmapped": "X"}, "unmapped: must be 'drop' or one of"),
        (
            {"parties": {"R": {"callsign_prefixes": ["A"]}, "B": {"callsign_prefixes": ["a"]}}},
            "parties.B.callsign_prefixes: A is R's already",
        ),
        (
            {
                "parties": {
                    "R": {"icao24_ranges": ["a00000-a0ffff"]},
                    "B": {"icao24_ranges": ["a00010-a00020"]},
                }
            },
            "parties.B.icao24_ranges: a00010 is in a range of R",
        ),
    ],
)
def test_invalid_maps_name_the_field(document: Any, message: str) -> None:
    with pytest.raises(PartyMapError, match=message):
        party_map_of(document)


def test_a_bad_map_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("parties:\n  R:\n    icao24: [nothex]\n")
    result = CliRunner().invoke(app, ["replay", str(path), "--embedded", "--party-map", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "parties.R.icao24[0]: 'nothex' is not a 24-bit address" in result.stderr
    path.write_text("parties: [\n")
    with pytest.raises(PartyMapError, match=r"map.yaml: not YAML \(line"):
        load_party_map(path)
