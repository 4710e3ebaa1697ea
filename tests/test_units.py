"""Unit conversions: exact factors and round trips, on floats and arrays."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from airhotline import units

Convert = Callable[[Any], Any]

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)

PAIRS = [
    (units.m_from_ft, units.ft_from_m),
    (units.m_from_nm, units.nm_from_m),
    (units.mps_from_kt, units.kt_from_mps),
    (units.mps_from_fpm, units.fpm_from_mps),
    (units.rad_from_deg, units.deg_from_rad),
]


def test_exact_definitions() -> None:
    assert units.NM == 1852.0
    assert units.FT == 0.3048
    assert units.KT == 1852.0 / 3600.0
    assert units.FPM == 0.3048 / 60.0


@pytest.mark.parametrize(
    ("convert", "value", "expected"),
    [
        (units.m_from_nm, 1.0, 1852.0),
        (units.m_from_nm, 3.0, 5556.0),
        (units.nm_from_m, 1852.0, 1.0),
        (units.m_from_ft, 1.0, 0.3048),
        (units.m_from_ft, 1000.0, 304.8),
        (units.ft_from_m, 0.3048, 1.0),
        (units.mps_from_kt, 3600.0, 1852.0),
        (units.mps_from_kt, 1.0, 1852.0 / 3600.0),
        (units.kt_from_mps, 1852.0 / 3600.0, 1.0),
        (units.mps_from_fpm, 60.0, 0.3048),
        (units.mps_from_fpm, 1000.0, 5.08),
        (units.fpm_from_mps, 5.08, 1000.0),
        (units.rad_from_deg, 180.0, math.pi),
        (units.deg_from_rad, math.pi / 2.0, 90.0),
    ],
)
def test_known_values(convert: Convert, value: float, expected: float) -> None:
    assert convert(value) == pytest.approx(expected, rel=1e-15, abs=0.0)


def test_familiar_aviation_numbers() -> None:
    # 1 kt ≈ 0.514444 m/s; 1000 ft = 304.8 m; 3 NM = 5.556 km; 6000 ft = 1.8288 km.
    assert units.mps_from_kt(1.0) == pytest.approx(0.5144444444444, rel=1e-12)
    assert units.m_from_ft(6000.0) == pytest.approx(1828.8, rel=1e-15)
    assert units.nm_from_m(5556.0) == pytest.approx(3.0, rel=1e-15)
    # 60 kt for an hour is 60 NM.
    assert units.nm_from_m(units.mps_from_kt(60.0) * 3600.0) == pytest.approx(60.0, rel=1e-15)


@pytest.mark.parametrize(("forward", "backward"), PAIRS)
@given(value=finite)
def test_round_trip_float(forward: Convert, backward: Convert, value: float) -> None:
    assert backward(forward(value)) == pytest.approx(value, rel=1e-14, abs=1e-300)
    assert forward(backward(value)) == pytest.approx(value, rel=1e-14, abs=1e-300)


@pytest.mark.parametrize(("forward", "backward"), PAIRS)
@given(values=arrays(np.float64, st.integers(0, 50), elements=finite))
def test_round_trip_array(forward: Convert, backward: Convert, values: np.ndarray) -> None:
    there = forward(values)
    assert isinstance(there, np.ndarray)
    assert there.shape == values.shape
    np.testing.assert_allclose(backward(there), values, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize(("forward", "backward"), PAIRS)
def test_arrays_match_scalars(forward: Convert, backward: Convert) -> None:
    values = np.array([-7.5, 0.0, 1.0, 123.25, 35000.0])
    np.testing.assert_array_equal(forward(values), [forward(float(v)) for v in values])
    np.testing.assert_array_equal(backward(values), [backward(float(v)) for v in values])
