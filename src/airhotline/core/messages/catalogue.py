"""The hotline's message types, modelled on the CPDLC message set (ICAO Doc 4444, 14.3).

A message is a type, a *form* of it (``intentions`` is climbing, turning, holding, ...)
and typed parameters: numbers stay data, so that each reader gets them rendered in its
own language and nobody re-types a level. Each type has a response attribute as in
CPDLC: which responses close it. STANDBY is always allowed and keeps a message open.

The English templates here are the gettext message ids of the translations
(``airhotline.i18n``): ``tools/i18n.py extract`` writes them to the ``.pot`` file, and a
test fails when the two differ. A template names its parameters in braces; the one
parameter named by ``plural`` chooses the plural form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "CATALOGUE",
    "Attribute",
    "Form",
    "MessageType",
    "Param",
    "ParamKind",
    "Response",
    "allowed",
    "closes",
    "messages_to_translate",
]


class Response(StrEnum):
    """What a reader may answer (CPDLC's response elements)."""

    WILCO = "wilco"
    UNABLE = "unable"
    AFFIRM = "affirm"
    NEGATIVE = "negative"
    ROGER = "roger"
    STANDBY = "standby"


class Attribute(StrEnum):
    """Which responses close a message: CPDLC's response attributes."""

    WILCO_UNABLE = "W/U"
    AFFIRM_NEGATIVE = "A/N"
    ROGER = "R"
    ANY = "Y"
    NONE = "N"


_CLOSING: Mapping[Attribute, frozenset[Response]] = {
    Attribute.WILCO_UNABLE: frozenset({Response.WILCO, Response.UNABLE}),
    Attribute.AFFIRM_NEGATIVE: frozenset({Response.AFFIRM, Response.NEGATIVE}),
    Attribute.ROGER: frozenset({Response.ROGER}),
    # Any response, or a message that answers it (a level report, an intention).
    Attribute.ANY: frozenset(Response) - {Response.STANDBY},
    Attribute.NONE: frozenset(),
}


def closes(attribute: Attribute, response: Response) -> bool:
    """Whether ``response`` closes a message of ``attribute`` (STANDBY never does)."""
    return response in _CLOSING[attribute]


def allowed(attribute: Attribute, response: Response) -> bool:
    """Whether ``response`` may answer a message of ``attribute`` at all."""
    if attribute is Attribute.NONE:
        return False
    return response is Response.STANDBY or closes(attribute, response)


class ParamKind(StrEnum):
    """How a parameter is checked and rendered (see `airhotline.i18n.values`)."""

    TRACK = "track"  # one of the hotline's tracks: the sender must be allowed to see it
    CALLSIGN = "callsign"  # an aircraft's name as the reader may see it
    LEVEL = "level"  # "FL350", or an altitude in feet ("5000")
    HEADING = "heading"  # degrees 1-360, rendered as three digits
    DISTANCE = "distance"  # NM
    SPEED = "speed"  # kt
    CLOCK = "clock"  # relative bearing as a clock position 1-12
    SECONDS = "seconds"  # a duration, chooses plurals
    COUNT = "count"  # people on board, chooses plurals
    TIME = "time"  # an instant, rendered in UTC, 24-hour
    POSITION = "position"  # latitude and longitude
    FREQUENCY = "frequency"  # MHz, as a radio shows it
    TEXT = "text"  # a name or an id: carried as written
    CHOICE = "choice"  # one of a fixed list, translated


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    #: For a CHOICE: the values, each translated on its own.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    """One wording of a type: its English template and the parameters it takes."""

    name: str
    template: str
    params: tuple[Param, ...]
    #: The parameter whose value chooses the plural form, and the English plural.
    plural: str | None = None
    template_plural: str | None = None
    #: A settled statement (an alert's resolution): wants no answer whatever the type's
    #: attribute says.
    final: bool = False
    #: Parameters added after messages of this form were journaled. Every wording
    #: writes each as `` ({name})`` (a test holds every translation to it), so that a
    #: journaled message without one reads whole with that parenthesis left out.
    added: tuple[str, ...] = ()

    @property
    def context(self) -> str:
        """The gettext context: templates of two types never share a translation."""
        return self.name


@dataclass(frozen=True, slots=True)
class MessageType:
    id: str
    attribute: Attribute
    summary: str
    forms: Mapping[str, Form] = field(default_factory=dict)
    #: Sent by the hotline itself, never by a party.
    system: bool = False
    #: Carried as written, in the sender's language, never translated.
    verbatim: bool = False
    #: Its ``track`` is one of the reader's (which the sender must be allowed to see);
    #: otherwise a ``track`` is one of the sender's own aircraft.
    about_reader: bool = False


def _p(name: str, kind: ParamKind, *choices: str) -> Param:
    return Param(name, kind, tuple(choices))


TRACK = _p("track", ParamKind.TRACK)
LEVEL = _p("level", ParamKind.LEVEL)
TIER = _p("tier", ParamKind.CHOICE, "advisory", "caution", "warning")
ALERT = _p("alert", ParamKind.TEXT)
OWN = _p("own", ParamKind.CALLSIGN)
OTHER = _p("other", ParamKind.CALLSIGN)
#: The party whose aircraft ``other`` is (a hotline links more than two).
OTHER_PARTY = _p("party", ParamKind.TEXT)
SECONDS = _p("seconds", ParamKind.SECONDS)
POSITION = _p("position", ParamKind.POSITION)
HEADING = _p("heading", ParamKind.HEADING)
DISTANCE = _p("distance", ParamKind.DISTANCE)
TIME = _p("time", ParamKind.TIME)
NOTICE = _p("notice", ParamKind.TEXT)
DRILL = _p("drill", ParamKind.TEXT)
NOTICE_KINDS = (
    "air-operations",
    "live-firing",
    "missile-corridor",
    "uav-operations",
    "aerial-refuelling",
    "parachuting",
    "drill",
    "other",
)


#: Forms that settle something and want no answer.
_FINAL = frozenset(
    {
        "conflict-alert/resolved",
        "conflict-alert/incursion-resolved",
        "conflict-alert/incursion-entered",
        "conflict-alert/incursion-unseen",
        "notice-published/published",
    }
)


#: Parameters forms gained after messages of them were journaled (see `Form.added`).
_ADDED = {
    "conflict-alert/raised": ("party",),
    "conflict-alert/escalated": ("party",),
    "conflict-alert/resolved": ("party",),
}


NOTICE_KIND = _p("kind", ParamKind.CHOICE, *NOTICE_KINDS)
AIRCRAFT = _p("aircraft", ParamKind.CALLSIGN)
NOTICE_PARAMS = (
    NOTICE,
    NOTICE_KIND,
    _p("lower", ParamKind.LEVEL),
    _p("upper", ParamKind.LEVEL),
    _p("start", ParamKind.TIME),
    _p("end", ParamKind.TIME),
)


def _type(
    type_id: str,
    attribute: Attribute,
    summary: str,
    *forms: tuple[str, str, tuple[Param, ...]] | tuple[str, str, tuple[Param, ...], str, str],
    system: bool = False,
    verbatim: bool = False,
    about_reader: bool = False,
) -> MessageType:
    built: dict[str, Form] = {}
    for spec in forms:
        name, template, params = spec[0], spec[1], spec[2]
        plural, template_plural = (spec[3], spec[4]) if len(spec) == 5 else (None, None)
        built[name] = Form(
            f"{type_id}/{name}",
            template,
            params,
            plural,
            template_plural,
            final=f"{type_id}/{name}" in _FINAL,
            added=_ADDED.get(f"{type_id}/{name}", ()),
        )
    return MessageType(
        type_id,
        attribute,
        summary,
        built,
        system=system,
        verbatim=verbatim,
        about_reader=about_reader,
    )


def _emergency(form: str, call: str) -> tuple[str, str, tuple[Param, ...], str, str]:
    """A distress or urgency call: the same report after its own words of alarm."""
    report = call + ": {track} at {position}, {level}, {persons} "
    persons = _p("persons", ParamKind.COUNT)
    return (
        form,
        report + "person on board.",
        (TRACK, POSITION, LEVEL, persons),
        "persons",
        report + "persons on board.",
    )


_TYPES = (
    _type(
        "conflict-alert",
        Attribute.ROGER,
        "The hotline's word on an alert, to each party involved; acknowledging the alert"
        " answers it",
        (
            "raised",
            "{tier}, alert {alert}: your {own} and {other} ({party}) will lose separation"
            " in {seconds} second.",
            (TIER, ALERT, OWN, OTHER, OTHER_PARTY, SECONDS),
            "seconds",
            "{tier}, alert {alert}: your {own} and {other} ({party}) will lose separation"
            " in {seconds} seconds.",
        ),
        (
            "escalated",
            "Alert {alert} not acknowledged for {seconds} second: your {own} and {other}"
            " ({party}).",
            (ALERT, OWN, OTHER, OTHER_PARTY, SECONDS),
            "seconds",
            "Alert {alert} not acknowledged for {seconds} seconds: your {own} and {other}"
            " ({party}).",
        ),
        (
            "resolved",
            "Alert {alert} resolved: your {own} and {other} ({party}) passed {distance} and"
            " {vertical} apart.",
            (
                ALERT,
                OWN,
                OTHER,
                OTHER_PARTY,
                DISTANCE,
                _p("vertical", ParamKind.LEVEL),
            ),
        ),
        # A notice incursion: to the track's party ("incursion"), to the notice's
        # ("intrusion"); inside already, or how soon it enters.
        (
            "incursion",
            "{tier}, alert {alert}: your {own} will enter the {kind} area of notice {notice}"
            " in {seconds} second.",
            (TIER, ALERT, OWN, NOTICE_KIND, NOTICE, SECONDS),
            "seconds",
            "{tier}, alert {alert}: your {own} will enter the {kind} area of notice {notice}"
            " in {seconds} seconds.",
        ),
        (
            "incursion-inside",
            "{tier}, alert {alert}: your {own} is inside the {kind} area of notice {notice}.",
            (TIER, ALERT, OWN, NOTICE_KIND, NOTICE),
        ),
        (
            "intrusion",
            "{tier}, alert {alert}: {other} will enter the {kind} area of your notice {notice}"
            " in {seconds} second.",
            (TIER, ALERT, OTHER, NOTICE_KIND, NOTICE, SECONDS),
            "seconds",
            "{tier}, alert {alert}: {other} will enter the {kind} area of your notice {notice}"
            " in {seconds} seconds.",
        ),
        (
            "intrusion-inside",
            "{tier}, alert {alert}: {other} is inside the {kind} area of your notice {notice}.",
            (TIER, ALERT, OTHER, NOTICE_KIND, NOTICE),
        ),
        (
            "incursion-escalated",
            "Alert {alert} not acknowledged for {seconds} second: {aircraft} and notice {notice}.",
            (ALERT, AIRCRAFT, NOTICE, SECONDS),
            "seconds",
            "Alert {alert} not acknowledged for {seconds} seconds: {aircraft} and notice {notice}.",
        ),
        (
            "incursion-resolved",
            "Alert {alert} resolved: {aircraft} stayed outside notice {notice}, at closest"
            " {distance} from its area and {vertical} from its band.",
            (ALERT, AIRCRAFT, NOTICE, DISTANCE, _p("vertical", ParamKind.LEVEL)),
        ),
        (
            "incursion-entered",
            "Alert {alert} resolved: {aircraft} was inside notice {notice}.",
            (ALERT, AIRCRAFT, NOTICE),
        ),
        # No report of the aircraft while the notice was active: nothing measured.
        (
            "incursion-unseen",
            "Alert {alert} resolved: {aircraft} was not seen inside notice {notice}.",
            (ALERT, AIRCRAFT, NOTICE),
        ),
        system=True,
    ),
    _type(
        "traffic-information",
        Attribute.ROGER,
        "Where an aircraft is relative to one of the reader's tracks",
        (
            "traffic",
            "Traffic for {track}: {other}, {clock} o'clock, {distance}, {level}, track"
            " {heading}, {speed}.",
            (
                TRACK,
                OTHER,
                _p("clock", ParamKind.CLOCK),
                DISTANCE,
                LEVEL,
                HEADING,
                _p("speed", ParamKind.SPEED),
            ),
            "clock",
            "Traffic for {track}: {other}, {clock} o'clock, {distance}, {level}, track"
            " {heading}, {speed}.",
        ),
        about_reader=True,
    ),
    _type(
        "request-intentions",
        Attribute.ANY,
        "Asks what one of the reader's tracks will do",
        ("request", "Request intentions of {track}.", (TRACK,)),
        about_reader=True,
    ),
    _type(
        "intentions",
        Attribute.NONE,
        "What one of the sender's tracks will do, in CPDLC's clearance forms",
        ("climb", "{track} climbing to {level}.", (TRACK, LEVEL)),
        ("descend", "{track} descending to {level}.", (TRACK, LEVEL)),
        (
            "turn",
            "{track} turning {direction} heading {heading}.",
            (
                TRACK,
                _p("direction", ParamKind.CHOICE, "left", "right"),
                HEADING,
            ),
        ),
        (
            "direct",
            "{track} proceeding direct to {position}.",
            (TRACK, POSITION),
        ),
        ("hold", "{track} holding at {position}.", (TRACK, POSITION)),
        ("leave-area", "{track} leaving the area.", (TRACK,)),
        ("maintain", "{track} maintaining {level}.", (TRACK, LEVEL)),
    ),
    _type(
        "request-level-report",
        Attribute.ANY,
        "Asks the level of one of the reader's tracks",
        ("request", "Report level of {track}.", (TRACK,)),
        about_reader=True,
    ),
    _type(
        "level-report",
        Attribute.NONE,
        "The level of one of the sender's tracks",
        ("report", "{track} at {level}.", (TRACK, LEVEL)),
    ),
    _type(
        "contact",
        Attribute.WILCO_UNABLE,
        "A unit and a frequency to call on",
        (
            "contact",
            "Contact {unit} on {frequency}.",
            (_p("unit", ParamKind.TEXT), _p("frequency", ParamKind.FREQUENCY)),
        ),
    ),
    _type(
        "unable-to-comply",
        Attribute.NONE,
        "The sender cannot do what was asked about one of its tracks",
        ("unable", "Unable to comply for {track}.", (TRACK,)),
    ),
    _type(
        "notice-published",
        Attribute.ROGER,
        "A dangerous-activity notice, published or amended; one published with less"
        " lead time than agreed for its kind wants an acknowledgement",
        (
            "published",
            "Notice {notice}: {kind} from {lower} to {upper}, {start} to {end}.",
            NOTICE_PARAMS,
        ),
        (
            "short",
            "Short notice {notice}: {kind} from {lower} to {upper}, {start} to {end}. Acknowledge.",
            NOTICE_PARAMS,
        ),
        system=True,
    ),
    _type(
        "notice-cancelled",
        Attribute.ROGER,
        "A notice withdrawn",
        ("cancelled", "Notice {notice} cancelled.", (NOTICE,)),
        system=True,
    ),
    _type(
        "drill-start",
        Attribute.ROGER,
        "A joint drill begins",
        (
            "start",
            "Drill {drill} starts at {time}.",
            (DRILL, TIME),
        ),
    ),
    _type(
        "drill-end",
        Attribute.ROGER,
        "A joint drill ends",
        (
            "end",
            "Drill {drill} ended at {time}.",
            (DRILL, TIME),
        ),
    ),
    _type(
        "line-check",
        Attribute.ANY,
        "The hotline asks each centre to answer, so that a dead line shows",
        ("check", "Line check at {time}: please reply.", (TIME,)),
        system=True,
    ),
    _type(
        "line-check-reply",
        Attribute.NONE,
        "A centre's answer to a line check",
        ("reply", "Line check: reading you loud and clear.", ()),
    ),
    _type(
        "emergency",
        Attribute.ROGER,
        "An aircraft in distress (MAYDAY) or urgency (PAN PAN)",
        _emergency("mayday", "MAYDAY MAYDAY MAYDAY"),
        _emergency("pan-pan", "PAN PAN, PAN PAN, PAN PAN"),
    ),
    _type(
        "free-text",
        Attribute.ROGER,
        "Words of the sender's own, carried as written and tagged with their language",
        ("text", "{text}", (_p("text", ParamKind.TEXT),)),
        verbatim=True,
    ),
)

#: Every message type by id, in the order above.
CATALOGUE: Mapping[str, MessageType] = {t.id: t for t in _TYPES}


def messages_to_translate() -> list[tuple[str, str | tuple[str, str]]]:
    """Every ``(context, msgid)`` the translations must cover: each form's template (a
    singular and plural pair where it has one), each response word, each choice."""
    found: dict[tuple[str, str | tuple[str, str]], None] = {}
    for message_type in _TYPES:
        if message_type.verbatim:
            continue
        for form in message_type.forms.values():
            if form.template_plural is None:
                found[(form.context, form.template)] = None
            else:
                found[(form.context, (form.template, form.template_plural))] = None
            for param in form.params:
                for choice in param.choices:
                    found[(f"choice/{param.name}", choice)] = None
    for response in Response:
        found[("response", response.name)] = None
    return list(found)
