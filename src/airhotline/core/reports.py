"""State reports: a batch of one party's track states, as said and as computed with.

A batch travels in two forms. Its *payload* is what the party said, in the units it said
it in (``alt_ft``, ``gs_kt``, …), column by column — that is what the journal keeps, so
the record stays the party's own words. Its *SI columns* are what the picture and
detection use. This module converts between the two, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline import units
from airhotline.bounds import ALT_FT_RANGE, LAT_RANGE, LON_RANGE
from airhotline.detect import TrackStates

__all__ = [
    "ALT_FT_RANGE",
    "FUTURE_TOLERANCE_S",
    "LAT_RANGE",
    "LON_RANGE",
    "ReportBatch",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Reports may run ahead of the hotline's clock by this much (clock skew), no more.
FUTURE_TOLERANCE_S = 30.0

_NUMERIC = ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")
_OPTIONAL_TEXT = ("callsign", "icao24", "aircraft_type")


@dataclass(frozen=True, slots=True)
class ReportBatch:
    """Validated reports of one party, in the order received."""

    track_id: tuple[str, ...]
    time_us: IntArray
    lat: FloatArray
    lon: FloatArray
    alt_ft: FloatArray
    gs_kt: FloatArray
    track_deg: FloatArray
    vrate_fpm: FloatArray
    callsign: tuple[str | None, ...]
    icao24: tuple[str | None, ...]
    aircraft_type: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.track_id)

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> ReportBatch:
        """From already type-checked rows (``time_us`` an int, numbers as floats)."""

        return cls._of_columns(
            track_id=tuple(str(r["track_id"]) for r in rows),
            time_us=np.array([int(r["time_us"]) for r in rows], dtype=np.int64),
            numbers=lambda key: np.array([float(r[key]) for r in rows], dtype=np.float64),
            texts=lambda key: tuple(r.get(key) for r in rows),
        )

    def to_payload(self) -> dict[str, Any]:
        """Column-wise JSON-ready form, as journaled."""
        payload: dict[str, Any] = {
            "track_id": list(self.track_id),
            "time_us": self.time_us.tolist(),
        }
        for key in _NUMERIC:
            payload[key] = getattr(self, key).tolist()
        for key in _OPTIONAL_TEXT:
            values = getattr(self, key)
            if any(v is not None for v in values):
                payload[key] = list(values)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ReportBatch:
        none: tuple[None, ...] = (None,) * len(payload["track_id"])
        return cls._of_columns(
            track_id=tuple(payload["track_id"]),
            time_us=np.asarray(payload["time_us"], dtype=np.int64),
            numbers=lambda key: np.asarray(payload[key], dtype=np.float64),
            texts=lambda key: tuple(payload.get(key, none)),
        )

    @classmethod
    def _of_columns(
        cls,
        *,
        track_id: tuple[str, ...],
        time_us: IntArray,
        numbers: Callable[[str], FloatArray],
        texts: Callable[[str], tuple[str | None, ...]],
    ) -> ReportBatch:
        return cls(
            track_id=track_id,
            time_us=time_us,
            lat=numbers("lat"),
            lon=numbers("lon"),
            alt_ft=numbers("alt_ft"),
            gs_kt=numbers("gs_kt"),
            track_deg=numbers("track_deg"),
            vrate_fpm=numbers("vrate_fpm"),
            callsign=texts("callsign"),
            icao24=texts("icao24"),
            aircraft_type=texts("aircraft_type"),
        )

    def states(self, rows: npt.ArrayLike) -> TrackStates:
        """The reports at ``rows`` as SI track states, each at its own report time."""
        index = np.asarray(rows, dtype=np.int64)
        return TrackStates.build(
            lat_deg=self.lat[index],
            lon_deg=self.lon[index],
            alt_m=self.alt_m[index],
            gs_mps=self.gs_mps[index],
            track_rad=self.track_rad[index],
            vrate_mps=self.vrate_mps[index],
        )

    # SI views, for the picture and detection.
    @property
    def alt_m(self) -> FloatArray:
        return units.m_from_ft(self.alt_ft)

    @property
    def gs_mps(self) -> FloatArray:
        return units.mps_from_kt(self.gs_kt)

    @property
    def track_rad(self) -> FloatArray:
        return units.rad_from_deg(self.track_deg)

    @property
    def vrate_mps(self) -> FloatArray:
        return units.mps_from_fpm(self.vrate_fpm)
