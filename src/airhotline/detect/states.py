"""The input of detection: the states of N tracks as a frozen struct of arrays."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from airhotline import units

__all__ = [
    "DEFAULT_H_SEP_M",
    "DEFAULT_LOOKAHEAD_S",
    "DEFAULT_V_SEP_M",
    "TrackStates",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The agreed minimum safe distance of the seeds: 3 NM horizontally, 1000 ft vertically.
DEFAULT_H_SEP_M = units.m_from_nm(3.0)
DEFAULT_V_SEP_M = units.m_from_ft(1000.0)
DEFAULT_LOOKAHEAD_S = 300.0


@dataclass(frozen=True, slots=True)
class TrackStates:
    """Simultaneous states of N tracks, SI units, one NumPy array per field.

    ``party`` is an integer code per track (the caller keeps the names); detection only
    compares codes. ``h_sep_m`` and ``v_sep_m`` are each track's own minima — set by the
    zone it flies in or its agreement — and a pair is held to the larger of its two.
    Build with `TrackStates.build`, which broadcasts scalars and checks the arrays.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    track_rad: FloatArray
    vrate_mps: FloatArray
    party: IntArray
    h_sep_m: FloatArray
    v_sep_m: FloatArray

    @classmethod
    def build(
        cls,
        *,
        lat_deg: npt.ArrayLike,
        lon_deg: npt.ArrayLike,
        alt_m: npt.ArrayLike,
        gs_mps: npt.ArrayLike,
        track_rad: npt.ArrayLike,
        vrate_mps: npt.ArrayLike = 0.0,
        party: npt.ArrayLike = 0,
        h_sep_m: npt.ArrayLike = DEFAULT_H_SEP_M,
        v_sep_m: npt.ArrayLike = DEFAULT_V_SEP_M,
    ) -> TrackStates:
        lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
        n = lat.shape[0]

        def column(values: npt.ArrayLike, name: str) -> FloatArray:
            array = np.asarray(values, dtype=np.float64)
            if array.ndim > 1 or (array.ndim == 1 and array.shape[0] != n):
                raise ValueError(f"{name}: expected {n} values, got shape {array.shape}")
            return np.ascontiguousarray(np.broadcast_to(array, (n,)))

        party_codes = np.asarray(party)
        if not np.issubdtype(party_codes.dtype, np.integer):
            raise ValueError("party: expected integer codes")
        if party_codes.ndim > 1 or (party_codes.ndim == 1 and party_codes.shape[0] != n):
            raise ValueError(f"party: expected {n} values, got shape {party_codes.shape}")
        return cls(
            lat_deg=column(lat, "lat_deg"),
            lon_deg=column(lon_deg, "lon_deg"),
            alt_m=column(alt_m, "alt_m"),
            gs_mps=column(gs_mps, "gs_mps"),
            track_rad=column(track_rad, "track_rad"),
            vrate_mps=column(vrate_mps, "vrate_mps"),
            party=np.ascontiguousarray(np.broadcast_to(party_codes.astype(np.int64), (n,))),
            h_sep_m=column(h_sep_m, "h_sep_m"),
            v_sep_m=column(v_sep_m, "v_sep_m"),
        )

    def __post_init__(self) -> None:
        # Built several times a cycle (the picture's view, its reported states, subsets):
        # the float columns are checked for finiteness in one pass over all of them.
        n = self.lat_deg.shape[0]
        for name in _FIELD_NAMES:
            shape = getattr(self, name).shape
            if shape != (n,):
                raise ValueError(f"{name}: expected shape ({n},), got {shape}")
        if not np.isfinite(np.concatenate([getattr(self, name) for name in _FINITE])).all():
            for name in _FINITE:
                if not np.all(np.isfinite(getattr(self, name))):
                    raise ValueError(f"{name}: values must be finite")
        if np.any(np.abs(self.lat_deg) > 90.0):
            raise ValueError("lat_deg: values must lie within [-90, 90]")
        if np.any(self.gs_mps < 0.0):
            raise ValueError("gs_mps: ground speed cannot be negative")
        if np.any(self.h_sep_m <= 0.0) or np.any(self.v_sep_m <= 0.0):
            raise ValueError("h_sep_m, v_sep_m: minima must be positive")

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])

    def take(self, index: npt.ArrayLike) -> TrackStates:
        """The states of a subset of tracks, in the order of ``index``."""
        return TrackStates(**{name: getattr(self, name)[index] for name in _FIELD_NAMES})


_FIELD_NAMES = tuple(field.name for field in fields(TrackStates))
#: The columns that must hold finite numbers: all but the party codes.
_FINITE = tuple(name for name in _FIELD_NAMES if name != "party")
