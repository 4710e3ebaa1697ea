"""Beast frames to reports, on the dump1090 capture and the recorded flight that traffic
ships, against pyModeS's streaming decoding of the same frames."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.samples import (
    DUMP1090_BIN,
    beast_bytes,
    beast_frame,
    flight_frames,
    reference_decoding,
)
from tests.feeds.test_rows import validates

from airhotline.feeds.beast import BeastAssembler, split_frames
from airhotline.feeds.modes import DECODERS

T0 = 1_700_000_000_000_000


def test_the_dump1090_capture_splits_whole_wherever_it_is_cut() -> None:
    data = DUMP1090_BIN.read_bytes()
    frames, tail, garbled = split_frames(data)
    assert (len(frames), tail, garbled) == (239, len(data), 0)
    assert {kind for kind, _, _ in frames} == {0x32, 0x33}
    for cut in range(len(data) + 1):
        first, rest, garbled_first = split_frames(data[:cut])
        second, end, garbled_second = split_frames(data[:cut][rest:] + data[cut:])
        assert first + second == frames, cut
        assert garbled_first + garbled_second == 0
        assert end == len(data) - rest


message = st.one_of(st.binary(min_size=n, max_size=n) for n in (2, 7, 14))


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(st.tuples(st.integers(0, 2**48 - 1), message), max_size=20))
def test_escapes_round_trip(frames: list[tuple[int, bytes]]) -> None:
    """Any 0x1a in a timestamp, signal level or message comes back as one byte."""
    data = b"".join(beast_frame(ticks, body, signal=0x1A) for ticks, body in frames)
    split, tail, garbled = split_frames(data)
    assert [(ticks, body) for _, ticks, body in split] == frames
    assert (tail, garbled) == (len(data), 0)


def test_garbage_is_counted_and_skipped() -> None:
    good = beast_frame(12, bytes.fromhex("8D40621D58C382D690C8AC2863A7"))
    data = b"junk" + good + b"\x1a\x35abc" + good + b"\x1a\x33short" + good + b"\x1a\x1a" + good
    frames, tail, garbled = split_frames(data)
    assert len(frames) == 4
    # junk, an unknown type, a short frame, and each of the two stray markers
    assert (tail, garbled) == (len(data), 5)


def test_the_dump1090_capture_becomes_reports_pymodes_agrees_with() -> None:
    for name in sorted(DECODERS):
        assembler = BeastAssembler(decoder_name=name, resync_s=None)
        rows = assembler.feed(DUMP1090_BIN.read_bytes(), T0)
        assert [(r["icao24"], r["alt_ft"]) for r in rows] == [("48520a", 38_000.0)]
        assert rows[0]["lat"] == pytest.approx(43.64603, abs=1e-5)  # pyModeS: 43.64603
        assert rows[0]["lon"] == pytest.approx(1.23125, abs=1e-5)
        assert dict(assembler.rejections) == {"ignored": 226}
        assert assembler.messages == 239


def flight_rows(name: str, chunk: int = 65_536) -> tuple[list[dict[str, object]], BeastAssembler]:
    start_us = round(flight_frames()[0][0] * 1_000_000)
    assembler = BeastAssembler(decoder_name=name, resync_s=None)
    data = beast_bytes()
    rows: list[dict[str, object]] = []
    for offset in range(0, len(data), chunk):
        rows += [dict(r) for r in assembler.feed(data[offset : offset + chunk], start_us)]
    return rows, assembler


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_the_recorded_flight_matches_pymodes_streaming_decoder(name: str) -> None:
    rows, assembler = flight_rows(name)
    reference = [
        (round(t * 1_000_000), d) for t, _, d in reference_decoding() if d.get("bds") == "0,5"
    ]
    positions = [(t, d) for t, d in reference if d.get("latitude") is not None]
    assert len(rows) >= 0.99 * len(positions)  # pyModeS holds its first three back, we one
    times = [t for t, _ in reference]
    velocity: dict[int, dict[str, object]] = {}
    last: dict[str, object] | None = None
    for t, _, d in reference_decoding():
        if d.get("bds") == "0,9":
            last = d
        elif d.get("bds") == "0,5" and last is not None:
            velocity[round(t * 1_000_000)] = last
    matched = 0
    for row in rows:
        validates(row)
        at = int(row["time_us"])  # type: ignore[call-overload]
        index = bisect.bisect_left(times, at - 1)  # the counter keeps whole microseconds
        t, decoded = reference[index]
        assert abs(t - at) <= 1
        assert row["alt_ft"] == decoded["altitude"]
        if decoded.get("latitude") is not None:
            matched += 1
            assert row["lat"] == pytest.approx(decoded["latitude"], abs=1e-9)
            assert row["lon"] == pytest.approx(decoded["longitude"], abs=1e-9)
        heard = velocity[t]
        assert heard["groundspeed"] <= row["gs_kt"] < heard["groundspeed"] + 1  # type: ignore[operator]
        assert row["track_deg"] == pytest.approx(heard["track"], abs=1e-9)
        assert row["vrate_fpm"] == heard["vertical_rate"]
    assert matched >= len(positions) - 3
    assert set(assembler.rejections) == {"ignored"}
    assert {row["callsign"] for row in rows[100:]} == {"AFR34ZG"}


def test_both_decoders_give_the_same_reports_but_for_the_speeds_fraction() -> None:
    ours, _ = flight_rows("rs1090", chunk=10_007)
    theirs, _ = flight_rows("pymodes", chunk=1_000_003)
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        assert int(mine.pop("gs_kt")) == reference.pop("gs_kt")  # type: ignore[call-overload]
        assert mine.pop("track_deg") == pytest.approx(reference.pop("track_deg"), abs=1e-9)
        assert mine == reference


def test_a_flipped_bit_is_a_crc_rejection() -> None:
    frame = bytearray(bytes.fromhex("8D40621D58C382D690C8AC2863A7"))
    frame[6] ^= 0x04
    assembler = BeastAssembler()
    assert assembler.feed(beast_frame(1, bytes(frame)), T0) == []
    assert dict(assembler.rejections) == {"crc": 1}


def test_a_velocity_as_airspeed_is_unsupported() -> None:
    assembler = BeastAssembler()
    assembler.feed(beast_frame(1, bytes.fromhex("8DA05F219B06B6AF189400CBC33F")), T0)
    assert dict(assembler.rejections) == {"unsupported": 1}


def _flight_frames_beast(limit: int) -> list[bytes]:
    start = flight_frames()[0][0]
    return [
        beast_frame(round((t - start) * 1_000_000) * 12, bytes.fromhex(hex_frame))
        for t, hex_frame in flight_frames()[:limit]
    ]


def test_a_position_an_aircraft_cannot_reach_is_refused() -> None:
    """Local decoding of a frame whose CPR fields were corrupted (parity made good again)
    lands kilometres off: counted out-of-range, and the track starts again from a pair."""
    from airhotline.feeds.modes import crc_ok

    frames = _flight_frames_beast(6_000)
    assembler = BeastAssembler(resync_s=None)
    rows = assembler.feed(b"".join(frames), T0)
    assert rows
    last_t = (rows[-1]["time_us"] - T0) * 12
    # The last even position again, a second later, its latitude shifted by a zone's tenth.
    msg = bytearray(bytes.fromhex("8D40621D58C382D690C8AC2863A7"))
    msg[1:4] = bytes.fromhex(rows[-1]["icao24"])  # type: ignore[arg-type]
    raw = int.from_bytes(msg[4:11], "big")
    lat_cpr = (raw >> 17) & 0x1FFFF
    raw ^= ((lat_cpr ^ ((lat_cpr + 13_000) % 2**17)) & 0x1FFFF) << 17
    msg[4:11] = raw.to_bytes(7, "big")
    msg[11:14] = _parity(bytes(msg[:11]))
    assert crc_ok(bytes(msg))
    before = assembler.rejections["out-of-range"]
    assembler.feed(beast_frame(last_t + 12_000_000, bytes(msg)), T0)
    assert assembler.rejections["out-of-range"] == before + 1


def _parity(body: bytes) -> bytes:
    from airhotline.feeds.modes import _CRC_TABLE

    crc = 0
    for byte in body:
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC_TABLE[(crc >> 16) ^ byte]
    return crc.to_bytes(3, "big")


def test_the_counter_is_anchored_and_resynchronised() -> None:
    frames = _flight_frames_beast(3)
    live = BeastAssembler(resync_s=2.0)
    live.feed(frames[0], T0)
    assert live._time_us(12_000_000, T0 + 1_000_000) == T0 + 1_000_000
    # The counter says +60 s, the clock +1 s: a receiver restart or drift; the clock wins.
    assert live._time_us(60 * 12_000_000, T0 + 1_000_000) == T0 + 1_000_000
    recording = BeastAssembler(resync_s=None)
    recording.feed(frames[0], T0)
    assert recording._time_us(60 * 12_000_000, T0) == T0 + 60_000_000


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assembler = BeastAssembler()
    for row in assembler.feed(data, T0):
        validates(dict(row))


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(st.sampled_from(_flight_frames_beast(2_000)), max_size=60), st.binary(max_size=40))
def test_real_frames_shuffled_with_garbage_never_raise(frames: list[bytes], junk: bytes) -> None:
    assembler = BeastAssembler(resync_s=None)
    data = junk.join(frames)
    for row in assembler.feed(data, T0):
        validates(dict(row))


wanted_tc = st.sampled_from([*range(1, 5), *range(9, 23)])


@settings(deadline=None)  # these check what never raises, not how fast
@given(
    st.lists(st.tuples(wanted_tc, st.binary(min_size=7, max_size=7)), min_size=1, max_size=30),
    st.sampled_from(sorted(DECODERS)),
)
def test_any_wanted_frame_with_good_parity_never_raises(
    fields: list[tuple[int, bytes]], name: str
) -> None:
    """Frames that pass the filter and the parity but hold arbitrary fields (a decoder's
    worst case: every value possible) give valid rows or counted rejections."""
    frames = []
    for index, (tc, me) in enumerate(fields):
        body = bytes([0x8D]) + bytes.fromhex("4ca2d6") + bytes([tc << 3 | me[0] & 7]) + me[1:]
        frames.append(beast_frame(index * 6_000_000, body + _parity(body)))
    assembler = BeastAssembler(decoder_name=name, resync_s=None)
    for row in assembler.feed(b"".join(frames), T0):
        validates(dict(row))
    assert "crc" not in assembler.rejections


def test_aircraft_long_unheard_are_forgotten() -> None:
    assembler = BeastAssembler(resync_s=None)
    even, odd = "8D40621D58C382D690C8AC2863A7", "8D40621D58C386435CC412692AD6"
    assembler.feed(beast_frame(0, bytes.fromhex(even)) + beast_frame(12, bytes.fromhex(odd)), T0)
    assert len(assembler) == 1
    later = beast_frame(400 * 12_000_000, bytes.fromhex("8D485020994409940838175B284F"))
    assembler.feed(later, T0)
    assert len(assembler) == 0
