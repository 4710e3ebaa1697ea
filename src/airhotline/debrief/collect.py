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

from airhotline.core.events import kinds, payload_for
from airhotline.core.ports import Journal
from airhotline.core.records import Record
from airhotline.core.track_events import TracksReported

__all__ = ["AlertStory", "DebriefData", "TrackSeries", "collect"]

US_PER_S = 1_000_000
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Reports read around each alert, before its raise and after its end (s).
MARGIN_S = 60.0


@dataclass(frozen=True, slots=True)
class TrackSeries:
    """One aircraft's reports, in time order (SI inside, as the picture holds them)."""

    party: str
    track_id: str
    time_us: IntArray
    lat: FloatArray
    lon: FloatArray
    alt_ft: FloatArray
    gs_kt: FloatArray
    track_deg: FloatArray
    vrate_fpm: FloatArray


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
    #: Agreed minima per pair of party names (NM, ft), where an agreement set its own.
    minima: dict[frozenset[str], tuple[float, float]]
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
) -> DebriefData:
    """Read the window's records for ``party_id`` (None: the admin). ``verify`` is the
    store's chain check (a callable returning its result).

    The reports — nearly all of a journal — are read only around the encounters, for
    their aircraft, so that a day of thousands of aircraft costs what its encounters
    do; ``all_tracks`` reads every report of the window (a drill's few aircraft)."""
    records = journal.records_in_time(start_us, end_us, kinds=_NOT_REPORTS)
    head = journal.head()
    result = verify()

    def seen(record: Record) -> bool:
        return party_id is None or party_id in record.audience

    stories: dict[str, AlertStory] = {}
    notices: dict[str, Mapping[str, Any]] = {}
    messages: list[Mapping[str, Any]] = []
    minima: dict[frozenset[str], tuple[float, float]] = {}
    # Every agreement up to the window's end: one set before it still holds in it.
    for record in journal.records_in_time(0, end_us, kinds=["agreement.set"]):
        p = record.payload
        names = frozenset(str(x) for x in p["parties"])
        h, v = p.get("h_sep_nm"), p.get("v_sep_ft")
        if h is not None or v is not None:
            minima[names] = (float(h or 3.0), float(v or 1_000.0))
        else:
            minima.pop(names, None)
    for record in records:
        kind = record.kind
        if not seen(record):
            continue
        if kind.startswith("alert.") and kind != "alert.safety":
            alert_id = str(record.payload["alert_id"])
            story = stories.setdefault(alert_id, AlertStory(alert_id, [], []))
            story.records.append(record)
            story.payloads.append(payload_for(record, party_id, lang))
            for pid in record.audience:
                story.told_us.setdefault(parties.get(pid, str(pid)), record.time_us)
        elif kind in ("notice.published", "notice.amended"):
            notices[str(record.payload["notice_id"])] = payload_for(record, party_id, lang)
        elif kind == "message.received":
            messages.append({**payload_for(record, party_id, lang), "time_us": record.time_us})
    alerts = sorted(stories.values(), key=lambda s: (s.records[0].time_us, s.alert_id))
    spans = [(start_us, end_us)] if all_tracks else _spans(alerts, start_us, end_us)
    reports = [
        r for a, b in spans for r in journal.records_in_time(a, b, kinds=[TracksReported.kind])
    ]
    tracks = _tracks(reports, alerts, party_id, parties, end_us, all_tracks=all_tracks)
    return DebriefData(
        start_us=start_us,
        end_us=end_us,
        party=party_name,
        lang=lang,
        parties=dict(parties),
        alerts=alerts,
        tracks=tracks,
        notices=list(notices.values()),
        messages=messages,
        minima=minima,
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
        out[(name, track_id)] = TrackSeries(
            name,
            track_id,
            np.asarray(values["time_us"], dtype=np.int64)[order],
            *(np.asarray(values[k], dtype=np.float64)[order] for k in _COLUMNS[1:]),
        )
    return out


_COLUMNS = ("time_us", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm")
#: Every kind but the reports (read around the encounters only).
_NOT_REPORTS = kinds() - {TracksReported.kind}


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
