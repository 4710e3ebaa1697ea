"""Mode S frames: the header filter, the parity, and both field decoders, checked on
every frame of the real flight traffic ships and on pyModeS's own test messages against
pyModeS's reference decoding."""

from __future__ import annotations

from functools import cache

import pyModeS
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.samples import flight_frames

from airhotline.feeds.modes import (
    DECODERS,
    Identity,
    Position,
    Velocity,
    crc_ok,
    decoder,
    wanted,
)

#: Messages of pyModeS's own tests (tests/test_cpr.py, test_bds08.py, test_bds09.py), and
#: the examples of "The 1090 MHz Riddle" that they come from.
PYMODES_MESSAGES = (
    "8D40058B58C901375147EFD09357",  # airborne position, even
    "8D40058B58C904A87F402D3B8C59",  # airborne position, odd
    "8D40621D58C382D690C8AC2863A7",  # airborne position, even (the book's)
    "8D40621D58C386435CC412692AD6",  # airborne position, odd (the book's)
    "8D485020994409940838175B284F",  # velocity over ground, subtype 1
    "8d3461cf9908388930080f948ea1",  # velocity, +64 fpm
    "8d3461cf9908558e100c1071eb67",  # velocity, +128 fpm
    "8d3461cf99085a8f10400f80e6ac",  # velocity, +960 fpm
    "8d394c0f990c4932780838866883",  # velocity, -64 fpm
    "8D406B902015A678D4D220AA4BDA",  # identification EZY85MH
    "8D4840D6202CC371C32CE0576098",  # identification KLM1023
)
AIRSPEED = "8DA05F219B06B6AF189400CBC33F"  # velocity as true airspeed and heading


@cache
def flight_bytes() -> tuple[bytes, ...]:
    return tuple(bytes.fromhex(frame) for _, frame in flight_frames())


def reference(frame: bytes) -> Position | Velocity | Identity | None:
    """pyModeS's stateless decoding, in our terms (ground speed as pyModeS rounds it)."""
    decoded = pyModeS.decode(frame.hex())
    if decoded.get("bds") == "0,5":
        alt = decoded.get("altitude")
        return Position(
            decoded["cpr_format"] == 1,
            decoded["cpr_lat"],
            decoded["cpr_lon"],
            None if alt is None else float(alt),
        )
    if decoded.get("bds") == "0,9" and decoded.get("groundspeed") is not None:
        return Velocity(
            float(decoded["groundspeed"]), decoded["track"], float(decoded["vertical_rate"])
        )
    if decoded.get("bds") == "0,8":
        return Identity(decoded["callsign"])
    return None


def test_the_filter_keeps_exactly_the_frames_a_state_needs() -> None:
    for frame in flight_bytes():
        decoded = pyModeS.decode(frame.hex())
        expected = (
            decoded["df"] == 17 or (decoded["df"] == 18 and frame[0] & 7 == 0)
        ) and decoded.get("typecode") in {*range(1, 5), *range(9, 23)}
        assert wanted(frame) == expected, frame.hex()


def test_parity_agrees_with_pymodes_and_catches_every_flipped_bit() -> None:
    extended = [f for f in flight_bytes() if f[0] >> 3 == 17]
    assert len(extended) > 15_000
    for frame in extended:
        assert crc_ok(frame) == bool(pyModeS.decode(frame.hex())["crc_valid"])
    frame = bytes.fromhex(PYMODES_MESSAGES[0])
    for bit in range(112):
        flipped = bytearray(frame)
        flipped[bit // 8] ^= 0x80 >> (bit % 8)
        assert not crc_ok(bytes(flipped))


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.binary(min_size=14, max_size=14))
def test_random_frames_fail_parity_or_are_right(frame: bytes) -> None:
    assert isinstance(crc_ok(frame), bool)
    assert isinstance(wanted(frame), bool)


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_each_decoder_gives_pymodes_reference_values(name: str) -> None:
    frames = [f for f in flight_bytes() if wanted(f)] + [bytes.fromhex(m) for m in PYMODES_MESSAGES]
    decoded = decoder(name)(frames)
    kinds = {"Position": 0, "Velocity": 0, "Identity": 0}
    for frame, ours in zip(frames, decoded, strict=True):
        theirs = reference(frame)
        assert type(ours) is type(theirs), frame.hex()
        kinds[type(ours).__name__] += 1
        if isinstance(ours, Velocity):
            assert isinstance(theirs, Velocity)
            # pyModeS 3 rounds ground speed down to the knot; rs1090 keeps the fraction.
            assert theirs.gs_kt <= ours.gs_kt < theirs.gs_kt + 1.0
            assert ours.track_deg == pytest.approx(theirs.track_deg, abs=1e-9)
            assert ours.vrate_fpm == theirs.vrate_fpm
        else:
            assert ours == theirs, frame.hex()
    assert min(kinds.values()) > 800


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_a_velocity_as_airspeed_decodes_to_none(name: str) -> None:
    assert decoder(name)([bytes.fromhex(AIRSPEED)]) == [None]


def test_an_unknown_decoder_is_named() -> None:
    with pytest.raises(ValueError, match="unknown Mode S decoder 'dump1090'"):
        decoder("dump1090")
