"""The picture: the latest state of every live track, as NumPy columns.

A report moves its track forward only if it is newer than what the picture holds:
out-of-order reports are journaled but never move the picture backwards. A track that has
not reported for ``coast_after_s`` is *coasting* (flown on from its last state, flagged);
after ``lost_after_s`` it is *lost* and leaves the picture.

"Newer" and "not reported for" use the report's *freshness*: its own time, but never later
than when it arrived. A feed whose clock runs ahead (reports are accepted up to 30 s in
the future) would otherwise keep a silent track live for 30 s too long, and block the
correct reports that follow. Positions are still flown on from the report's own time.

Thread-safety: every public method takes the picture's lock, so reports applied from the
journal writer's thread and views taken by the cycle never see a half-applied batch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt

from airhotline import geo, units
from airhotline.clock import US_PER_S
from airhotline.core.plausibility import PlausibilityRules, Reports, assess
from airhotline.core.reports import ReportBatch
from airhotline.detect import DEFAULT_H_SEP_M, DEFAULT_V_SEP_M, TrackStates

__all__ = ["LostTrack", "Picture", "PictureView", "TrackKey"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TrackKey = tuple[int, str]  # (party id, track id)

_FLOAT_COLUMNS = ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")


@dataclass(frozen=True, slots=True)
class LostTrack:
    party_id: int
    track_id: str
    last_time_us: int


@dataclass(frozen=True, slots=True)
class PictureView:
    """The picture at one instant: every live track flown on to ``time_us``.

    ``states`` (SI, flown on to ``time_us``, for detection) and ``reported`` (SI, each as
    last reported at ``report_time_us``, for measuring what really happened) share one row
    order; ``coasting`` flags tracks whose last report is older than the coast limit.
    """

    time_us: int
    party_id: IntArray
    track_id: tuple[str, ...]
    report_time_us: IntArray
    coasting: BoolArray
    #: Whether each track's reports have been possible and consistent long enough
    #: (`airhotline.core.plausibility`): a track that is not discloses nothing of others.
    established: BoolArray
    states: TrackStates
    reported: TrackStates
    callsign: tuple[str | None, ...]
    icao24: tuple[str | None, ...]
    aircraft_type: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.track_id)

    def key(self, row: int) -> TrackKey:
        return (int(self.party_id[row]), self.track_id[row])

    def rows(self) -> dict[TrackKey, int]:
        """Each track's row (built in C: a cycle at 10 000 tracks calls it every second)."""
        keys = zip(self.party_id.tolist(), self.track_id, strict=True)
        return dict(zip(keys, range(len(self)), strict=True))

    def take(self, rows: npt.ArrayLike) -> PictureView:
        index = np.asarray(rows, dtype=np.int64)
        return PictureView(
            time_us=self.time_us,
            party_id=self.party_id[index],
            track_id=tuple(self.track_id[i] for i in index),
            report_time_us=self.report_time_us[index],
            coasting=self.coasting[index],
            established=self.established[index],
            states=self.states.take(index),
            reported=self.reported.take(index),
            callsign=tuple(self.callsign[i] for i in index),
            icao24=tuple(self.icao24[i] for i in index),
            aircraft_type=tuple(self.aircraft_type[i] for i in index),
        )


class Picture:
    """Latest state per track; rows are reused when tracks are lost."""

    def __init__(
        self,
        *,
        coast_after_s: float = 10.0,
        lost_after_s: float = 60.0,
        plausibility: PlausibilityRules | None = None,
    ) -> None:
        if not 0.0 < coast_after_s <= lost_after_s:
            raise ValueError("need 0 < coast_after_s <= lost_after_s")
        self.coast_after_us = round(coast_after_s * US_PER_S)
        self.lost_after_us = round(lost_after_s * US_PER_S)
        self.plausibility = plausibility or PlausibilityRules()
        self._establish_us = round(self.plausibility.establish_s * US_PER_S)
        self._lock = threading.Lock()
        self._rows: dict[TrackKey, int] = {}
        self._live: dict[int, int] = {}  # tracks per party
        self._free: list[int] = []
        self._keys: list[TrackKey | None] = []
        self._time_us = np.zeros(0, dtype=np.int64)  # each track's report time
        self._fresh_us = np.zeros(0, dtype=np.int64)  # ... never later than its arrival
        self._columns = {name: np.zeros(0, dtype=np.float64) for name in _FLOAT_COLUMNS}
        # Each track's streak of consistent reports, and when the streak began.
        self._streak = np.zeros(0, dtype=np.int64)
        self._streak_since_us = np.zeros(0, dtype=np.int64)
        self._drift_ft = np.zeros(0, dtype=np.float64)
        self._meta: list[tuple[str | None, str | None, str | None]] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    def holds(self, key: TrackKey) -> bool:
        """Whether the track is live in the picture (reported, not yet lost)."""
        with self._lock:
            return key in self._rows

    def apply(self, party_id: int, batch: ReportBatch, received_us: int | None = None) -> int:
        """Take a batch's reports that are newer than the picture; return how many moved.

        ``received_us`` is when the batch arrived (its journal time); without it, reports
        are taken at their word.
        """
        return self.apply_many([(party_id, batch, received_us)])

    def apply_many(self, batches: Sequence[tuple[int, ReportBatch, int | None]]) -> int:
        """`apply` each ``(party id, batch, received µs)`` in turn; how many moved in all.

        Consecutive batches that share no track (those of different parties, always) are
        taken in one vectorised pass — what applying them one after the other gives, at
        the cost of one: a journal group holds a batch from each party's feed.
        """
        moved = 0
        with self._lock:
            run: list[tuple[int, ReportBatch, int | None]] = []
            tracks: dict[int, set[str]] = {}  # of each party in the run
            for item in batches:
                party_id, batch, _ = item
                held = tracks.get(party_id)
                if held is not None and not held.isdisjoint(batch.track_id):
                    moved += self._apply_run(run)
                    run, tracks = [], {}
                run.append(item)
                tracks.setdefault(party_id, set()).update(batch.track_id)
            if run:
                moved += self._apply_run(run)
        return moved

    def _apply_run(self, run: Sequence[tuple[int, ReportBatch, int | None]]) -> int:
        """Apply batches that share no track, in one pass; the lock is held."""
        total = sum(len(batch) for _, batch, _ in run)
        if total == 0:
            return 0
        rows = np.fromiter(
            chain.from_iterable(self._rows_for(p, batch.track_id) for p, batch, _ in run),
            dtype=np.int64,
            count=total,
        )
        anonymous = all(_anonymous(batch) for _, batch, _ in run)
        merged = run[0][1] if len(run) == 1 else _concatenate([b for _, b, _ in run], anonymous)
        fresh = np.concatenate(
            [
                batch.time_us if received is None else np.minimum(batch.time_us, received)
                for _, batch, received in run
            ]
        )
        # Within a batch the same track may appear twice: only its newest report counts.
        order = np.lexsort((merged.time_us, fresh, rows))
        in_order = rows[order]
        last_of_row = np.ones(total, dtype=bool)
        last_of_row[:-1] = in_order[1:] != in_order[:-1]
        pick = order[last_of_row]
        target = rows[pick]
        newer = (fresh[pick] > self._fresh_us[target]) | (
            (fresh[pick] == self._fresh_us[target]) & (merged.time_us[pick] > self._time_us[target])
        )
        pick, target = pick[newer], target[newer]
        self._assess(merged, pick, target)
        self._time_us[target] = merged.time_us[pick]
        self._fresh_us[target] = fresh[pick]
        for name, column in self._columns.items():
            column[target] = getattr(merged, name)[pick]
        if anonymous:
            for row in target.tolist():
                self._meta[row] = _NO_IDENTITY
        else:
            picked = pick.tolist()
            identities = zip(
                map(merged.callsign.__getitem__, picked),
                map(merged.icao24.__getitem__, picked),
                map(merged.aircraft_type.__getitem__, picked),
                strict=True,
            )
            for row, identity in zip(target.tolist(), identities, strict=True):
                self._meta[row] = identity
        return int(pick.size)

    def _assess(self, batch: ReportBatch, pick: IntArray, target: IntArray) -> None:
        """Each moving track's streak of consistent reports (before its state moves)."""
        old_time = self._time_us[target]
        has_old = old_time != np.iinfo(np.int64).min
        old = Reports(
            time_us=np.where(has_old, old_time, batch.time_us[pick]),
            **{name: self._columns[name][target] for name in _FLOAT_COLUMNS},
        )
        new = Reports(
            time_us=batch.time_us[pick],
            **{name: getattr(batch, name)[pick] for name in _FLOAT_COLUMNS},
        )
        streak, drift_ft = assess(
            old, new, has_old, self._streak[target], self._drift_ft[target], self.plausibility
        )
        self._drift_ft[target] = drift_ft
        restarted = streak <= 1
        self._streak_since_us[target] = np.where(
            restarted, new.time_us, self._streak_since_us[target]
        )
        self._streak[target] = streak

    def new_tracks(self, party_id: int, track_ids: tuple[str, ...]) -> int:
        """How many distinct tracks of ``track_ids`` the party has not in the picture."""
        with self._lock:
            return sum(1 for t in set(track_ids) if (party_id, t) not in self._rows)

    def live_tracks(self, party_id: int) -> int:
        """How many tracks of the party the picture holds."""
        with self._lock:
            return self._live.get(party_id, 0)

    def stale(self, now_us: int) -> list[LostTrack]:
        """The tracks silent for longer than the lost limit (left in the picture)."""
        with self._lock:
            live = np.fromiter(self._rows.values(), dtype=np.int64, count=len(self._rows))
            rows = live[now_us - self._fresh_us[live] > self.lost_after_us]
            lost = []
            for row in rows.tolist():
                key = self._keys[row]
                assert key is not None
                lost.append(LostTrack(key[0], key[1], int(self._time_us[row])))
            return lost

    def remove(self, tracks: list[LostTrack]) -> None:
        """Take tracks out of the picture, unless a newer report came in meanwhile."""
        with self._lock:
            for track in tracks:
                row = self._rows.get((track.party_id, track.track_id))
                if row is None or int(self._time_us[row]) != track.last_time_us:
                    continue
                del self._rows[(track.party_id, track.track_id)]
                self._live[track.party_id] -= 1
                self._keys[row] = None
                self._time_us[row] = 0
                self._fresh_us[row] = 0
                self._free.append(row)

    def expire(self, now_us: int) -> list[LostTrack]:
        """Remove and return the tracks silent for longer than the lost limit."""
        lost = self.stale(now_us)
        self.remove(lost)
        return lost

    def view(self, now_us: int) -> PictureView:
        """Every track flown on along its geodesic from its last report to ``now_us``."""
        with self._lock:
            rows = np.fromiter(self._rows.values(), dtype=np.int64, count=len(self._rows))
            keys = [self._keys[r] for r in rows.tolist()]
            report_time = self._time_us[rows].copy()
            fresh = self._fresh_us[rows].copy()
            established = (self._streak[rows] >= self.plausibility.establish_reports) & (
                report_time - self._streak_since_us[rows] >= self._establish_us
            )
            columns = {name: column[rows].copy() for name, column in self._columns.items()}
            meta = [self._meta[r] for r in rows.tolist()]
        elapsed_s = (now_us - report_time) / US_PER_S
        gs_mps = units.mps_from_kt(columns["gs_kt"])
        track_rad = units.rad_from_deg(columns["track_deg"])
        lat, lon, track_now = geo.geodesic_forward(
            columns["lat"], columns["lon"], track_rad, gs_mps * elapsed_s
        )
        vrate_mps = units.mps_from_fpm(columns["vrate_fpm"])
        alt_m = units.m_from_ft(columns["alt_ft"])
        party = np.array([k[0] for k in keys if k is not None], dtype=np.int64)
        reported = _states(
            lat_deg=columns["lat"],
            lon_deg=columns["lon"],
            alt_m=alt_m,
            gs_mps=gs_mps,
            track_rad=track_rad,
            vrate_mps=vrate_mps,
            party=party,
        )
        states = _states(
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt_m + vrate_mps * elapsed_s,
            gs_mps=gs_mps,
            track_rad=track_now,
            vrate_mps=vrate_mps,
            party=party,
        )
        return PictureView(
            time_us=now_us,
            party_id=states.party,
            track_id=tuple(k[1] for k in keys if k is not None),
            report_time_us=report_time,
            coasting=(now_us - fresh) > self.coast_after_us,
            established=established,
            states=states,
            reported=reported,
            callsign=tuple(m[0] for m in meta),
            icao24=tuple(m[1] for m in meta),
            aircraft_type=tuple(m[2] for m in meta),
        )

    def _rows_for(self, party_id: int, track_ids: tuple[str, ...]) -> list[int]:
        """The rows of a party's tracks, in order; new tracks get theirs (the lock is
        held). The lookups run in C when every track is known, as second after second."""
        known = list(map(self._rows.get, zip(repeat(party_id), track_ids)))
        if None not in known:
            return known  # type: ignore[return-value]  # no None in it
        return [self._row_for((party_id, t)) for t in track_ids]

    def _row_for(self, key: TrackKey) -> int:
        row = self._rows.get(key)
        if row is not None:
            return row
        if not self._free:
            self._grow()
        row = self._free.pop()
        self._rows[key] = row
        self._live[key[0]] = self._live.get(key[0], 0) + 1
        self._keys[row] = key
        self._time_us[row] = np.iinfo(np.int64).min
        self._fresh_us[row] = np.iinfo(np.int64).min
        self._streak[row] = 0
        self._drift_ft[row] = 0.0
        self._meta[row] = _NO_IDENTITY
        return row

    def _grow(self) -> None:
        old = self._time_us.shape[0]
        new = max(64, old * 2)
        self._time_us = np.resize(self._time_us, new)
        self._fresh_us = np.resize(self._fresh_us, new)
        self._streak = np.resize(self._streak, new)
        self._streak_since_us = np.resize(self._streak_since_us, new)
        self._drift_ft = np.resize(self._drift_ft, new)
        for name, column in self._columns.items():
            self._columns[name] = np.resize(column, new)
        self._keys.extend([None] * (new - old))
        self._meta.extend([_NO_IDENTITY] * (new - old))
        self._free.extend(range(new - 1, old - 1, -1))


def _states(
    *,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_m: FloatArray,
    gs_mps: FloatArray,
    track_rad: FloatArray,
    vrate_mps: FloatArray,
    party: IntArray,
) -> TrackStates:
    """`TrackStates.build` of the picture's own columns (whole float arrays, one value a
    track), without its broadcasting — twice a cycle — but as read-only as it makes them;
    the states still check themselves."""
    n = party.shape[0]
    given = (lat_deg, lon_deg, alt_m, gs_mps, track_rad, vrate_mps, party)
    for array in given:
        array.flags.writeable = False
    return TrackStates(
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        alt_m=alt_m,
        gs_mps=gs_mps,
        track_rad=track_rad,
        vrate_mps=vrate_mps,
        party=party,
        h_sep_m=np.full(n, DEFAULT_H_SEP_M),
        v_sep_m=np.full(n, DEFAULT_V_SEP_M),
    )


#: A track's callsign, ICAO address and type when its reports name none.
_NO_IDENTITY: tuple[str | None, str | None, str | None] = (None, None, None)


def _anonymous(batch: ReportBatch) -> bool:
    """Whether no report of the batch names a callsign, an ICAO address or a type."""
    n = len(batch)
    return (
        batch.callsign.count(None) == n
        and batch.icao24.count(None) == n
        and batch.aircraft_type.count(None) == n
    )


def _concatenate(batches: Sequence[ReportBatch], anonymous: bool) -> ReportBatch:
    """The batches' reports one after the other, as one batch (``anonymous``: none of
    them names an identity)."""
    callsign: tuple[str | None, ...]
    icao24: tuple[str | None, ...]
    aircraft_type: tuple[str | None, ...]
    if anonymous:
        callsign = icao24 = aircraft_type = (None,) * sum(len(b) for b in batches)
    else:
        callsign = tuple(chain.from_iterable(b.callsign for b in batches))
        icao24 = tuple(chain.from_iterable(b.icao24 for b in batches))
        aircraft_type = tuple(chain.from_iterable(b.aircraft_type for b in batches))
    return ReportBatch(
        track_id=tuple(chain.from_iterable(b.track_id for b in batches)),
        time_us=np.concatenate([b.time_us for b in batches]),
        **{name: np.concatenate([getattr(b, name) for b in batches]) for name in _FLOAT_COLUMNS},
        callsign=callsign,
        icao24=icao24,
        aircraft_type=aircraft_type,
    )
