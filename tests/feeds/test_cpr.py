"""CPR decoding against pyModeS's: the zone count, global pairs and local decoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyModeS.position._cpr import airborne_position_pair, airborne_position_with_ref, cprNL

from airhotline.feeds import cpr

cpr17 = st.integers(0, 2**17 - 1)


def test_nl_matches_pymodes_every_thousandth_of_a_degree() -> None:
    for milli in range(-90_000, 90_001):
        assert cpr.nl(milli / 1000) == cprNL(milli / 1000), milli


def test_the_books_pair() -> None:
    # "The 1090 MHz Riddle", airborne position: even then odd, 52.2572 N 3.9194 E.
    assert cpr.global_position(93000, 51372, 74158, 50194, odd_is_newer=False) == pytest.approx(
        (52.25720, 3.91937), abs=1e-5
    )


@settings(deadline=None)  # these check what never raises, not how fast
@given(cpr17, cpr17, cpr17, cpr17, st.booleans())
def test_global_positions_match_pymodes(
    lat_even: int, lon_even: int, lat_odd: int, lon_odd: int, odd_newer: bool
) -> None:
    ours = cpr.global_position(lat_even, lon_even, lat_odd, lon_odd, odd_is_newer=odd_newer)
    theirs = airborne_position_pair(
        lat_even, lon_even, lat_odd, lon_odd, even_is_newer=not odd_newer
    )
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    lat, lon = theirs
    assert ours[0] == pytest.approx(lat, abs=1e-9)
    assert ours[1] == pytest.approx((lon + 180.0) % 360.0 - 180.0, abs=1e-9)


@settings(deadline=None)  # these check what never raises, not how fast
@given(
    cpr17,
    cpr17,
    st.booleans(),
    st.floats(-86.0, 86.0),
    st.floats(-179.0, 179.0),
)
def test_local_positions_match_pymodes(
    lat_cpr: int, lon_cpr: int, odd: bool, ref_lat: float, ref_lon: float
) -> None:
    lat, lon = cpr.local_position(lat_cpr, lon_cpr, odd=odd, ref_lat=ref_lat, ref_lon=ref_lon)
    their_lat, their_lon = airborne_position_with_ref(int(odd), lat_cpr, lon_cpr, ref_lat, ref_lon)
    assert lat == pytest.approx(their_lat, abs=1e-9)
    assert (lon - their_lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-9)
    assert -180.0 <= lon < 180.0
