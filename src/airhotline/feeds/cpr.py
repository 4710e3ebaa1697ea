"""Compact Position Reporting (CPR): airborne ADS-B positions from their 17-bit halves.

An airborne position message carries latitude and longitude as 17-bit fractions of a
zone, in one of two zone grids (even: 60 latitude zones, odd: 59). A position is found

- *globally* from one even and one odd message heard close together (10 s at most: the
  aircraft must not have crossed a longitude-zone boundary in between), with no prior
  knowledge; or
- *locally* from one message and a reference within half a zone (180 NM for airborne
  messages): the aircraft's own last position.

Per DO-260B §A.1.7; pure functions of plain numbers, like the rest of the maths here.
"""

from __future__ import annotations

import math
from bisect import bisect_right

__all__ = ["global_position", "local_position", "nl"]

#: Latitude zones per hemisphere quarter, fixed by the standard.
NZ = 15
_SCALE = 131072.0  # 2**17
_DLAT_EVEN = 360.0 / (4 * NZ)
_DLAT_ODD = 360.0 / (4 * NZ - 1)


def _boundaries() -> tuple[float, ...]:
    """The latitudes at which NL steps down from n to n-1, n = 59…2, ascending.

    From the closed form NL(lat) = ⌊2π / acos(1 - (1 - cos(π/2NZ)) / cos²lat)⌋ solved
    for NL = n; the last (NL 2 → 1) is 87° by definition. Computed once, so that NL
    is a bisection rather than three trigonometric calls per message.
    """
    a = 1.0 - math.cos(math.pi / (2 * NZ))
    edges = [
        math.degrees(math.acos(math.sqrt(a / (1.0 - math.cos(2.0 * math.pi / n)))))
        for n in range(4 * NZ - 1, 2, -1)
    ]
    return (*edges, 87.0)


_NL_EDGES = _boundaries()


def nl(lat: float) -> int:
    """The number of longitude zones at latitude ``lat`` (degrees): 59 at the equator,
    2 at ±87°, 1 beyond."""
    magnitude = abs(lat)
    if magnitude > 87.0:
        return 1
    if magnitude == 87.0:
        return 2
    return 4 * NZ - 1 - bisect_right(_NL_EDGES, magnitude)


def global_position(
    lat_even: int, lon_even: int, lat_odd: int, lon_odd: int, *, odd_is_newer: bool
) -> tuple[float, float] | None:
    """(lat, lon) in degrees from an even and an odd message's CPR fields, at the newer
    message's position; None when the two straddle a longitude-zone boundary or give a
    latitude beyond a pole."""
    y_even = lat_even / _SCALE
    y_odd = lat_odd / _SCALE
    j = math.floor(59.0 * y_even - 60.0 * y_odd + 0.5)
    rlat_even = _DLAT_EVEN * (j % 60 + y_even)
    rlat_odd = _DLAT_ODD * (j % 59 + y_odd)
    if rlat_even >= 270.0:
        rlat_even -= 360.0
    if rlat_odd >= 270.0:
        rlat_odd -= 360.0
    zones = nl(rlat_even)
    if zones != nl(rlat_odd):
        return None
    x_even = lon_even / _SCALE
    x_odd = lon_odd / _SCALE
    m = math.floor(x_even * (zones - 1) - x_odd * zones + 0.5)
    if odd_is_newer:
        lat, ni, x = rlat_odd, max(zones - 1, 1), x_odd
    else:
        lat, ni, x = rlat_even, max(zones, 1), x_even
    if abs(lat) > 90.0:
        return None  # beyond a pole: halves that only seemed to be in one zone
    lon = (360.0 / ni) * (m % ni + x)
    if lon >= 180.0:
        lon -= 360.0
    return lat, lon


def local_position(
    lat_cpr: int, lon_cpr: int, *, odd: bool, ref_lat: float, ref_lon: float
) -> tuple[float, float]:
    """(lat, lon) in degrees of one message, taken in the zone nearest the reference; it
    is right only if the reference lies within half a zone (180 NM) of the aircraft."""
    y = lat_cpr / _SCALE
    x = lon_cpr / _SCALE
    dlat = _DLAT_ODD if odd else _DLAT_EVEN
    # The zone index is floor(ref / d) + floor(1/2 + (ref mod d) / d - y) in DO-260B;
    # written as one floor it is the same number, rounded once.
    lat = dlat * (math.floor(0.5 + ref_lat / dlat - y) + y)
    ni = nl(lat) - (1 if odd else 0)
    dlon = 360.0 / ni if ni > 0 else 360.0
    lon = dlon * (math.floor(0.5 + ref_lon / dlon - x) + x)
    if lon >= 180.0:
        lon -= 360.0
    elif lon < -180.0:
        lon += 360.0
    return lat, lon
