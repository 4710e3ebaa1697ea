"""Strategic deconfliction: which other parties' notices a notice collides with, in area,
altitude band and time — before anyone takes off.

Every live notice sits in an `OverlapIndex`: its centre as a unit vector, how far it
reaches, its band and its window, in NumPy columns. A query screens all of them at once
(the centres' chord distance against the two reaches, the bands, the windows' bounds),
then tests the few that pass exactly: the other's area, densified in its own plane,
carried into the query's plane and intersected there (Shapely), and their windows'
shared periods walked. The shared area comes back as GeoJSON.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from airhotline.core.notices.area import SCREEN_SLACK, Area, apart_m, unit_vectors
from airhotline.core.notices.band import Band
from airhotline.core.notices.model import Notice

__all__ = ["LiveNotices", "Overlap", "OverlapIndex", "shared_area"]

#: Edges are densified to this before an area changes plane, so that an edge straight
#: in one plane follows the same ground in the other.
_DENSIFY_M = 2_000.0


@dataclass(frozen=True, slots=True)
class Overlap:
    other: Notice
    band: Band
    #: Shared periods, in order (microseconds).
    periods: tuple[tuple[int, int], ...]
    #: The shared area, as GeoJSON MultiPolygon coordinates.
    area: list[list[list[list[float]]]]


def shared_area(a: Area, b: Area) -> shapely.Geometry:
    """Where ``a`` and ``b`` overlap, in ``a``'s plane (empty: nowhere)."""
    rings = []
    for polygon in shapely.get_parts(shapely.segmentize(b.plane, _DENSIFY_M)):
        carried = []
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            x, y = a.to_plane(*b.from_plane(xy[:, 0], xy[:, 1]))
            carried.append(np.column_stack([x, y]))
        rings.append(shapely.Polygon(carried[0], carried[1:]))
    other = shapely.make_valid(shapely.MultiPolygon(rings) if len(rings) > 1 else rings[0])
    return shapely.intersection(a.plane, other)


_COLUMNS = ("reach", "lower", "upper", "start", "end", "owner")


@dataclass(frozen=True, eq=False)
class LiveNotices:
    """The notices live within a time span, as columns: what a cycle screens tracks
    against (`airhotline.core.notices.screen`). The same set, asked for again, is the
    same value: its k-d trees are built once."""

    notices: list[Notice]
    #: Centres as unit vectors, one row each.
    centres: npt.NDArray[np.float64]
    reach: npt.NDArray[np.float64]
    #: The band's limits, feet.
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    owner: npt.NDArray[np.int64]

    @functools.cached_property
    def trees(self) -> dict[tuple[float, float], tuple[npt.NDArray[np.int64], Any]]:
        """k-d trees of the centres (3-D, metres on the mean sphere), one per class of
        reach the screen asks for, built on first use and kept with this set."""
        return {}

    @classmethod
    def of(cls, notices: list[Notice]) -> LiveNotices:
        """From notices at hand (tests, drills): the columns the index keeps."""
        return cls(
            notices,
            unit_vectors([n.area.lat0 for n in notices], [n.area.lon0 for n in notices]).reshape(
                -1, 3
            ),
            np.array([n.area.reach_m for n in notices], dtype=np.float64),
            np.array([n.band.lower_ft for n in notices], dtype=np.float64),
            np.array([n.band.upper_ft for n in notices], dtype=np.float64),
            np.array([n.owner for n in notices], dtype=np.int64),
        )


class OverlapIndex:
    """The live notices, screened in columns; thread-safe. A notice takes a slot when
    put and gives it back when cancelled or ended: puts cost one row, never a rebuild."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slot: dict[str, int] = {}
        self._notices: list[Notice | None] = []
        self._free: list[int] = []
        self._columns = {name: np.zeros(0, dtype=np.float64) for name in _COLUMNS}
        self._centres = np.zeros((0, 3), dtype=np.float64)  # unit vectors
        self._live = np.zeros(0, dtype=bool)
        #: Bumped by every change: a cycle's live set is reused until the next one.
        self._version = 0
        self._live_cache: tuple[int, npt.NDArray[np.intp], LiveNotices] | None = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._slot)

    def put(self, notice: Notice) -> None:
        with self._lock:
            self._version += 1
            if not notice.active:
                self._drop(notice.id)
                return
            slot = self._slot.get(notice.id)
            if slot is None:
                slot = self._free.pop() if self._free else self._grow()
                self._slot[notice.id] = slot
            self._notices[slot] = notice
            self._centres[slot] = unit_vectors(notice.area.lat0, notice.area.lon0)
            row = {
                "reach": notice.area.reach_m,
                "lower": notice.band.lower_ft,
                "upper": notice.band.upper_ft,
                "start": float(notice.window.start_us),
                "end": float(notice.window.end_us),
                "owner": float(notice.owner),
            }
            for name, value in row.items():
                self._columns[name][slot] = value
            self._live[slot] = True

    def forget_ended(self, now_us: int) -> None:
        with self._lock:
            ended = np.flatnonzero(self._live & (self._columns["end"] <= now_us))
            for slot in ended.tolist():
                notice = self._notices[slot]
                if notice is not None:
                    self._drop(notice.id)

    def _drop(self, notice_id: str) -> None:
        self._version += 1
        slot = self._slot.pop(notice_id, None)
        if slot is not None:
            self._notices[slot] = None
            self._live[slot] = False
            self._free.append(slot)

    def _grow(self) -> int:
        size = len(self._notices)
        grown = max(64, size * 2)
        for name, column in self._columns.items():
            self._columns[name] = np.concatenate([column, np.zeros(grown - size)])
        self._centres = np.concatenate([self._centres, np.zeros((grown - size, 3))])
        self._live = np.concatenate([self._live, np.zeros(grown - size, dtype=bool)])
        self._notices.extend([None] * (grown - size))
        self._free.extend(range(grown - 1, size, -1))
        return size

    def live_between(self, start_us: int, end_us: int) -> LiveNotices:
        """The live notices whose window's bounds meet [start, end): a screen only — a
        daily window may still be closed then (`Window.intervals` tells)."""
        with self._lock:
            c = self._columns
            rows = np.flatnonzero(self._live & (c["start"] < end_us) & (c["end"] > start_us))
            cached = self._live_cache
            if (
                cached is not None
                and cached[0] == self._version
                and np.array_equal(cached[1], rows)
            ):
                return cached[2]
            notices = [self._notices[k] for k in rows.tolist()]
            live = LiveNotices(
                [n for n in notices if n is not None],
                self._centres[rows],
                c["reach"][rows],
                c["lower"][rows],
                c["upper"][rows],
                c["owner"][rows].astype(np.int64),
            )
            self._live_cache = (self._version, rows, live)
            return live

    def candidates(self, notice: Notice) -> list[Notice]:
        """Other parties' live notices that may overlap ``notice``: the screen only."""
        with self._lock:
            c = self._columns
            apart = apart_m(self._centres, notice.area.lat0, notice.area.lon0)
            keep = (
                self._live
                & (apart <= (c["reach"] + notice.area.reach_m) * SCREEN_SLACK)
                & (c["owner"] != notice.owner)
                & (c["lower"] < notice.band.upper_ft)
                & (notice.band.lower_ft < c["upper"])
                & (c["start"] < notice.window.end_us)
                & (notice.window.start_us < c["end"])
            )
            found = [self._notices[k] for k in np.flatnonzero(keep).tolist()]
        return [n for n in found if n is not None]

    def overlaps(self, notice: Notice) -> list[Overlap]:
        """Other parties' live notices that overlap ``notice`` in area, band and time."""
        found: list[Overlap] = []
        for other in self.candidates(notice):
            band = notice.band.shared(other.band)
            periods = notice.window.shared(other.window)
            if band is None or not periods:
                continue
            common = shared_area(notice.area, other.area)
            if common.is_empty or common.area <= 0.0:
                continue
            found.append(Overlap(other, band, tuple(periods), notice.area.outline(common)))
        return found
