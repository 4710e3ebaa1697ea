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
from airhotline.core.reports import ReportBatch
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
) -> DebriefData:
    """Read the window's records for ``party_id`` (None: the admin). ``verify`` is the
    store's chain check (a callable returning its result).

    The reports — nearly all of a journal — are read only around the encounters, for
    their aircraft, so that a day of thousands of aircraft costs what its encounters
    do; ``all_tracks`` reads every report of the window (a drill's few aircraft)."""
    records = journal.records_in_time(start_us, end_us, kinds=all_but_reports())
    head = journal.head()
    result = verify()

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
    reports = [
        r for a, b in spans for r in journal.records_in_time(a, b, kinds=[TracksReported.kind])
    ]
    tracks = _tracks(
        reports, alerts, party_id, parties, end_us, all_tracks=all_tracks, exposed=shown_alerts
    )
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


def _tracks(
    records: Sequence[Record],
    alerts: Sequence[AlertStory],
    party_id: int | None,
    parties: Mapping[int, str],
    end_us: int,
    *,
    all_tracks: bool,
    exposed: set[str] | None,
) -> dict[tuple[str, str], TrackSeries]:
    """The reports the reader may see: all for the admin; a party's own, and another's
    track within the spans its alerts with the party were disclosed to it (to the
    resolution, or to the window's end for an alert still active then)."""
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
    columns: dict[tuple[int, str], dict[str, list[float]]] = {}
    for record in records:
        if record.kind != "tracks.reported" or record.party_id is None:
            continue
        owner = record.party_id
        p = record.payload
        own = party_id is None or owner == party_id
        for row, track_id in enumerate(p["track_id"]):
            key = (owner, str(track_id))
            time_us = int(p["time_us"][row])
            if not (own and all_tracks) and not any(
                a <= time_us <= b for a, b in shown.get(key, ())
            ):
                continue
            series = columns.setdefault(key, {c: [] for c in _COLUMNS})
            series["time_us"].append(time_us)
            for c in _COLUMNS[1:]:
                series[c].append(float(p[c][row]))
    out: dict[tuple[str, str], TrackSeries] = {}
    for (owner, track_id), values in columns.items():
        order = np.argsort(np.asarray(values["time_us"]), kind="stable")
        name = parties.get(owner, str(owner))
        columns_in_order = {k: np.asarray(values[k])[order] for k in _COLUMNS}
        reports = ReportBatch.from_payload(
            {"track_id": [track_id] * order.size, **columns_in_order}
        )
        out[(name, track_id)] = TrackSeries(name, track_id, reports)
    return out


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
