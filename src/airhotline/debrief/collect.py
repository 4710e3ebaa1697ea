"""What a debrief covers, read from the journal: the alerts of a time window with each
one's history, the aircraft's reported tracks, the notices, the hotline messages, and
the journal's verification — as the reader was allowed to see them at the time.

The admin (``party`` None) sees everything. A party sees the alerts and messages whose
records it was in the audience of (the journal's own record of what it was told), in
its language; its own aircraft's reports; and another party's aircraft only while an
alert between them was disclosed to it (the only time its picture showed them under a
conflicts-only agreement) — never more than it saw then.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from airhotline import units
from airhotline.core.alerts.exposure import ExposureLedger
from airhotline.core.alerts.restore import first_disclosures
from airhotline.core.events import kinds, payload_for
from airhotline.core.notices.window import parse_window
from airhotline.core.notices.zones import ZONE_KINDS, Zone, ZoneBook
from airhotline.core.ports import Journal
from airhotline.core.records import Record
from airhotline.core.reports import FUTURE_TOLERANCE_S, ReportBatch
from airhotline.core.track_events import TracksReported, all_but_reports
from airhotline.detect import DEFAULT_H_SEP_M, DEFAULT_V_SEP_M
from airhotline.errors import InputError

__all__ = ["AlertStory", "DebriefData", "TrackSeries", "collect"]

US_PER_S = 1_000_000
#: The deployment's minima (NM, ft), where no agreement or zone sets its own.
DEFAULT_MINIMA = (
    round(float(units.nm_from_m(DEFAULT_H_SEP_M)), 6),
    round(float(units.ft_from_m(DEFAULT_V_SEP_M)), 3),
)
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Reports read around each alert, before its raise and after its end (s).
MARGIN_S = 60.0
#: Reports are read a page of this many seconds at a time.
PAGE_US = 300 * US_PER_S
#: A record's reports may be older than the record by ingest's default bound (an hour),
#: and newer by its clock-skew tolerance; nearly always they are within a minute.
_OLDER_US = 3_600 * US_PER_S
_RECENT_US = 60 * US_PER_S
_NEWER_US = round(FUTURE_TOLERANCE_S * US_PER_S)
#: Past this many seconds of reports to read, other processes read them.
PARALLEL_FROM_S = 3_600.0


@dataclass(frozen=True, slots=True)
class TrackSeries:
    """One aircraft's reports, in time order, as the party said them (`ReportBatch`:
    its SI views are what the alert engine measures with)."""

    party: str
    track_id: str
    reports: ReportBatch

    @property
    def time_us(self) -> IntArray:
        return self.reports.time_us

    @property
    def lat(self) -> FloatArray:
        return self.reports.lat

    @property
    def lon(self) -> FloatArray:
        return self.reports.lon

    @property
    def alt_ft(self) -> FloatArray:
        return self.reports.alt_ft


@dataclass(frozen=True, slots=True)
class AlertStory:
    """One alert: its records in order (payloads as the reader reads them)."""

    alert_id: str
    records: list[Record]
    payloads: list[Mapping[str, Any]]
    #: When the reader was first told (its first record in the reader's audience).
    told_us: dict[str, int] = field(default_factory=dict)

    @property
    def last(self) -> Mapping[str, Any]:
        return self.payloads[-1]


@dataclass(frozen=True, slots=True)
class DebriefData:
    start_us: int
    end_us: int
    #: The reader's party name (None: the admin) and language.
    party: str | None
    lang: str
    parties: dict[int, str]
    alerts: list[AlertStory]
    tracks: dict[tuple[str, str], TrackSeries]
    notices: list[Mapping[str, Any]]
    messages: list[Mapping[str, Any]]
    #: Encounters a cleared proximity held back (``exemption.suppressed``), with times.
    suppressed: list[Mapping[str, Any]]
    #: Agreed minima per pair of party names (NM, ft), where an agreement set its own.
    minima: dict[frozenset[str], tuple[float, float]]
    #: Designated zones with minima of their own, and when each held (set, removed).
    zones: list[tuple[Zone, int, int | None]]
    verified: bool
    verify_reason: str | None
    head_seq: int
    head_hash: str


def collect(
    journal: Journal,
    verify: Any,
    *,
    start_us: int,
    end_us: int,
    party_id: int | None,
    party_name: str | None,
    lang: str,
    parties: Mapping[int, str],
    all_tracks: bool = False,
    exposure_limit: int = 100,
    exposure_window_s: float = 3_600.0,
    url: str | None = None,
    workers: int | None = None,
    timings: dict[str, float] | None = None,
) -> DebriefData:
    """Read the window's records for ``party_id`` (None: the admin). ``verify`` is the
    store's chain check (a callable returning its result).

    The reports — nearly all of a journal — are read only around the encounters, a
    page at a time, and only their aircraft's rows are kept; ``all_tracks`` keeps every
    report of the window. Decoding them is most of a long window's work: with the
    journal's ``url``, ``workers`` processes read them (default: two, past an hour of
    reports, if the machine has two cores) while this one verifies the journal.
    ``timings``, if given, gets the seconds each phase took."""
    clock = [time.perf_counter()]
    records = journal.records_in_time(start_us, end_us, kinds=all_but_reports())
    head = journal.head()

    def seen(record: Record) -> bool:
        return party_id is None or party_id in record.audience

    stories: dict[str, AlertStory] = {}
    suppressed: list[Mapping[str, Any]] = []
    messages: list[Mapping[str, Any]] = []
    minima: dict[frozenset[str], tuple[float, float]] = {}
    # Every agreement up to the window's end: one set before it still holds in it.
    for record in journal.records_in_time(0, end_us, kinds=["agreement.set"]):
        p = record.payload
        names = frozenset(str(x) for x in p["parties"])
        h, v = p.get("h_sep_nm"), p.get("v_sep_ft")
        if h is not None or v is not None:
            minima[names] = (
                DEFAULT_MINIMA[0] if h is None else float(h),
                DEFAULT_MINIMA[1] if v is None else float(v),
            )
        else:
            minima.pop(names, None)
    # An alert with a record in the window is told whole: its raise may come before it.
    in_window = {str(r.payload["alert_id"]) for r in records if r.kind in _ALERT_KINDS}
    before = [
        r
        for r in journal.records_in_time(start_us - _LOOKBACK_US, start_us, kinds=_ALERT_KINDS)
        if str(r.payload["alert_id"]) in in_window
    ]
    for record in [*before, *records]:
        kind = record.kind
        if not seen(record):
            continue
        if kind in _ALERT_KINDS and kind != "alert.safety":
            alert_id = str(record.payload["alert_id"])
            story = stories.setdefault(alert_id, AlertStory(alert_id, [], []))
            story.records.append(record)
            story.payloads.append(payload_for(record, party_id, lang))
        elif kind == "message.received" and record.time_us >= start_us:
            messages.append({**payload_for(record, party_id, lang), "time_us": record.time_us})
        elif kind == "exemption.suppressed" and record.time_us >= start_us:
            held = payload_for(record, party_id, lang)
            # The two parties by name (their ids stay the hotline's own).
            ids = record.payload.get("party_ids", [])
            held_by = [parties.get(int(pid), str(pid)) for pid in ids]
            suppressed.append({**held, "parties": held_by, "time_us": record.time_us})
    # When each party was first told of each alert the reader knows: the hotline's
    # timing, from every record of it (a party may be told before the reader was).
    for record in [*before, *records]:
        known = stories.get(str(record.payload.get("alert_id")))
        if known is not None and record.kind in _ALERT_KINDS:
            for pid in record.audience:
                known.told_us.setdefault(parties.get(pid, str(pid)), record.time_us)
    notices = _notices(journal, start_us, end_us, party_id, lang)
    alerts = sorted(stories.values(), key=lambda s: (s.records[0].time_us, s.alert_id))
    # What the party's picture was allowed to show of others: its exposure budget, spent
    # as the engine spends it (a foreign track per alert, as it is first told).
    shown_alerts = (
        None
        if party_id is None
        else _within_budget(
            journal,
            party_id,
            start_us=start_us,
            end_us=end_us,
            limit=exposure_limit,
            window_us=round(exposure_window_s * US_PER_S),
        )
    )
    spans = [(start_us, end_us)] if all_tracks else _spans(alerts, start_us, end_us)
    shown = _shown_spans(alerts, party_id, parties, end_us, exposed=shown_alerts)
    wanted = _Wanted(shown, None if party_id is None else party_id, all_tracks)
    _timed(timings, "story", clock)
    pages = _pages(spans)
    parallel = _workers(workers, url, pages)
    if parallel > 1:
        assert url is not None
        columns, result = _read_in_workers(url, pages, wanted, parallel, verify)
        _timed(timings, "reports and verification", clock)
    else:
        result = verify()
        _timed(timings, "verification", clock)
        columns = _read_reports(journal, pages, wanted)
        _timed(timings, "reports", clock)
    tracks = _series(columns, parties)
    return DebriefData(
        start_us=start_us,
        end_us=end_us,
        party=party_name,
        lang=lang,
        parties=dict(parties),
        alerts=alerts,
        tracks=tracks,
        notices=notices,
        messages=messages,
        suppressed=suppressed,
        minima=minima,
        zones=_zones(journal, end_us),
        verified=bool(result.ok),
        verify_reason=result.reason,
        head_seq=head.seq,
        head_hash=head.hash,
    )


def _shown_spans(
    alerts: Sequence[AlertStory],
    party_id: int | None,
    parties: Mapping[int, str],
    end_us: int,
    *,
    exposed: set[str] | None,
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """When the reader may see each aircraft of its alerts: all of it for the admin and
    a party's own (the alert's life and a margin); another party's track within the
    span its alert with the party was disclosed to it (to the resolution, or to the
    window's end for an alert still active then), if its exposure budget admitted it."""
    margin = round(MARGIN_S * US_PER_S)
    shown: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for story in alerts:
        first = story.records[0].time_us
        resolved = story.last.get("state") == "resolved"
        last = story.records[-1].time_us if resolved else end_us
        for t in story.last["tracks"]:
            owner = _party_id(t, parties)
            if owner is None:
                continue
            if party_id is None or owner == party_id:
                span = (first - margin, last + margin)
            elif exposed is not None and story.alert_id not in exposed:
                continue  # past the party's exposure budget: its picture never showed it
            else:
                span = (first, last)  # only while it was disclosed
            shown.setdefault((owner, str(t["track_id"])), []).append(span)
    return shown


@dataclass(frozen=True, slots=True)
class _Wanted:
    """Which reports the reader may see: those of `_shown_spans`, and with
    ``all_tracks`` every report of its own aircraft (the admin: of every aircraft)."""

    shown: dict[tuple[int, str], list[tuple[int, int]]]
    party_id: int | None
    all_tracks: bool

    def everything(self, owner: int) -> bool:
        return self.all_tracks and (self.party_id is None or owner == self.party_id)

    def on_page(self, start_us: int, end_us: int) -> _Page:
        """Per owner, the tracks shown at some moment a page's reports may have."""
        return _Page(
            self._shown_within(start_us - _RECENT_US, end_us + _NEWER_US),
            self._shown_within(start_us - _OLDER_US, end_us + _NEWER_US),
            start_us - _RECENT_US,
        )

    def _shown_within(self, start_us: int, end_us: int) -> dict[int, frozenset[str]]:
        found: dict[int, set[str]] = {}
        for (owner, track_id), spans in self.shown.items():
            if any(a < end_us and b >= start_us for a, b in spans):
                found.setdefault(owner, set()).add(track_id)
        return {owner: frozenset(ids) for owner, ids in found.items()}


@dataclass(frozen=True, slots=True)
class _Page:
    """The tracks to look for in a page's records: ``recent`` where every report of a
    record is newer than ``since_us`` (nearly always), else ``any``."""

    recent: dict[int, frozenset[str]]
    any: dict[int, frozenset[str]]
    since_us: int


class _Columns:
    """The kept reports' columns, appended record by record; each row's track as a code."""

    def __init__(self) -> None:
        self.keys: dict[tuple[int, str], int] = {}
        self.code: list[int] = []
        self.values: dict[str, list[Any]] = {c: [] for c in _COLUMNS}

    def take(self, record: Record, wanted: _Wanted, page: _Page) -> None:
        owner = record.party_id
        if record.kind != TracksReported.kind or owner is None:
            return
        p = record.payload
        ids = p["track_id"]
        keys = self.keys
        if wanted.everything(owner):
            self.code.extend([keys.setdefault((owner, str(t)), len(keys)) for t in ids])
            for c in _COLUMNS:
                self.values[c].extend(p[c])
            return
        times = p["time_us"]
        if not times:
            return
        candidates = (page.recent if min(times) >= page.since_us else page.any).get(owner)
        if not candidates:
            return
        hits = candidates.intersection(ids)
        if not hits:
            return
        rows = []
        for track_id in hits:
            spans = wanted.shown[(owner, track_id)]
            row = -1
            while True:  # a batch may hold several reports of one track
                try:
                    row = ids.index(track_id, row + 1)
                except ValueError:
                    break
                at = times[row]
                if any(a <= at <= b for a, b in spans):
                    rows.append(row)
        if not rows:
            return
        rows.sort()
        self.code.extend([keys.setdefault((owner, str(ids[r])), len(keys)) for r in rows])
        for c in _COLUMNS:
            column = p[c]
            self.values[c].extend([column[r] for r in rows])

    def arrays(self) -> _Arrays:
        return _Arrays(
            [key for key, _ in sorted(self.keys.items(), key=lambda kv: kv[1])],
            np.asarray(self.code, dtype=np.int64),
            {
                c: np.asarray(v, dtype=np.int64 if c == "time_us" else np.float64)
                for c, v in self.values.items()
            },
        )


@dataclass(frozen=True, slots=True)
class _Arrays:
    """`_Columns` as arrays: what a worker hands back (``keys[code]`` is a row's track)."""

    keys: list[tuple[int, str]]
    code: IntArray
    values: dict[str, npt.NDArray[Any]]


def _read_reports(
    journal: Journal, pages: Sequence[tuple[int, int]], wanted: _Wanted
) -> list[_Arrays]:
    """The wanted reports of ``pages``, read a page at a time (memory stays bounded)."""
    columns = _Columns()
    # The decoded payloads hold no cycles: the collector would only walk them, again and
    # again, while they pile up.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for start_us, end_us in pages:
            on_page = wanted.on_page(start_us, end_us)
            if not on_page.any and not wanted.all_tracks:
                continue
            for record in journal.records_in_time(start_us, end_us, kinds=[TracksReported.kind]):
                columns.take(record, wanted, on_page)
    finally:
        if collecting:
            gc.enable()
    return [columns.arrays()]


def _read_in_workers(
    url: str,
    pages: Sequence[tuple[int, int]],
    wanted: _Wanted,
    workers: int,
    verify: Any,
) -> tuple[list[_Arrays], Any]:
    """`_read_reports` in ``workers`` processes of their own (decoding the reports is
    nearly all the work, and holds the interpreter's lock), while this one verifies
    the journal. The processes are spawned: a script that calls this guards its main
    module (``if __name__ == "__main__"``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    share = max(1, len(pages) // (workers * 4))
    tasks = [list(pages[k : k + share]) for k in range(0, len(pages), share)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_open_worker, initargs=(url, wanted)
    ) as pool:
        running = [pool.submit(_read_task, task) for task in tasks]
        result = verify()
        return [done.result() for done in running], result


#: A worker's journal and what it keeps of it (`_open_worker`).
_worker: dict[str, Any] = {}


def _open_worker(url: str, wanted: _Wanted) -> None:
    from airhotline.bootstrap import open_store

    # Read only, and closed with the process (its writer thread is a daemon).
    _worker["journal"] = open_store(url, create=False)
    _worker["wanted"] = wanted


def _read_task(pages: list[tuple[int, int]]) -> _Arrays:
    (found,) = _read_reports(_worker["journal"], pages, _worker["wanted"])
    return found


def _series(
    chunks: Sequence[_Arrays], parties: Mapping[int, str]
) -> dict[tuple[str, str], TrackSeries]:
    """Each track's reports in time order (reports of one time in journal order)."""
    keys: dict[tuple[int, str], int] = {}
    codes = []
    for chunk in chunks:
        remap = np.asarray([keys.setdefault(key, len(keys)) for key in chunk.keys], dtype=np.int64)
        codes.append(remap[chunk.code] if chunk.code.size else chunk.code)
    if not keys:
        return {}
    code = np.concatenate(codes)
    values = {c: np.concatenate([chunk.values[c] for chunk in chunks]) for c in _COLUMNS}
    order = np.lexsort((values["time_us"], code))
    code = code[order]
    values = {c: v[order] for c, v in values.items()}
    bounds = np.flatnonzero(np.diff(code)) + 1
    out: dict[tuple[str, str], TrackSeries] = {}
    by_code = {k: key for key, k in keys.items()}
    for lo, hi in zip(
        np.concatenate([[0], bounds]).tolist(),
        np.concatenate([bounds, [code.size]]).tolist(),
        strict=True,
    ):
        owner, track_id = by_code[int(code[lo])]
        name = parties.get(owner, str(owner))
        reports = ReportBatch.from_payload(
            {"track_id": [track_id] * (hi - lo), **{c: v[lo:hi] for c, v in values.items()}}
        )
        out[(name, track_id)] = TrackSeries(name, track_id, reports)
    return out


def _pages(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans cut into pages of at most `PAGE_US`."""
    return [(a, min(end, a + PAGE_US)) for start, end in spans for a in range(start, end, PAGE_US)]


def _workers(asked: int | None, url: str | None, pages: Sequence[tuple[int, int]]) -> int:
    """How many processes read the reports: ``asked``, or by default two (if the machine
    has them) once there are more than `PARALLEL_FROM_S` of them, for a journal
    another process can open."""
    if url is None or url in ("sqlite://", "sqlite:///") or ":memory:" in url:
        return 1  # no journal another process could open
    if asked is not None:
        return asked
    total = sum(b - a for a, b in pages)
    return min(2, os.cpu_count() or 1) if total > PARALLEL_FROM_S * US_PER_S else 1


def _timed(timings: dict[str, float] | None, phase: str, clock: list[float]) -> None:
    now = time.perf_counter()
    if timings is not None:
        timings[phase] = now - clock[0]
    clock[0] = now


_COLUMNS = ("time_us", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")
_ALERT_KINDS = kinds(family="alert")
_NOTICE_KINDS = kinds(family="notice")
#: How far back an alert's history may begin before the window: two retention periods,
#: as the engine's own restore reads.
_LOOKBACK_US = 2 * 86_400 * US_PER_S


def _zones(journal: Journal, end_us: int) -> list[tuple[Zone, int, int | None]]:
    """Every zone with minima of its own up to the window's end, and when it held."""
    held: dict[str, tuple[Zone, int]] = {}
    found: list[tuple[Zone, int, int | None]] = []
    book = ZoneBook()
    for record in journal.records_in_time(0, end_us, kinds=ZONE_KINDS):
        zone_id = str(record.payload["zone_id"])
        if zone_id in held:
            zone, since = held.pop(zone_id)
            found.append((zone, since, record.time_us))
        if record.kind == "zone.set":
            book.apply([record])
            now_set = book.get(zone_id)
            if now_set is not None and (
                now_set.h_sep_nm is not None or now_set.v_sep_ft is not None
            ):
                held[zone_id] = (now_set, record.time_us)
    found.extend((zone, since, None) for zone, since in held.values())
    return found


def _notices(
    journal: Journal, start_us: int, end_us: int, party_id: int | None, lang: str
) -> list[Mapping[str, Any]]:
    """The notices live at some moment of the window, as the reader was told of them:
    each one's last version published before the window's end, unless cancelled before
    its start; whenever it was published."""
    latest: dict[str, Mapping[str, Any]] = {}
    cancelled: dict[str, int] = {}
    for record in journal.records_in_time(0, end_us, kinds=_NOTICE_KINDS):
        notice_id = record.payload.get("notice_id")
        if notice_id is None:
            continue
        if record.kind == "notice.cancelled":
            cancelled[str(notice_id)] = record.time_us
        elif record.kind in ("notice.published", "notice.amended") and (
            party_id is None or party_id in record.audience
        ):
            latest[str(notice_id)] = payload_for(record, party_id, lang)
    found = []
    for notice_id, payload in latest.items():
        if cancelled.get(notice_id, end_us) < start_us:
            continue
        try:
            window = parse_window(payload["window"], float("inf"))
        except (InputError, KeyError):
            continue  # checked when published; a report never fails on it
        if window.end_us >= start_us and window.start_us < end_us:
            found.append(payload)
    return found


def _within_budget(
    journal: Journal, party_id: int, *, start_us: int, end_us: int, limit: int, window_us: int
) -> set[str]:
    """The alerts whose other track the party's picture showed: its exposure budget
    spent as the engine spends it (`core.alerts.restore.first_disclosures`), from a
    budget window before the debrief's; and those with nothing to spend (a track's
    incursion into a notice)."""
    history: dict[str, list[Record]] = {}
    for record in journal.records_in_time(start_us - window_us, end_us, kinds=_ALERT_KINDS):
        if record.kind != "alert.safety":
            history.setdefault(str(record.payload["alert_id"]), []).append(record)
    ledger = ExposureLedger(limit, window_us)
    spends: set[str] = set()
    shown: set[str] = set()
    for time_us, party, track, alert_id in first_disclosures(history, start_us - window_us):
        if party != party_id:
            continue
        spends.add(alert_id)
        ledger, admitted = ledger.admit(party, track, time_us)
        if admitted:
            shown.add(alert_id)
    told = {a for a, records in history.items() if any(party_id in r.audience for r in records)}
    return shown | (told - spends)


def _spans(alerts: Sequence[AlertStory], start_us: int, end_us: int) -> list[tuple[int, int]]:
    """The time around each encounter (its life and a margin), merged, in the window."""
    margin = round(MARGIN_S * US_PER_S)
    around = sorted(
        (max(start_us, s.records[0].time_us - margin), min(end_us, s.records[-1].time_us + margin))
        for s in alerts
    )
    merged: list[tuple[int, int]] = []
    for a, b in around:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _party_id(track: Mapping[str, Any], parties: Mapping[int, str]) -> int | None:
    if "party_id" in track:
        return int(track["party_id"])
    by_name = {name: pid for pid, name in parties.items()}
    return by_name.get(str(track.get("party")))
