"""A drill's expected outcomes checked against what happened: the journal's records
(alerts, acknowledgements, escalations, answers, lines) and the separations the
aircraft really flew. Pure: the runner hands in what it recorded.

Times are seconds from the drill's start. An ``alert`` check passes when an alert
between the two (tracks, or a track and a notice) reaches at least the tier asked for,
at a moment within the window; ``no_alert`` passes when none is ever raised between
them or, with ``after_s``, none raised, updated or escalated from then on;
``suppressed`` when a cleared proximity held back an encounter of the two tracks
(``exemption.suppressed``), first within the window, and ``resolved`` when an alert
between them is, first within the window; ``separation`` bounds the least
horizontal and vertical separation the two aircraft flew (measured every second on
their true positions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airhotline.core.alerts.model import INCURSION, Tier
from airhotline.core.records import Record

__all__ = ["Observed", "Outcome", "judge"]

US_PER_S = 1_000_000


@dataclass(frozen=True, slots=True)
class Outcome:
    check: str
    passed: bool
    expected: str
    observed: str


@dataclass(frozen=True, slots=True)
class Observed:
    """What the runner saw: the journal, and what it alone knows."""

    records: Sequence[Record]
    start_us: int
    #: Per pair of track ids (sorted): least (horizontal NM, vertical ft) flown.
    closest: Mapping[tuple[str, str], tuple[float, float]]
    #: The notice id each notice label was published as.
    notices: Mapping[str, str]
    #: The message id each message label was sent as.
    messages: Mapping[str, str]


def judge(expect: Iterable[Mapping[str, Any]], seen: Observed) -> list[Outcome]:
    return [_judge(e, seen) for e in expect]


def _judge(e: Mapping[str, Any], seen: Observed) -> Outcome:
    check = str(e["check"])
    (kind,) = [k for k in e if k != "check"]
    body: Mapping[str, Any] = e[kind]
    passed, expected, observed = _JUDGES[kind](body, seen)
    return Outcome(check, passed, expected, observed)


def _t(record: Record, seen: Observed) -> float:
    return (record.time_us - seen.start_us) / US_PER_S


def _window(body: Mapping[str, Any], key: str) -> tuple[float, float]:
    low, high = body.get(key, (float("-inf"), float("inf")))
    return float(low), float(high)


def _sides(payload: Mapping[str, Any]) -> tuple[str, str]:
    tracks = [str(t["track_id"]) for t in payload["tracks"]]
    if payload.get("kind") == INCURSION:
        return tracks[0], str(payload["notice"]["notice_id"])
    return tracks[0], tracks[1]


def _records_between(
    body: Mapping[str, Any], seen: Observed, kind: str | None = None
) -> list[Record]:
    """The alert records of the pair the check names, in journal order."""
    first, second = (str(x) for x in body["between"])
    # A notice's label as the second: the pair is a track and that notice.
    incursion = body.get("kind") == INCURSION or second in seen.notices
    if incursion:
        second = seen.notices.get(second, second)
    wanted = {first, second}
    return [
        r
        for r in seen.records
        if r.kind.startswith("alert.")
        and r.kind != "alert.safety"
        and (kind is None or r.kind == kind)
        and set(_sides(r.payload)) == wanted
        and (r.payload.get("kind", "conflict") == INCURSION) == incursion
    ]


def _named(body: Mapping[str, Any]) -> str:
    return " / ".join(str(x) for x in body["between"])


def _alert(body: Mapping[str, Any], seen: Observed) -> tuple[bool, str, str]:
    tier = Tier[str(body.get("tier", "advisory")).upper()]
    low, high = _window(body, "within_s")
    expected = f"{body.get('kind', 'conflict')} {_named(body)}: {tier.label} or above"
    if "within_s" in body:
        expected += f" within {low:g}-{high:g} s"
    reached = [
        r for r in _records_between(body, seen) if Tier[str(r.payload["tier"]).upper()] >= tier
    ]
    if not reached:
        tiers = sorted({str(r.payload["tier"]) for r in _records_between(body, seen)})
        return False, expected, f"never reached ({', '.join(tiers) or 'no alert'})"
    when = _t(reached[0], seen)
    return low <= when <= high, expected, f"{reached[0].payload['tier']} at {when:g} s"


#: What alerts the parties from ``after_s`` on: a raise, an update or an escalation
#: (the alert active then may still be resolved).
_ALERTING = ("alert.raised", "alert.updated", "alert.escalated")


def _no_alert(body: Mapping[str, Any], seen: Observed) -> tuple[bool, str, str]:
    if "after_s" not in body:
        found = _records_between(body, seen, "alert.raised")
        expected = f"no alert {_named(body)}"
    else:
        after = float(body["after_s"])
        found = [
            r for r in _records_between(body, seen) if r.kind in _ALERTING and _t(r, seen) >= after
        ]
        expected = f"no alert {_named(body)} from {after:g} s"
    if not found:
        return True, expected, "none"
    first = found[0]
    said = "raised" if first.kind == "alert.raised" else first.kind.removeprefix("alert.")
    return False, expected, f"{first.payload['tier']} {said} at {_t(first, seen):g} s"


def _resolved(body: Mapping[str, Any], seen: Observed) -> tuple[bool, str, str]:
    """An alert between the two resolved, first within the window."""
    low, high = _window(body, "within_s")
    expected = f"alert {_named(body)} resolved"
    if "within_s" in body:
        expected += f" within {low:g}-{high:g} s"
    found = _records_between(body, seen, "alert.resolved")
    if not found:
        return False, expected, "never"
    when = _t(found[0], seen)
    return low <= when <= high, expected, f"at {when:g} s"


def _suppressed(body: Mapping[str, Any], seen: Observed) -> tuple[bool, str, str]:
    """A cleared proximity held back an encounter of the two, first within the window."""
    wanted = {str(x) for x in body["between"]}
    low, high = _window(body, "within_s")
    expected = f"encounter {_named(body)} held back"
    if "within_s" in body:
        expected += f" within {low:g}-{high:g} s"
    held = [
        r
        for r in seen.records
        if r.kind == "exemption.suppressed" and {str(t) for t in r.payload["tracks"]} == wanted
    ]
    if not held:
        return False, expected, "never"
    when = _t(held[0], seen)
    return low <= when <= high, expected, f"{held[0].payload['tier']} held back at {when:g} s"


def _separation(body: Mapping[str, Any], seen: Observed) -> tuple[bool, str, str]:
    pair = tuple(sorted(str(x) for x in body["between"]))
    expected = f"{_named(body)}:"
    if "min_h_nm" in body:
        expected += " least horizontal {:g}-{:g} NM".format(*body["min_h_nm"])
    if "min_v_ft" in body:
        expected += " least vertical {:g}-{:g} ft".format(*body["min_v_ft"])
    flown: tuple[float, float] | None
    if str(body["between"][1]) in seen.notices:
        # A track and a notice: how close the incursion alert measured it, if one was raised.
        records = _records_between(body, seen)
        if not records:
            return False, expected, "no incursion alert measured it"
        last = records[-1].payload
        h_nm, v_ft = last.get("min_h_sep_nm"), last.get("min_v_sep_ft")
        if h_nm is None or v_ft is None:
            return False, expected, "not measured while the notice was active"
        flown = (float(h_nm), float(v_ft))
    else:
        flown = seen.closest.get((pair[0], pair[1]))
    if flown is None:
        return False, expected, "the two never flew at the same time"
    h, v = flown
    ok = True
    if "min_h_nm" in body:
        ok &= body["min_h_nm"][0] <= h <= body["min_h_nm"][1]
    if "min_v_ft" in body:
        ok &= body["min_v_ft"][0] <= v <= body["min_v_ft"][1]
    return ok, expected, f"{h:.2f} NM, {v:.0f} ft"


Verdict = tuple[bool, str, str]


def _by_deadline(
    body: Mapping[str, Any], seen: Observed, what: str, found: Sequence[Record], answer: str = ""
) -> Verdict:
    """Whether the first of ``found`` came by the check's ``by_s`` (if it names one)."""
    limit = float(body.get("by_s", float("inf")))
    expected = what + (f" by {limit:g} s" if "by_s" in body else "")
    if not found:
        return False, expected, "never"
    when = _t(found[0], seen)
    said = str(found[0].payload.get(answer, "")) + " " if answer else ""
    return when <= limit, expected, f"{said}at {when:g} s"


def _acknowledged(body: Mapping[str, Any], seen: Observed) -> Verdict:
    by = str(body["by"])
    acks = [r for r in _records_between(body, seen, "alert.acknowledged") if r.payload["by"] == by]
    return _by_deadline(body, seen, f"{by} acknowledges {_named(body)}", acks)


def _escalated(body: Mapping[str, Any], seen: Observed) -> Verdict:
    to = str(body.get("to", "parties"))
    found = [r for r in _records_between(body, seen, "alert.escalated") if r.payload["to"] == to]
    return _by_deadline(body, seen, f"{_named(body)} escalated to {to}", found)


def _about(seen: Observed, kind: str, label: str) -> list[Record]:
    """The records of ``kind`` about the message the scenario labelled ``label``."""
    message_id = seen.messages.get(label)
    return [r for r in seen.records if r.kind == kind and r.payload["message_id"] == message_id]


def _answered(body: Mapping[str, Any], seen: Observed) -> Verdict:
    label = str(body["message"])
    found = [r for r in _about(seen, "message.answered", label) if not r.payload.get("standby")]
    return _by_deadline(body, seen, f"message {label} answered", found, answer="answer")


def _message_escalated(body: Mapping[str, Any], seen: Observed) -> Verdict:
    label, to = str(body["message"]), str(body.get("to", "parties"))
    found = [r for r in _about(seen, "message.escalated", label) if r.payload["escalated_to"] == to]
    return _by_deadline(body, seen, f"message {label} escalated to {to}", found)


def _line_degraded(body: Mapping[str, Any], seen: Observed) -> Verdict:
    party = str(body["party"])
    found = [r for r in seen.records if r.kind == "line.degraded" and r.payload["party"] == party]
    return _by_deadline(body, seen, f"{party}'s line degraded", found)


_JUDGES = {
    "alert": _alert,
    "no_alert": _no_alert,
    "suppressed": _suppressed,
    "resolved": _resolved,
    "separation": _separation,
    "acknowledged": _acknowledged,
    "escalated": _escalated,
    "answered": _answered,
    "message_escalated": _message_escalated,
    "line_degraded": _line_degraded,
}
