"""A drill scenario: read from YAML, checked against its JSON Schema (`schema.json`) and
for what a schema cannot say (names that must refer to something), every error naming
the file's line and the field.

The YAML is composed into nodes first, so that each value keeps where it was written;
the plain data is then checked, and an error's path leads back to its node's line.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from airhotline.core.messages.catalogue import NOTICE_KINDS
from airhotline.core.messages.params import form_of
from airhotline.core.notices.area import parse_area
from airhotline.core.notices.band import parse_band
from airhotline.core.notices.zones import parse_zone
from airhotline.errors import InputError

__all__ = ["SCENARIOS", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]

#: The shipped scenarios' folder (each YAML with a Markdown file of the same name).
SCENARIOS = Path(str(resources.files("airhotline.drill") / "scenarios"))

Path_ = tuple[str | int, ...]


class ScenarioError(InputError):
    """A scenario file that cannot be run: where (line) and what (field), and why."""

    def __init__(self, source: str, line: int | None, field: str, reason: str) -> None:
        self.source, self.line = source, line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(field, reason)
        self.message = f"{where}: {field}: {reason}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    start_us: int
    duration_s: int
    #: The checked document, defaults filled in, as the runner reads it.
    spec: Mapping[str, Any]
    source: str

    @property
    def checks(self) -> list[str]:
        return [str(e["check"]) for e in self.spec["expect"]]


@functools.cache
def _schema() -> dict[str, Any]:
    text = (resources.files("airhotline.drill") / "schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_scenario(path: str | Path) -> Scenario:
    """The scenario at ``path``; `ScenarioError` naming line and field otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(str(path), None, "file", error.strerror or str(error)) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), None, "file", "not UTF-8 text") from None
    return parse_scenario(text, str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = str(getattr(error, "problem", None) or error)
        context, started = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and started is not None and started.line + 1 != line:
            reason += f" ({context} on line {started.line + 1})"
        raise ScenarioError(source, line, "yaml", reason) from None
    if root is None:
        raise ScenarioError(source, None, "file", "empty")
    try:
        data, marks = _plain(root)
    except _DuplicateKeyError as twice:
        raise ScenarioError(source, twice.line, _field(twice.path), "given twice") from None
    validator = jsonschema.Draft202012Validator(
        _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: _line(marks, tuple(e.path)) or 0)
    if errors:
        first = errors[0]
        where: Path_ = tuple(first.path)
        reason = _reason(first)
        if first.validator == "additionalProperties" and isinstance(first.instance, dict):
            # Name the unknown field itself, on its own line.
            allowed = first.schema.get("properties", {})
            extra = sorted(k for k in first.instance if k not in allowed)
            if extra:
                where, reason = (*where, extra[0]), "unknown field"
        raise ScenarioError(source, _line(marks, where), _field(where), reason)
    _check_numbers(data, marks, source)
    _check_names(data, marks, source)
    _check_meaning(data, marks, source)
    try:
        start = datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00"))
    except ValueError:
        line = _line(marks, ("start",))
        raise ScenarioError(
            source, line, "start", "not a date-time (2026-06-01T09:00:00Z)"
        ) from None
    if start.tzinfo is None:
        raise ScenarioError(source, _line(marks, ("start",)), "start", "needs a UTC offset (Z)")
    return Scenario(
        name=str(data["name"]),
        title=str(data.get("title", data["name"])),
        start_us=round(start.timestamp() * 1_000_000),
        duration_s=int(data["duration_s"]),
        spec=data,
        source=source,
    )


def _plain(node: yaml.Node, path: Path_ = ()) -> tuple[Any, dict[Path_, int]]:
    """The node as plain data, and the line (1-based) of every path in it."""
    marks: dict[Path_, int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                # YAML would keep the last silently: a scenario says each thing once.
                raise _DuplicateKeyError((*path, key), key_node.start_mark.line + 1)
            value, inner = _plain(value_node, (*path, key))
            marks.update(inner)
            marks[(*path, key)] = key_node.start_mark.line + 1
            out[key] = value
        return out, marks
    if isinstance(node, yaml.SequenceNode):
        items = []
        for k, item_node in enumerate(node.value):
            value, inner = _plain(item_node, (*path, k))
            marks.update(inner)
            items.append(value)
        return items, marks
    value = yaml.SafeLoader(" ").construct_object(node)
    if isinstance(value, datetime):  # an unquoted timestamp: the schema wants text
        value = value.isoformat() + ("Z" if value.tzinfo is None else "")
    return value, marks


class _DuplicateKeyError(Exception):
    def __init__(self, path: Path_, line: int) -> None:
        self.path, self.line = path, line


def _line(marks: Mapping[Path_, int], path: Path_) -> int | None:
    while path not in marks and path:
        path = path[:-1]
    return marks.get(path)


def _field(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "scenario"


def _reason(error: jsonschema.ValidationError) -> str:
    if error.validator in ("minProperties", "maxProperties") and error.path:
        return "one action (or check) per entry, besides at_s (or check)"
    return str(error.message)


def _check_names(data: Mapping[str, Any], marks: Mapping[Path_, int], source: str) -> None:
    """What refers to a party, a track, a notice or a message must find it."""

    def fail(path: Path_, reason: str) -> None:
        raise ScenarioError(source, _line(marks, path), _field(path), reason)

    parties = [p["name"] for p in data["parties"]]
    if len(set(parties)) != len(parties):
        fail(("parties",), "party names must be distinct")

    def party(path: Path_, name: object) -> None:
        if name not in parties:
            fail(path, f"no party named {name!r}")

    for k, a in enumerate(data.get("agreements", [])):
        for j, name in enumerate(a["parties"]):
            party(("agreements", k, "parties", j), name)
    tracks: dict[str, str] = {}
    for k, a in enumerate(data["aircraft"]):
        party(("aircraft", k, "party"), a["party"])
        if a["track"] in tracks:
            fail(("aircraft", k, "track"), f"track {a['track']!r} appears twice")
        tracks[a["track"]] = a["party"]
    labels = {}
    for k, n in enumerate(data.get("notices", [])):
        party(("notices", k, "party"), n["party"])
        for j, name in enumerate(n.get("to", [])):
            party(("notices", k, "to", j), name)
        if "label" in n:
            labels[n["label"]] = n["party"]
        if n["window"]["end_s"] <= n["window"]["start_s"]:
            fail(("notices", k, "window", "end_s"), "must be after start_s")
    for k, x in enumerate(data.get("exemptions", [])):
        for key, other in (("party", "track"), ("other_party", "other_track")):
            party(("exemptions", k, key), x[key])
            if tracks.get(x[other]) != x[key]:
                fail(("exemptions", k, other), f"no track {x[other]!r} of {x[key]}")
    said = set()
    for k, m in enumerate(data.get("messages", [])):
        party(("messages", k, "from"), m["from"])
        if "to" in m:
            party(("messages", k, "to"), m["to"])
        if "reply_to" in m and m["reply_to"] not in said:
            fail(("messages", k, "reply_to"), f"no earlier message labelled {m['reply_to']!r}")
        if "label" in m:
            said.add(m["label"])
        if ("type" in m) == ("response" in m):
            fail(("messages", k), "a message has a type (and form) or a response, not both")
    checks = [e["check"] for e in data["expect"]]
    if len(set(checks)) != len(checks):
        fail(("expect",), "check names must be distinct")
    for k, e in enumerate(data["expect"]):
        (kind,) = [key for key in e if key != "check"]
        body = e[kind]
        for j, name in enumerate(body.get("between", [])):
            # The second of a pair may be a notice: the check is then about an incursion
            # (a cleared proximity holds back only two tracks' encounter).
            notice = j == 1 and name in labels and kind != "suppressed"
            if name not in tracks and not notice:
                what = "track or notice label" if j == 1 and kind != "suppressed" else "track"
                fail((*("expect", k, kind, "between"), j), f"no {what} {name!r}")
        if "by" in body:
            party(("expect", k, kind, "by"), body["by"])
        if "party" in body:
            party(("expect", k, kind, "party"), body["party"])
        if "message" in body and body["message"] not in said:
            fail(("expect", k, kind, "message"), f"no message labelled {body['message']!r}")


#: The largest time a scenario may name (s): thirty days.
_MOST_S = 30 * 86_400.0


def _check_numbers(data: Any, marks: Mapping[Path_, int], source: str, path: Path_ = ()) -> None:
    """Every number finite and of a sane size (NaN and infinities are YAML's, not ours)."""
    if isinstance(data, dict):
        for key, value in data.items():
            _check_numbers(value, marks, source, (*path, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            _check_numbers(value, marks, source, (*path, k))
    elif isinstance(data, float) and not (math.isfinite(data) and abs(data) <= 1e9):
        raise ScenarioError(source, _line(marks, path), _field(path), "a finite number")


def _check_meaning(data: Mapping[str, Any], marks: Mapping[Path_, int], source: str) -> None:
    """What only the hotline's own parsers can tell — areas, bands, zones, levels,
    message forms — and times that could never happen, refused before anything runs."""

    def fail(path: Path_, reason: str) -> None:
        raise ScenarioError(source, _line(marks, path), _field(path), reason)

    def within(path: Path_, error: InputError) -> None:
        """An `InputError` of a hotline parser, on the scenario's line."""
        where = (*path, *[p for p in error.field.split(".") if p])
        fail(where if _line(marks, where) else path, error.reason)

    duration = float(data["duration_s"])

    def due(path: Path_, at: float) -> None:
        if at > duration:
            fail(path, f"after the drill's end ({duration:g} s)")

    def ordered(path: Path_, pair: Sequence[float]) -> None:
        if pair[0] > pair[1]:
            fail(path, "the first bound above the second")

    seen_pairs: set[frozenset[str]] = set()
    for k, a in enumerate(data.get("agreements", [])):
        pair = frozenset(a["parties"])
        if len(pair) == 1:
            fail(("agreements", k, "parties"), "an agreement is between two parties")
        if pair in seen_pairs:
            fail(("agreements", k, "parties"), "a second agreement for the same parties")
        seen_pairs.add(pair)
    names = [p["name"] for p in data["parties"]]
    for k, zone in enumerate(data.get("zones", [])):
        try:
            parse_zone(f"z{k}", zone, names)
        except InputError as error:
            within(("zones", k), error)
    for k, n in enumerate(data.get("notices", [])):
        path: Path_ = ("notices", k)
        if n["kind"] not in NOTICE_KINDS:
            fail((*path, "kind"), f"one of {', '.join(NOTICE_KINDS)}")
        try:
            parse_area(n["area"])
        except InputError as error:
            within(path, error)
        try:
            parse_band(n.get("lower", "SFC"), n.get("upper", "UNL"))
        except InputError as error:
            within(path, error)
        at = float(n.get("at_s", 0))
        due((*path, "at_s"), at)
        if n["window"]["end_s"] <= at:
            fail((*path, "window", "end_s"), "the notice would end before it is published")
        if abs(n["window"]["end_s"]) > _MOST_S or abs(n["window"]["start_s"]) > _MOST_S:
            fail((*path, "window"), "within thirty days of the drill's start")
    for k, a in enumerate(data["aircraft"]):
        if a.get("until_s", math.inf) < a.get("from_s", 0):
            fail(("aircraft", k, "until_s"), "before from_s: the aircraft would never fly")
        for j, m in enumerate(a.get("manoeuvres", [])):
            due(("aircraft", k, "manoeuvres", j, "at_s"), float(m["at_s"]))
            if "level" in m:
                try:
                    parse_band(m["level"]["to"], "UNL")
                except InputError as error:
                    fail(("aircraft", k, "manoeuvres", j, "level", "to"), error.reason)
    sent_at: dict[str, float] = {}
    for k, m in enumerate(data.get("messages", [])):
        path = ("messages", k)
        due((*path, "at_s"), float(m["at_s"]))
        if "type" in m:
            try:
                form_of(m["type"], m.get("form"))
            except InputError as error:
                fail((*path, error.field), error.reason)
        if "reply_to" in m and sent_at[m["reply_to"]] > float(m["at_s"]):
            fail((*path, "at_s"), f"before the message it answers ({m['reply_to']})")
        if "label" in m:
            sent_at[m["label"]] = float(m["at_s"])
    for k, t in enumerate(data.get("line_checks", [])):
        due(("line_checks", k), float(t))
    for k, x in enumerate(data.get("exemptions", [])):
        path = ("exemptions", k)
        due((*path, "at_s"), float(x.get("at_s", 0)))
        if "accept_at_s" in x and x["accept_at_s"] < x.get("at_s", 0):
            fail((*path, "accept_at_s"), "before the proposal (at_s)")
        if x["window"]["end_s"] <= x["window"]["start_s"]:
            fail((*path, "window", "end_s"), "must be after start_s")
        if abs(x["window"]["end_s"]) > _MOST_S:
            fail((*path, "window", "end_s"), "within thirty days of the drill's start")
    for k, e in enumerate(data["expect"]):
        (kind,) = [key for key in e if key != "check"]
        for bounds in ("within_s", "min_h_nm", "min_v_ft"):
            if bounds in e[kind]:
                ordered(("expect", k, kind, bounds), e[kind][bounds])
        if "after_s" in e[kind]:
            due(("expect", k, kind, "after_s"), float(e[kind]["after_s"]))
