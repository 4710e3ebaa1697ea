"""ASTERIX: the recordings asterix-decoder ships (``asterix/sample_data``) become state
reports with the positions, levels, velocities and identities the decoder itself gives,
read here straight from ``asterix.parse`` and placed independently (pyproj's geodesic,
not airhotline.geo); garbled and foreign bytes are counted, never raised."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from tests.feeds.samples import pcap_udp_payloads

from airhotline.feeds import Rejections, make_assembler
from airhotline.feeds.asterix import Sensor, block_time_us, parse_sensor
from airhotline.feeds.recording import guess_format, read_recording

asterix = pytest.importorskip("asterix", reason="asterix-decoder (a C++ build) not installed")

SAMPLES = Path(asterix.__file__).parent / "sample_data"
CAT048 = SAMPLES / "cat048.raw"
CAT062 = SAMPLES / "cat062cat065.raw"
CAT034 = SAMPLES / "cat034.raw"
#: Where the CAT048 test places radar 25/201: a configured position (none is in the data).
RADAR = Sensor(47.0, 14.0, 500.0)
NOW_US = 1_700_000_000_000_000
DAY_US = 86_400_000_000
WGS84 = Geod(ellps="WGS84")


def val(record: dict[str, object], item: str, *path: str) -> object:
    node: object = record[item]
    for key in path:
        assert isinstance(node, dict)
        node = node[key]
    assert isinstance(node, dict)
    return node["val"]


def num(record: dict[str, object], item: str, *path: str) -> float:
    value = val(record, item, *path)
    assert isinstance(value, int | float)
    return float(value)


def test_the_cat062_sample_becomes_the_decoders_tracks() -> None:
    records = [r for r in asterix.parse(CAT062.read_bytes()) if r["category"] == 62]
    assembler = make_assembler("asterix")
    rows = assembler.feed(CAT062.read_bytes(), NOW_US)
    assert len(rows) == len(records) == 2
    assert assembler.rejections == Rejections({"ignored": 1})  # the CAT065 end of batch
    assert assembler.messages == 3
    for row, record in zip(rows, records, strict=True):
        assert row["lat"] == val(record, "I105", "Lat")
        assert row["lon"] == val(record, "I105", "Lon")
        assert row["alt_ft"] == val(record, "I136", "MFL")  # measured flight level, ft
        vx, vy = num(record, "I185", "Vx"), num(record, "I185", "Vy")
        assert row["gs_kt"] == pytest.approx(math.hypot(vx, vy) * 3600 / 1852)
        assert row["track_deg"] == pytest.approx(math.degrees(math.atan2(vx, vy)) % 360)
        assert row["vrate_fpm"] == val(record, "I220", "RoC")
        tod_us = round(num(record, "I070", "ToT") * 1e6)
        assert row["time_us"] % DAY_US == tod_us
        assert abs(row["time_us"] - NOW_US) <= DAY_US // 2
    # The first has no Mode S address: its tracker's own number names it.
    assert rows[0]["track_id"] == "25/100/4980"
    assert "icao24" not in rows[0]
    assert rows[1]["icao24"] == rows[1]["track_id"] == "3c0a55"
    assert rows[1]["callsign"] == "SXD4723"
    assert rows[0]["alt_ft"] == 15_700.0
    assert rows[1]["alt_ft"] == 35_000.0


def placed(record: dict[str, object], radar: Sensor) -> tuple[float, float]:
    """Where a CAT048 plot is, worked out apart from the adapter: slant range to ground
    range on the sphere of the radius of curvature along the azimuth (Euler's formula),
    then pyproj's geodesic from the radar."""
    rho_m = num(record, "I040", "RHO") * 1852
    theta = num(record, "I040", "THETA")
    level_ft = num(record, "I090", "FL") * 100
    a, e2 = 6_378_137.0, 0.00669437999014
    phi, az = math.radians(radar.lat), math.radians(theta)
    m = a * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    radius = 1 / (math.cos(az) ** 2 / m + math.sin(az) ** 2 / n)
    rs, rt = radius + radar.height_m, radius + level_ft * 0.3048
    ground = radius * math.acos((rs**2 + rt**2 - rho_m**2) / (2 * rs * rt))
    lon, lat, _ = WGS84.fwd(radar.lon, radar.lat, theta, ground)
    return lat, lon


def test_the_cat048_sample_is_placed_from_the_configured_radar() -> None:
    (record,) = asterix.parse(CAT048.read_bytes())
    assembler = make_assembler("asterix", sensors={(25, 201): RADAR})
    (row,) = assembler.feed(CAT048.read_bytes(), NOW_US)
    level_ft = num(record, "I090", "FL") * 100
    assert row["alt_ft"] == level_ft == 33_000.0
    lat, lon = placed(record, RADAR)
    assert row["lat"] == pytest.approx(lat, abs=1e-9)
    assert row["lon"] == pytest.approx(lon, abs=1e-9)
    rho_m = num(record, "I040", "RHO") * 1852
    # A 33 000 ft target at ~198 NM: the slant correction is tens of metres, not zero.
    _, _, slant_as_ground = WGS84.inv(RADAR.lon, RADAR.lat, row["lon"], row["lat"])
    assert 10 < rho_m - slant_as_ground < 2_000
    assert row["gs_kt"] == val(record, "I200", "CGS")
    assert row["track_deg"] == val(record, "I200", "CHdg")
    assert row["icao24"] == "3c660c"
    assert row["callsign"] == "DLH65A"
    tod_us = round(num(record, "I140", "ToD") * 1e6)
    assert row["time_us"] % DAY_US == tod_us


def test_the_recorded_radar_capture_is_placed_plot_by_plot() -> None:
    """asterix-decoder's own capture (``cat_034_048.pcap``): 100 datagrams from seven
    radars, 128 CAT048 plots and their CAT034 service messages. Every plot with a
    position becomes a report where the independent placement puts it, at its level,
    speed and heading, at its time of day; nothing else does."""
    payloads = pcap_udp_payloads(SAMPLES / "cat_034_048.pcap")
    decoded = [r for payload in payloads for r in asterix.parse(payload)]
    plots = [r for r in decoded if r["category"] == 48 and "I040" in r]
    assembler = make_assembler("asterix", sensors={None: RADAR})
    rows = [row for payload in payloads for row in assembler.feed(payload, NOW_US)]
    assert len(payloads) == 100
    assert len(rows) == len(plots) == 126
    for row, record in zip(rows, plots, strict=True):
        lat, lon = placed(record, RADAR)
        assert row["lat"] == pytest.approx(lat, abs=1e-9)
        assert row["lon"] == pytest.approx(lon, abs=1e-9)
        assert row["alt_ft"] == num(record, "I090", "FL") * 100
        assert row["gs_kt"] == val(record, "I200", "CGS")
        assert row["track_deg"] == val(record, "I200", "CHdg")
        assert row["time_us"] % DAY_US == round(num(record, "I140", "ToD") * 1e6)
    # The CAT034 service messages, and the two CAT048 track messages without a plot.
    unplotted = sum(1 for r in decoded if r["category"] == 48 and "I040" not in r)
    service = sum(1 for r in decoded if r["category"] == 34)
    assert (service, unplotted) == (34, 2)
    assert assembler.rejections["ignored"] == service + unplotted
    assert assembler.messages - len(rows) == sum(assembler.rejections.values())


def test_a_radar_without_a_configured_position_is_unsupported() -> None:
    assembler = make_assembler("asterix", sensors={(25, 13): RADAR})
    assert assembler.feed(CAT048.read_bytes(), NOW_US) == []
    assert assembler.rejections == Rejections({"unsupported": 1})
    fallback = make_assembler("asterix", sensors={None: RADAR})
    assert len(fallback.feed(CAT048.read_bytes(), NOW_US)) == 1


def test_blocks_split_anywhere_give_the_same_reports() -> None:
    data = CAT034.read_bytes() + CAT048.read_bytes() + CAT062.read_bytes()
    whole = make_assembler("asterix", sensors={None: RADAR})
    expected = whole.feed(data, NOW_US)
    piecewise = make_assembler("asterix", sensors={None: RADAR})
    rows = [r for i in range(0, len(data), 7) for r in piecewise.feed(data[i : i + 7], NOW_US)]
    assert rows == expected
    assert len(rows) == 3
    assert piecewise.rejections == whole.rejections == Rejections({"ignored": 2})


def test_junk_between_blocks_is_one_garbled_run_and_the_stream_resyncs() -> None:
    assembler = make_assembler("asterix")
    rows = assembler.feed(b"\xff\xfe\xfd\x00" + CAT062.read_bytes(), NOW_US)
    assert len(rows) == 2
    assert assembler.rejections["garbled"] == 1


def test_a_recording_is_replayable_by_its_name() -> None:
    assert guess_format(CAT048) == "asterix"
    read = read_recording(CAT062.read_bytes(), "asterix", NOW_US)
    assert [r["track_id"] for r in read.rows] == ["25/100/4980", "3c0a55"]


def test_times_of_day_take_the_nearest_day() -> None:
    midnight = NOW_US // DAY_US * DAY_US
    assert block_time_us(10.0, midnight + 20_000_000) == midnight + 10_000_000
    # Just before midnight, read just after it: yesterday's.
    assert block_time_us(86_399.0, midnight + 1_000_000) == midnight - 1_000_000
    assert block_time_us(1.0, midnight - 1_000_000) == midnight + 1_000_000
    assert block_time_us(86_400.0, midnight) is None


@pytest.mark.parametrize(
    ("text", "key", "sensor"),
    [
        ("45.5,15.25", None, Sensor(45.5, 15.25)),
        ("25/201=45.5, -15.25, 320", (25, 201), Sensor(45.5, -15.25, 320.0)),
    ],
)
def test_sensor_positions_are_read(text: str, key: object, sensor: Sensor) -> None:
    assert parse_sensor(text) == (key, sensor)


@pytest.mark.parametrize("text", ["45.5", "91,0", "25/300=1,2", "a,b", "1,2,99999"])
def test_bad_sensor_positions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(text)):
        parse_sensor(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_counted_never_raised(data: bytes) -> None:
    assembler = make_assembler("asterix", sensors={None: RADAR})
    rows = assembler.feed(data, NOW_US)
    assert len(rows) + assembler.rejections.total() == assembler.messages


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([21, 48, 62]),
    st.binary(min_size=1, max_size=120),
)
def test_well_framed_blocks_of_arbitrary_records_never_raise(category: int, body: bytes) -> None:
    """Bytes framed as a block of a decoded category reach the decoder and every path
    after it; each record is a report or a counted rejection."""
    block = bytes([category]) + (len(body) + 3).to_bytes(2, "big") + body
    assembler = make_assembler("asterix", sensors={None: RADAR})
    rows = assembler.feed(block, NOW_US)
    assert len(rows) + assembler.rejections.total() == assembler.messages
