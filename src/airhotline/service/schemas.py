"""Request and response bodies of the public API, in aviation units named in each field.

Input is strict: a number is a JSON number (never a boolean or a numeric string), text is
a JSON string, and every identifier passes `airhotline.core.identifiers`. A report's
``time`` is either a JSON number of UTC seconds since the epoch or an RFC 3339 date-time
string, ``2023-11-14T22:13:20Z``: date, ``T``, time to the second with an optional
fraction (kept to the microsecond), then ``Z`` or a ``+HH:MM``/``-HH:MM`` offset. A time
without zone (UTC or local?), a bare date and a number in a string are refused: each is
a unit mistake waiting to happen.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictFloat,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from airhotline.bounds import ALT_FT_RANGE, LAT_RANGE, LON_RANGE
from airhotline.core.identifiers import identifier_problem
from airhotline.i18n import LANGUAGES

__all__ = [
    "AgreementIn",
    "AgreementOut",
    "AlertEventOut",
    "AlertNoticeOut",
    "AlertOut",
    "EventOut",
    "IngestOut",
    "LineCheckIn",
    "LineOut",
    "MeOut",
    "MessageIn",
    "MessageOut",
    "NewPartyOut",
    "OriginalOut",
    "PartyIn",
    "PartyOut",
    "PictureOut",
    "PictureTrackOut",
    "StateReportIn",
    "TokenIn",
    "TokenOut",
    "time_us_of",
]

_LATEST_S = 4_102_444_800.0  # 2100-01-01: beyond it a "time" is a unit mistake
#: RFC 3339 ``date-time``, ASCII digits only (``\d`` would take any script's digits).
_DATE_TIME = re.compile(
    r"""
    [0-9]{4}-[0-9]{2}-[0-9]{2}              # date
    T[0-9]{2}:[0-9]{2}:[0-9]{2}             # time, to the second
    (\.[0-9]{1,9})?                         # a fraction, down to nanoseconds
    (Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])   # the zone: UTC or an offset
    """,
    re.VERBOSE,
)
_TIME_FORM = (
    "a JSON number of UTC seconds or an ISO 8601 date-time with zone (2023-11-14T22:13:20Z)"
)


def _identifier(text: str) -> str:
    problem = identifier_problem(text)
    if problem is not None:
        raise PydanticCustomError("identifier", "{problem}", {"problem": problem})
    return text


def _report_time(value: object) -> float | int | datetime:
    """A report's time as sent: seconds (int or float) or an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("report_time", f"must be {_TIME_FORM}")
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("report_time", "must be a finite number")
    if not isinstance(value, str):
        return value
    if not _DATE_TIME.fullmatch(value):
        raise PydanticCustomError("report_time", f"must be {_TIME_FORM}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:  # the form is right, a value is not: month 13, hour 24
        raise PydanticCustomError("report_time", f"not a date-time: {error}") from None


Identifier = Annotated[str, AfterValidator(_identifier)]
ReportTime = Annotated[
    float | int | datetime,
    PlainValidator(_report_time),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "format": "date-time"}],
            "description": f"UTC: {_TIME_FORM}",
        }
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class StateReportIn(_In):
    """One state of one of the caller's own tracks."""

    track_id: Annotated[Identifier, Field(min_length=1, max_length=64)]
    time: ReportTime
    lat: Annotated[StrictFloat, Field(ge=LAT_RANGE[0], le=LAT_RANGE[1])]
    lon: Annotated[StrictFloat, Field(ge=LON_RANGE[0], le=LON_RANGE[1])]
    alt_ft: Annotated[StrictFloat, Field(ge=ALT_FT_RANGE[0], le=ALT_FT_RANGE[1])]
    gs_kt: Annotated[StrictFloat, Field(ge=0.0, le=4_000.0)]
    # 360 is north as operators write it, and a feed rounding 359.97 sends it too.
    track_deg: Annotated[StrictFloat, Field(ge=0.0, le=360.0)]
    vrate_fpm: Annotated[StrictFloat, Field(ge=-60_000.0, le=60_000.0)]
    callsign: Annotated[Identifier | None, Field(max_length=16)] = None
    # pydantic matches patterns with Rust's regex, whose ``$`` is the end of the text
    # (Python's would also match before a final newline).
    icao24: Annotated[str | None, Field(pattern=r"^[0-9a-fA-F]{6}$")] = None
    aircraft_type: Annotated[Identifier | None, Field(max_length=8)] = None
    party: Annotated[
        Identifier | None, Field(description="If given, must be the caller's own party")
    ] = None


def time_us_of(value: float | int | datetime) -> int | None:
    """UTC microseconds of a `StateReportIn.time`, or None when the value is out of any
    sensible range."""
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "a report's date-time always has its zone"
        seconds = value.timestamp()
    elif isinstance(value, int) and not 0 <= value <= _LATEST_S:
        return None  # also an integer too large for a float
    else:
        seconds = float(value)
    if not 0.0 <= seconds <= _LATEST_S:
        return None
    return round(seconds * 1_000_000)


class IngestOut(BaseModel):
    accepted: int
    seq: int = Field(description="Journal sequence number of the batch")
    hash: str = Field(description="Journal hash of the batch's record")


class PictureTrackOut(BaseModel):
    party: str
    track_id: str
    last_report: str = Field(
        description="Last report, ISO 8601 UTC (the position is flown on to the picture time)"
    )
    lat: float
    lon: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    vrate_fpm: float
    status: Literal["live", "coasting"]
    callsign: str | None = None
    icao24: str | None = None
    aircraft_type: str | None = None


class AgreementOut(BaseModel):
    parties: list[str]
    mode: Literal["conflicts-only", "full"]
    status: Literal["active", "suspended"]
    h_sep_nm: float | None = Field(
        default=None, description="The pair's own minimum (None: default)"
    )
    v_sep_ft: float | None = None
    lookahead_s: float | None = None


class PictureOut(BaseModel):
    time: str
    party: str
    tracks: list[PictureTrackOut]
    agreements: list[AgreementOut]


class PictureColumnsOut(BaseModel):
    """The picture as columns: row ``i`` of every list is one track."""

    time: str
    party: str = Field(description="The caller's party")
    owner: list[str] = Field(description="Each track's party")
    track_id: list[str]
    age_s: list[float] = Field(description="Seconds since the track's last report")
    lat: list[float]
    lon: list[float]
    alt_ft: list[float]
    gs_kt: list[float]
    track_deg: list[float]
    vrate_fpm: list[float]
    coasting: list[bool]
    callsign: list[str | None]


class EventOut(BaseModel):
    seq: int
    time: str
    kind: str
    payload: dict[str, Any]


def _language(text: str) -> str:
    if text not in LANGUAGES:
        raise PydanticCustomError("language", f"must be one of {', '.join(LANGUAGES)}")
    return text


class PartyIn(_In):
    name: Annotated[Identifier, Field(min_length=1, max_length=64)]
    #: One the message catalogue speaks (`airhotline.i18n.LANGUAGES`).
    lang: Annotated[StrictStr, AfterValidator(_language)]


class LineOut(BaseModel):
    state: Literal["unchecked", "checked", "degraded"] = Field(
        description="checked: the last line check due was answered; degraded: one went"
        " unanswered past its time"
    )
    since: str | None


class PartyOut(BaseModel):
    name: str
    lang: str
    line: LineOut | None = None


MessageIdText = Annotated[
    StrictStr, Field(min_length=1, max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")
]


class MessageIn(_In):
    """A message (``type``, ``form``, ``params``) or a response (``response`` and
    ``in_reply_to``); ``to`` one party, or omitted: every party with an active agreement
    (for an answer: the sender of the message answered)."""

    to: Annotated[Identifier | None, Field(max_length=64)] = None
    type: Annotated[StrictStr | None, Field(max_length=64)] = None
    form: Annotated[StrictStr | None, Field(max_length=64)] = None
    params: dict[str, Any] = Field(default_factory=dict, max_length=16)
    lang: Annotated[StrictStr | None, Field(max_length=35, description="Free text's language")] = (
        None
    )
    in_reply_to: MessageIdText | None = None
    response: Annotated[StrictStr | None, Field(max_length=16)] = None


class OriginalOut(BaseModel):
    lang: str
    text: str


class MessageOut(BaseModel):
    message_id: str
    type: str = Field(description="A catalogue type, or 'response' (its form is the word)")
    form: str
    params: dict[str, Any]
    sender: str | None = Field(alias="from", description="None: the hotline itself")
    to: str | None
    lang: str = Field(description="The language the sender wrote in")
    text: str = Field(description="In the reader's language (text_lang)")
    text_lang: str
    original: OriginalOut
    attribute: str = Field(description="CPDLC response attribute: W/U, A/N, R, Y or N")
    wants_answer: bool
    open: bool
    in_reply_to: str | None
    alert_id: str | None
    sent: str
    delivered: str | None
    read: str | None
    answered: str | None
    answer: str | None = Field(description="The response word or answering type")
    answer_id: str | None
    standby: str | None = Field(description="When STANDBY was answered, if it was")
    escalation: int = Field(description="0 none, 1 both ends told, 2 the admin told")

    model_config = ConfigDict(populate_by_name=True)


class MessageParamOut(BaseModel):
    name: str
    kind: str = Field(description="track, level, heading, distance, speed, text, choice, ...")
    choices: dict[str, str] = Field(
        default_factory=dict, description="Each value, and its wording in the reader's language"
    )


class MessageFormOut(BaseModel):
    form: str
    template: str | None = Field(description="Its wording in the reader's language")
    params: list[MessageParamOut]


class MessageTypeOut(BaseModel):
    type: str
    attribute: str
    summary: str
    about_reader: bool = Field(description="Its track is one of the reader's")
    responses: dict[str, str] = Field(description="Each response word in the reader's language")
    forms: list[MessageFormOut]


class LineCheckIn(_In):
    party: Annotated[Identifier | None, Field(max_length=64)] = None


class TokenOut(BaseModel):
    id: int
    role: str
    token: str = Field(description="Shown once; only its hash is kept")


class NewPartyOut(BaseModel):
    party: PartyOut
    tokens: list[TokenOut]


class TokenIn(_In):
    party: Annotated[Identifier | None, Field(max_length=64)] = None
    role: Literal["feed", "operator", "admin"]


class AgreementIn(_In):
    parties: Annotated[
        list[Annotated[Identifier, Field(max_length=64)]], Field(min_length=2, max_length=2)
    ]
    mode: Literal["conflicts-only", "full"] = "conflicts-only"
    status: Literal["active", "suspended"] = "active"
    #: The pair's own minima and look-ahead (omitted: the deployment's).
    h_sep_nm: StrictFloat | int | None = None
    v_sep_ft: StrictFloat | int | None = None
    lookahead_s: StrictFloat | int | None = None


class AlertTrackOut(BaseModel):
    party: str | None
    track_id: str
    coasting: bool = Field(False, description="Position flown on from an old report")


class AlertNoticeOut(BaseModel):
    party: str | None
    notice_id: str
    kind: str | None = Field(description="The notice's kind (live-firing, drill, ...)")


class AcknowledgementOut(BaseModel):
    party: str
    time_us: int


class AlertEventOut(BaseModel):
    event: int = Field(
        description="The record's id on the caller's event stream (the admin's: its seq)"
    )
    time: str
    kind: str
    tier: str


class AlertOut(BaseModel):
    alert_id: str
    kind: Literal["conflict", "notice-incursion"] = Field(
        description="conflict: two tracks of different parties; notice-incursion: a track"
        " inside, or about to enter, another party's notice"
    )
    tier: Literal["advisory", "caution", "warning"]
    state: Literal["active", "resolved"]
    tracks: list[AlertTrackOut] = Field(
        description="A conflict's two tracks; an incursion's one track"
    )
    notice: AlertNoticeOut | None = Field(
        None, description="An incursion's notice (its time to entry is t_in_s)"
    )
    raised: str
    updated: str
    resolved: str | None
    resolution: str | None = Field(description="clear or track-lost, once resolved")
    t_in_s: float
    t_out_s: float
    t_cpa_s: float
    dcpa_nm: float
    dz_cpa_ft: float
    los: bool
    acknowledgements: list[AcknowledgementOut]
    escalation: int = Field(description="0 none, 1 both parties told, 2 the admin told")
    min_h_sep_nm: float | None = Field(description="Smallest horizontal separation reached")
    min_v_sep_ft: float | None = Field(description="Smallest vertical separation reached")
    history: list[AlertEventOut] | None = None


class MeOut(BaseModel):
    role: str
    party: str | None
    token_id: int
    lang: str = Field(description="The party's language (the admin's: en)")
    last_event_id: int = Field(
        description="The newest event id of the caller's stream: a console that has just"
        " read the current state streams from here (GET /v1/events?after=...)"
    )
