"""SBS-1 BaseStation lines to reports.

No package ships a real SBS-1 recording (dump1090 and readsb write it only to a socket),
so the real corpus is the recorded flight that traffic ships, each of its frames rendered
into the line dump1090 would write from pyModeS's decoding of it (`samples.sbs_lines`);
the edge cases are written by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.samples import sbs_lines
from tests.feeds.test_rows import validates

from airhotline.feeds import Freshness
from airhotline.feeds.sbs import SbsAssembler, message_time_us, parse_line

T0 = 1_700_000_000_000_000
LINE = (
    "MSG,{kind},1,1,{addr},1,2024/07/06,06:59:{s},2024/07/06,06:59:{s},"
    "{cs},{alt},{gs},{trk},{lat},{lon},{vr},,,,,0"
)


def line(kind: int, s: str = "26.984", addr: str = "4CA2D6", **values: str) -> bytes:
    fields = dict.fromkeys(("cs", "alt", "gs", "trk", "lat", "lon", "vr"), "")
    fields.update(values)
    return (LINE.format(kind=kind, addr=addr, s=s, **fields) + "\r\n").encode()


def test_the_recorded_flight_becomes_its_reports() -> None:
    lines = sbs_lines()
    assembler = SbsAssembler(clock="message")
    data = b"".join(text.encode() + b"\r\n" for text, _ in lines)
    rows = assembler.feed(data, 0)
    positions = [d for text, d in lines if text.startswith("MSG,3")]
    assert len(rows) > 0.95 * len(positions)  # all but the few without a recent velocity
    # Each report says exactly what a position line and a velocity line said.
    for row in rows:
        validates(dict(row))
        assert row["track_id"] == row["icao24"] == "393322"
    first = rows[0]
    assert first["callsign"] is None or first["callsign"].startswith("AFR")
    reported = {(round(r["lat"], 5), round(r["lon"], 5), r["alt_ft"]) for r in rows}
    decoded_positions = {
        (round(d["latitude"], 5), round(d["longitude"], 5), float(d["altitude"])) for d in positions
    }
    assert reported <= decoded_positions
    speeds = {(r["gs_kt"], r["vrate_fpm"]) for r in rows}
    decoded_speeds = {
        (float(d["groundspeed"]), float(d["vertical_rate"]))
        for text, d in lines
        if text.startswith("MSG,4")
    }
    assert speeds <= decoded_speeds
    assert not assembler.rejections  # the flight has no surface positions nor DF11 replies
    # Each report at its line's own time, as datetime reads it.
    line_times = set()
    for text, _ in lines:
        if text.startswith("MSG,3"):
            fields = text.split(",")
            text_time = f"{fields[6]} {fields[7]} +0000"
            moment = datetime.strptime(text_time, "%Y/%m/%d %H:%M:%S.%f %z")
            line_times.add(round(moment.timestamp() * 1_000_000))
    assert {row["time_us"] for row in rows} <= line_times


def test_reads_cut_anywhere_give_the_same_reports() -> None:
    data = b"".join(text.encode() + b"\n" for text, _ in sbs_lines()[:3000])
    whole = SbsAssembler(clock="message").feed(data, 0)
    assembler = SbsAssembler(clock="message")
    pieces = []
    for start in range(0, len(data), 997):
        pieces += assembler.feed(data[start : start + 997], 0)
    assert pieces == whole
    assert whole


def test_one_aircraft_by_hand() -> None:
    assembler = SbsAssembler()
    data = (
        line(1, cs="SWR12   ")
        + line(3, alt="36000", lat="51.45735", lon="1.02826")  # no velocity yet
        + line(4, gs="420", trk="90.5", vr="-64")
        + line(3, alt="36000", lat="51.45800", lon="1.03000")
        + line(5, alt="35975")
        + line(3, lat="51.45900", lon="1.04000")  # the altitude of the type 5 line
    )
    rows = assembler.feed(data, T0)
    assert [(r["lat"], r["alt_ft"], r["callsign"], r["time_us"]) for r in rows] == [
        (51.458, 36_000.0, "SWR12", T0),
        (51.459, 35_975.0, "SWR12", T0),
    ]
    assert rows[0]["gs_kt"] == 420.0
    assert rows[0]["track_deg"] == 90.5
    assert rows[0]["vrate_fpm"] == -64.0
    assert rows[0]["icao24"] == "4ca2d6"


def test_message_times_and_staleness() -> None:
    assembler = SbsAssembler(clock="message", freshness=Freshness(max_age_s=2.0))
    rows = assembler.feed(
        line(4, s="20.000", gs="420", trk="90", vr="0")
        + line(3, s="21.500", alt="1000", lat="45", lon="7")
        + line(3, s="22.500", alt="1000", lat="45", lon="7"),  # velocity 2.5 s old
        0,
    )
    assert len(rows) == 1
    assert rows[0]["time_us"] == 1720249161_500_000
    offset = SbsAssembler(clock="message", utc_offset_s=7200.0)
    rows = offset.feed(line(4, gs="1", trk="0", vr="0") + line(3, alt="0", lat="1", lon="1"), 0)
    assert rows[0]["time_us"] == 1720249166_984_000 - 7_200_000_000


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"", "garbled"),
        (b"MSG,3,1,1", "garbled"),
        (b"hello, world", "garbled"),
        (b"STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM", "ignored"),
        (b"AIR,,333,5,4CA2D6,10057,2008/11/28,14:53:49.985,2008/11/28,14:53:49.985", "ignored"),
        (line(2, alt="0", lat="51.4", lon="1.0"), "ignored"),
        (line(8), "ignored"),
        (line(9), "unsupported"),
        (line(3, addr="~4CA2D6", alt="1", lat="1", lon="1"), "unsupported"),
        (line(3, addr="4CA2", alt="1", lat="1", lon="1"), "garbled"),
        (line(3, alt="high", lat="1", lon="1"), "garbled"),
        (line(3, alt="1", lat="1", lon="1").replace(b"MSG,3", b"MSG,x"), "garbled"),
    ],
)
def test_rejections_by_reason(text: bytes, reason: str) -> None:
    assert parse_line(text.rstrip(b"\r\n")) == reason
    assembler = SbsAssembler()
    assembler.feed(text.rstrip(b"\r\n") + b"\n", T0)
    assert dict(assembler.rejections) == ({reason: 1} if text else {})


def test_impossible_values_are_counted() -> None:
    assembler = SbsAssembler()
    rows = assembler.feed(
        line(4, gs="420", trk="90", vr="0")
        + line(3, alt="1000", lat="91", lon="7")
        + line(4, gs="-5", trk="90", vr="0")
        + line(4, gs="100", trk="400", vr="0")
        + line(3, alt="1000", lat="45", lon="7"),
        T0,
    )
    assert dict(assembler.rejections) == {"out-of-range": 3}
    assert len(rows) == 1


def test_a_message_clock_needs_a_message_time() -> None:
    assembler = SbsAssembler(clock="message")
    assert assembler.feed(line(4, s="xx.000", gs="1", trk="1", vr="1"), 0) == []
    assert dict(assembler.rejections) == {"garbled": 1}
    with pytest.raises(ValueError, match="clock"):
        SbsAssembler(clock="local")  # type: ignore[arg-type]


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assembler = SbsAssembler(clock="message")
    for row in assembler.feed(data, T0) + assembler.feed(b"\n", T0):
        validates(dict(row))
    assert assembler.rejections.total() <= assembler.messages


fields = st.one_of(
    st.sampled_from(["", "0", "-1", "91", "1e308", "nan", "inf", "4CA2D6", "~1", "2024/07/06"]),
    st.text(alphabet="0123456789.:/-,eE", max_size=12),
)


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(fields, min_size=0, max_size=24))
def test_arbitrary_lines_of_fields_never_raise(values: list[str]) -> None:
    text = ",".join(["MSG", *values]).encode()
    assert parse_line(text) is not None
    assembler = SbsAssembler()
    for row in assembler.feed(line(4, gs="400", trk="1", vr="1") + text + b"\n", T0):
        validates(dict(row))


# Hypothesis takes naive bounds; the times drawn are read as UTC below.
EARLIEST, LATEST = datetime(1970, 1, 2), datetime(2099, 12, 31)  # noqa: DTZ001


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.datetimes(min_value=EARLIEST, max_value=LATEST))
def test_message_times_read_as_datetime_does(moment: datetime) -> None:
    date = moment.strftime("%Y/%m/%d").encode()
    clock = moment.strftime("%H:%M:%S.%f").encode()
    expected = round(moment.replace(tzinfo=UTC).timestamp() * 1_000_000)
    assert message_time_us(date, clock) == expected
    assert message_time_us(date, clock[:12]) == expected - moment.microsecond % 1000
    assert message_time_us(date, clock[:8]) == expected - moment.microsecond
    assert message_time_us(date, clock[:8] + b".") is None
    assert message_time_us(date, clock[:8] + b",5") is None


@settings(deadline=None)  # these check what never raises, not how fast
@given(st.lists(st.datetimes(min_value=EARLIEST, max_value=LATEST), min_size=1, max_size=8))
def test_the_assemblers_second_cache_reads_times_as_message_time_us(
    moments: list[datetime],
) -> None:
    assembler = SbsAssembler(clock="message", utc_offset_s=-3600.0)
    data = b""
    expected = []
    for moment in sorted(moments):
        date = moment.strftime("%Y/%m/%d")
        clock = moment.strftime("%H:%M:%S.%f")[:-3]
        when = f"{date},{clock},{date},{clock}"
        data += f"MSG,4,1,1,4CA2D6,1,{when},,,420,90,,,0,,,,,0\n".encode()
        data += f"MSG,3,1,1,4CA2D6,1,{when},,1000,,,45.0,7.0,,,,,,0\n".encode()
        time_us = message_time_us(date.encode(), clock.encode())
        assert time_us is not None
        expected.append(time_us + 3_600_000_000)
    rows = assembler.feed(data, 0)
    assert [row["time_us"] for row in rows] == expected


def test_a_stream_without_ends_of_line_does_not_grow_without_bound() -> None:
    assembler = SbsAssembler()
    for _ in range(10):
        assembler.feed(b"x" * 1_000, T0)
    assert dict(assembler.rejections) == {"garbled": 2}
    assert assembler.feed(b"\n" + line(8), T0) == []
