"""Request and response bodies of the public API, in aviation units named in each field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from airhotline.core.reports import ALT_FT_RANGE, LAT_RANGE, LON_RANGE

__all__ = [
    "AgreementIn",
    "AgreementOut",
    "AlertEventOut",
    "AlertOut",
    "EventOut",
    "IngestOut",
    "MeOut",
    "NewPartyOut",
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


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class StateReportIn(_In):
    """One state of one of the caller's own tracks."""

    track_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
    time: Annotated[
        StrictFloat | StrictInt | datetime,
        Field(description="UTC: ISO 8601 (a time without zone is UTC) or seconds since epoch"),
    ]
    lat: Annotated[float, Field(ge=LAT_RANGE[0], le=LAT_RANGE[1])]
    lon: Annotated[float, Field(ge=LON_RANGE[0], le=LON_RANGE[1])]
    alt_ft: Annotated[float, Field(ge=ALT_FT_RANGE[0], le=ALT_FT_RANGE[1])]
    gs_kt: Annotated[float, Field(ge=0.0, le=4_000.0)]
    track_deg: Annotated[float, Field(ge=0.0, lt=360.0)]
    vrate_fpm: Annotated[float, Field(ge=-60_000.0, le=60_000.0)]
    callsign: Annotated[str | None, Field(max_length=16)] = None
    icao24: Annotated[str | None, Field(pattern=r"^[0-9a-fA-F]{6}$")] = None
    aircraft_type: Annotated[str | None, Field(max_length=8)] = None
    party: Annotated[str | None, Field(description="If given, must be the caller's own party")] = (
        None
    )


def time_us_of(value: float | int | datetime) -> int | None:
    """UTC microseconds, or None when the value is out of any sensible range."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        seconds = moment.timestamp()
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


class PictureOut(BaseModel):
    time: str
    party: str
    tracks: list[PictureTrackOut]
    agreements: list[AgreementOut]


class EventOut(BaseModel):
    seq: int
    time: str
    kind: str
    payload: dict[str, Any]


class PartyIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    lang: Literal["en", "ru", "ar"]


class PartyOut(BaseModel):
    name: str
    lang: str


class TokenOut(BaseModel):
    id: int
    role: str
    token: str = Field(description="Shown once; only its hash is kept")


class NewPartyOut(BaseModel):
    party: PartyOut
    tokens: list[TokenOut]


class TokenIn(_In):
    party: Annotated[str | None, Field(max_length=64)] = None
    role: Literal["feed", "operator", "admin"]


class AgreementIn(_In):
    parties: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=2, max_length=2)
    ]
    mode: Literal["conflicts-only", "full"] = "conflicts-only"
    status: Literal["active", "suspended"] = "active"


class AlertTrackOut(BaseModel):
    party: str | None
    track_id: str
    coasting: bool = Field(False, description="Position flown on from an old report")


class AcknowledgementOut(BaseModel):
    party: str
    token_id: int
    time_us: int


class AlertEventOut(BaseModel):
    seq: int
    time: str
    kind: str
    tier: str


class AlertOut(BaseModel):
    alert_id: str
    kind: Literal["conflict"]
    tier: Literal["advisory", "caution", "warning"]
    state: Literal["active", "resolved"]
    tracks: list[AlertTrackOut]
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
