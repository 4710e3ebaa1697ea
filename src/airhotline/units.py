"""Unit conversions, in one place.

Inside airhotline everything is SI (metres, seconds, metres per second) and UTC.
Aviation units (feet, knots, nautical miles, feet per minute, degrees) exist only at the
edges — API, CLI, files, console — and are converted here, once, so that no other module
carries a conversion factor of its own.

Every function works on Python floats and on NumPy arrays alike.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "FPM",
    "FT",
    "KT",
    "NM",
    "Scalar",
    "deg_from_rad",
    "fpm_from_mps",
    "ft_from_m",
    "kt_from_mps",
    "m_from_ft",
    "m_from_nm",
    "mps_from_fpm",
    "mps_from_kt",
    "nm_from_m",
    "rad_from_deg",
]

#: One international foot, in metres (exact by definition).
FT = 0.3048
#: One international nautical mile, in metres (exact by definition).
NM = 1852.0
#: One knot (nautical mile per hour), in metres per second.
KT = NM / 3600.0
#: One foot per minute, in metres per second.
FPM = FT / 60.0

Scalar = TypeVar("Scalar", float, npt.NDArray[np.float64])


def m_from_ft(ft: Scalar) -> Scalar:
    return ft * FT


def ft_from_m(m: Scalar) -> Scalar:
    return m / FT


def m_from_nm(nm: Scalar) -> Scalar:
    return nm * NM


def nm_from_m(m: Scalar) -> Scalar:
    return m / NM


def mps_from_kt(kt: Scalar) -> Scalar:
    return kt * KT


def kt_from_mps(mps: Scalar) -> Scalar:
    return mps / KT


def mps_from_fpm(fpm: Scalar) -> Scalar:
    return fpm * FPM


def fpm_from_mps(mps: Scalar) -> Scalar:
    return mps / FPM


def rad_from_deg(deg: Scalar) -> Scalar:
    return deg * (np.pi / 180.0)


def deg_from_rad(rad: Scalar) -> Scalar:
    return rad * (180.0 / np.pi)
