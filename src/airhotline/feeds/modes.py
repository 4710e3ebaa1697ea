"""Mode S frames: which ones carry a state, their parity, and their fields decoded by a
chosen library.

Only four kinds of extended squitter (DF17, and DF18 with an ICAO address) matter to a
state report, told apart by the type code in the first five bits of the message field:
identification (TC 1–4), airborne position with barometric altitude (TC 9–18), airborne
velocity (TC 19) and airborne position with GNSS height (TC 20–22). `wanted` reads the
downlink format and type code from the first bytes, so that the three quarters of a
busy feed that are something else (all-call and surveillance replies, Comm-B, surface
positions, status) cost a comparison, not a decode.

DF4/20 altitude replies are not used: every airborne position already carries its
altitude, and those replies' parity is overlaid with the address, so they cannot be
checked without trusting a guess of whose they are.

The fields of a wanted frame are decoded by a library, chosen by name (``rs1090``, the
default, or ``pymodes``) and never by what happens to be installed. Both give the same
numbers (tests/feeds check each against pyModeS's own reference decoding); the
benchmark says why rs1090 is the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

__all__ = [
    "DECODERS",
    "FIRST_BYTES",
    "TYPE_BYTES",
    "Decoder",
    "Fields",
    "Identity",
    "Position",
    "Velocity",
    "crc_ok",
    "decoder",
    "wanted",
]

IDENTITY_TC = frozenset(range(1, 5))
POSITION_TC = frozenset((*range(9, 19), *range(20, 23)))
VELOCITY_TC = 19
_WANTED_TC = IDENTITY_TC | POSITION_TC | {VELOCITY_TC}
#: The first byte of a wanted frame: DF17 with any capability, or DF18 with control field
#: 0; and its fifth, the type code's. As sets of byte values, so that the filter is two
#: membership tests on the bytes as they are (the Beast assembler inlines them).
FIRST_BYTES = frozenset((*range(17 << 3, 18 << 3), 18 << 3))
TYPE_BYTES = frozenset(byte for byte in range(256) if byte >> 3 in _WANTED_TC)

_POLY = 0xFFF409  # the Mode S parity generator, x^24 + … + 1 without its top bit


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ _POLY) if crc & 0x800000 else crc << 1
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc_ok(frame: bytes) -> bool:
    """Whether a 14-byte extended squitter's last 24 bits are the parity of the rest."""
    crc = 0
    table = _CRC_TABLE
    for byte in frame[:11]:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
    return crc == int.from_bytes(frame[11:14], "big")


def wanted(frame: bytes) -> bool:
    """Whether a frame is an extended squitter of a kind a state report needs (DF17, or
    DF18 with control field 0: an ICAO address), judged on its header alone."""
    return len(frame) == 14 and frame[0] in FIRST_BYTES and frame[4] in TYPE_BYTES


class Position(NamedTuple):
    odd: bool
    lat_cpr: int
    lon_cpr: int
    #: Barometric altitude (TC 9–18) or GNSS height (TC 20–22); None when not sent.
    alt_ft: float | None


class Velocity(NamedTuple):
    gs_kt: float
    track_deg: float
    vrate_fpm: float


class Identity(NamedTuple):
    callsign: str


Fields = Position | Velocity | Identity
#: Fields of each frame, or None for a frame the library cannot turn into one of them
#: (a velocity given as airspeed and heading, a vertical rate not available).
Decoder = Callable[[Sequence[bytes]], list[Fields | None]]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _velocity(gs: Any, track: Any, vrate: Any) -> Velocity | None:
    gs_kt, track_deg, vrate_fpm = _number(gs), _number(track), _number(vrate)
    if gs_kt is None or track_deg is None or vrate_fpm is None:
        return None
    return Velocity(gs_kt, track_deg % 360.0, vrate_fpm)


def _callsign(value: Any) -> Identity | None:
    return Identity(value) if isinstance(value, str) else None


def _rs1090(frames: Sequence[bytes]) -> list[Fields | None]:
    """rs1090 decodes a whole list in one call into Rust (and one unpickling back)."""
    import rs1090

    decoded = rs1090.decode([frame.hex() for frame in frames], batch=max(len(frames), 1))
    out: list[Fields | None] = []
    for message in decoded:
        bds = message.get("bds")
        fields: Fields | None = None
        if bds == "05":
            parity = message.get("parity")
            lat, lon = message.get("lat_cpr"), message.get("lon_cpr")
            if parity in ("even", "odd") and isinstance(lat, int) and isinstance(lon, int):
                fields = Position(parity == "odd", lat, lon, _number(message.get("altitude")))
        elif bds == "09":
            fields = _velocity(
                message.get("groundspeed"), message.get("track"), message.get("vertical_rate")
            )
        elif bds == "08":
            fields = _callsign(message.get("callsign"))
        out.append(fields)
    return out


def _pymodes(frames: Sequence[bytes]) -> list[Fields | None]:
    """pyModeS decodes one message a call, statelessly (its streaming decoder, which pairs
    CPR halves itself, is measured beside this in the benchmark)."""
    from pyModeS import decode

    out: list[Fields | None] = []
    for frame in frames:
        message = decode(frame.hex())
        bds = message.get("bds")
        fields: Fields | None = None
        if bds == "0,5":
            parity = message.get("cpr_format")
            lat, lon = message.get("cpr_lat"), message.get("cpr_lon")
            if parity in (0, 1) and isinstance(lat, int) and isinstance(lon, int):
                fields = Position(parity == 1, lat, lon, _number(message.get("altitude")))
        elif bds == "0,9":
            fields = _velocity(
                message.get("groundspeed"), message.get("track"), message.get("vertical_rate")
            )
        elif bds == "0,8":
            fields = _callsign(message.get("callsign"))
        out.append(fields)
    return out


DECODERS: dict[str, Decoder] = {"rs1090": _rs1090, "pymodes": _pymodes}


def decoder(name: str) -> Decoder:
    """The field decoder called ``name``; `ValueError` naming the choices otherwise."""
    try:
        return DECODERS[name]
    except KeyError:
        raise ValueError(f"unknown Mode S decoder {name!r}: one of {sorted(DECODERS)}") from None
