"""Rows: the bounds an adapter checks are the ingest API's, and a row it makes passes
the API's own validation and becomes a batch."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airhotline.core.reports import ReportBatch
from airhotline.feeds._rows import (
    GS_KT_RANGE,
    TRACK_DEG_RANGE,
    VRATE_FPM_RANGE,
    clean_callsign,
    clean_icao24,
    make_row,
)
from airhotline.service.schemas import StateReportIn


def _bounds(field: str) -> tuple[float, float]:
    metadata = StateReportIn.model_fields[field].metadata
    low = next(m.ge for m in metadata if hasattr(m, "ge"))
    high = next(m.le for m in metadata if hasattr(m, "le"))
    return float(low), float(high)


def test_the_bounds_are_the_ingest_schemas() -> None:
    assert _bounds("gs_kt") == GS_KT_RANGE
    assert _bounds("track_deg") == TRACK_DEG_RANGE
    assert _bounds("vrate_fpm") == VRATE_FPM_RANGE


def validates(row: dict[str, object]) -> None:
    """Through the API's schema, as a feed client would send it, then into a batch."""
    sent = {k: v for k, v in row.items() if k not in ("time_us", "party")}
    sent["time"] = int(row["time_us"]) / 1_000_000  # type: ignore[call-overload]
    StateReportIn.model_validate(sent)
    ReportBatch.from_rows([row])


finite = st.floats(allow_nan=True, allow_infinity=True)


@settings(deadline=None)  # these check what never raises, not how fast
@given(
    lat=finite,
    lon=finite,
    alt=finite,
    gs=finite,
    track=finite,
    vrate=finite,
    time_us=st.integers(-(2**63), 2**63),
    track_id=st.text(max_size=70),
)
def test_a_row_made_is_a_row_the_api_takes(
    lat: float,
    lon: float,
    alt: float,
    gs: float,
    track: float,
    vrate: float,
    time_us: int,
    track_id: str,
) -> None:
    row = make_row(track_id, time_us, lat, lon, alt, gs, track, vrate)
    if row is not None:
        validates(dict(row))


def test_a_row_is_refused_outside_any_bound() -> None:
    good = ("a1b2c3", 1_700_000_000_000_000, 45.0, 7.0, 35_000.0, 450.0, 90.0, 0.0)
    assert make_row(*good) is not None
    for index, bad in [(2, 91.0), (3, -181.0), (4, 100_001.0), (5, -1.0), (6, 360.1)]:
        values = list(good)
        values[index] = bad
        assert make_row(*values) is None  # type: ignore[arg-type]
    assert make_row(*good[:7], math.nan) is None  # type: ignore[arg-type]
    assert make_row(" x", *good[1:]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4CA2D6", "4ca2d6"), (" 4ca2d6 ", "4ca2d6"), ("4ca2d", None), ("4ca2dg", None)],
)
def test_addresses(text: str, expected: str | None) -> None:
    assert clean_icao24(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("AFR34ZG ", "AFR34ZG"), ("DLH400__", "DLH400"), ("        ", None), ("A\x00B", None)],
)
def test_callsigns(text: str, expected: str | None) -> None:
    assert clean_callsign(text) == expected
