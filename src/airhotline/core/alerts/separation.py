"""Separation actually reached: measured on the reported positions of both tracks.

Each cycle, the track with the older report is flown along its geodesic to the other's
report time, so that two positions are compared at an instant one of them was really
reported at. Only fresh reports count: a track silent for longer than the coast limit
is a guess, and a guess is not a separation "actually reached".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline import geo
from airhotline.clock import US_PER_S
from airhotline.core.alerts.model import Alert
from airhotline.core.picture import PictureView, TrackKey
from airhotline.detect import TrackStates

__all__ = ["measure", "separations"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def measure(
    view: PictureView, rows: Mapping[TrackKey, int], alerts: Iterable[Alert], *, coast_us: int
) -> dict[str, Alert]:
    """The alerts whose minima this view's reports improve, by id, with them taken in."""
    measurable = [a for a in alerts if a.track_a in rows and a.track_b in rows]
    if not measurable:
        return {}
    i = np.array([rows[a.track_a] for a in measurable], dtype=np.int64)
    j = np.array([rows[a.track_b] for a in measurable], dtype=np.int64)
    time_i, time_j = view.report_time_us[i], view.report_time_us[j]
    fresh = np.abs(time_i - time_j) <= coast_us
    horizontal, vertical, common = separations(
        view.reported.take(i), time_i, view.reported.take(j), time_j
    )
    measured = {}
    for k, alert in enumerate(measurable):
        if fresh[k]:
            better = alert.with_separation(float(horizontal[k]), float(vertical[k]), int(common[k]))
            if better is not alert:
                measured[alert.id] = better
    return measured


def separations(
    a: TrackStates, time_a: IntArray, b: TrackStates, time_b: IntArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Horizontal and vertical separation (m) of pairs of reported states, each flown
    along its geodesic to the later of the two report times; and that time."""
    at = np.maximum(time_a, time_b)

    def flown(states: TrackStates, time_us: IntArray) -> tuple[Any, Any, Any]:
        seconds = (at - time_us) / US_PER_S
        lat, lon, _ = geo.geodesic_forward(
            states.lat_deg, states.lon_deg, states.track_rad, states.gs_mps * seconds
        )
        return lat, lon, states.alt_m + states.vrate_mps * seconds

    lat_a, lon_a, alt_a = flown(a, time_a)
    lat_b, lon_b, alt_b = flown(b, time_b)
    horizontal, _, _ = geo.geodesic_inverse(lat_a, lon_a, lat_b, lon_b)
    return horizontal, np.abs(alt_b - alt_a), at
