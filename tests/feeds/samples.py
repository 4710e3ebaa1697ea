"""Real recordings that the ``traffic`` package ships, found without importing it (its
import loads pandas and more), and the same real frames rendered in other framings.

- ``dump1090/sample_dump1090.bin``: a Beast capture by dump1090 (239 frames).
- ``rs1090/full_flight_short.jsonl``: 57 793 Mode S frames of one flight from Paris-CDG
  as a receiver heard them, one JSON object a line with its UTC ``timestamp`` and its
  ``frame`` in hex (and rs1090's decoding, not used here). Rendered into Beast frames
  (timestamps as a 12 MHz counter) and into the SBS-1 lines dump1090 would write for
  them, it is the real corpus for both text and binary feeds.
- ``firefighting/calfire.json.gz`` and ``collections/switzerland.json.gz``: trajectories
  (pandas DataFrames written as JSON records) from the OpenSky Network.
"""

from __future__ import annotations

import gzip
import json
import struct
from datetime import UTC, datetime
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pyModeS

__all__ = [
    "SAMPLES",
    "beast_bytes",
    "beast_frame",
    "flight_frames",
    "opensky_responses",
    "pcap_udp_payloads",
    "reference_decoding",
    "sbs_lines",
    "trajectory_records",
]


def _samples() -> Path:
    spec = find_spec("traffic")
    assert spec is not None, "traffic is a dev dependency"
    assert spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "samples"


SAMPLES = _samples()
DUMP1090_BIN = SAMPLES / "dump1090" / "sample_dump1090.bin"
FLIGHT_JSONL = SAMPLES / "rs1090" / "full_flight_short.jsonl"


@cache
def flight_frames() -> tuple[tuple[float, str], ...]:
    """(UTC seconds, hex frame) of every frame of the recorded flight, in order."""
    with FLIGHT_JSONL.open(encoding="utf-8") as lines:
        return tuple((record["timestamp"], record["frame"]) for record in map(json.loads, lines))


def beast_frame(ticks: int, message: bytes, signal: int = 0x80) -> bytes:
    """One Beast frame: marker, type by length, 12 MHz ticks, signal, message, with
    every 0x1a after the marker doubled."""
    kind = {2: 0x31, 7: 0x32, 14: 0x33}[len(message)]
    body = ticks.to_bytes(6, "big") + bytes([signal]) + message
    return b"\x1a" + bytes([kind]) + body.replace(b"\x1a", b"\x1a\x1a")


@cache
def beast_bytes() -> bytes:
    """The recorded flight as a Beast stream, its counter started at the first frame."""
    frames = flight_frames()
    start = frames[0][0]
    return b"".join(
        beast_frame(round((t - start) * 1_000_000) * 12, bytes.fromhex(hex_frame))
        for t, hex_frame in frames
    )


@cache
def reference_decoding() -> tuple[tuple[float, str, dict[str, Any]], ...]:
    """Each frame of the recorded flight with pyModeS's streaming decoding of it (its
    ``PipeDecoder``: CPR pairs and local references resolved, phantoms held back)."""
    pipe = pyModeS.PipeDecoder()
    return tuple((t, frame, dict(pipe.decode(frame, timestamp=t))) for t, frame in flight_frames())


def _sbs(kind: int, address: str, t: float, **fields: Any) -> str:
    """One ``MSG`` line as dump1090 writes it (here in UTC, to the millisecond)."""
    moment = datetime.fromtimestamp(t, UTC)
    date, clock = moment.strftime("%Y/%m/%d"), moment.strftime("%H:%M:%S.%f")[:-3]
    values = [""] * 22
    values[:10] = ["MSG", str(kind), "1", "1", address.upper(), "1", date, clock, date, clock]
    for index, value in fields.items():
        values[int(index[1:])] = value
    return ",".join(values)


@cache
def sbs_lines() -> tuple[tuple[str, dict[str, Any]], ...]:
    """The recorded flight as the SBS-1 lines dump1090 would write for it, each with
    pyModeS's decoding it was rendered from (its streaming decoder: CPR pairs resolved).

    As dump1090 does: identification → MSG,1; airborne position → MSG,3 (once a
    position is known); airborne velocity → MSG,4; DF4/20 altitude → MSG,5; DF5/21
    identity → MSG,6; DF11 → MSG,8. Other frames write no line.
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for t, _, decoded in reference_decoding():
        address = decoded.get("icao")
        df, bds = decoded.get("df"), decoded.get("bds")
        if not isinstance(address, str):
            continue
        line = None
        if df in (17, 18) and bds == "0,8":
            line = _sbs(1, address, t, f10=decoded["callsign"].ljust(8))
        elif df in (17, 18) and bds == "0,5" and decoded.get("latitude") is not None:
            line = _sbs(
                3,
                address,
                t,
                f11=str(decoded["altitude"]),
                f14=f"{decoded['latitude']:.5f}",
                f15=f"{decoded['longitude']:.5f}",
                f21="0",
            )
        elif df in (17, 18) and bds == "0,9" and decoded.get("groundspeed") is not None:
            line = _sbs(
                4,
                address,
                t,
                f12=str(decoded["groundspeed"]),
                f13=f"{decoded['track']:.0f}",
                f16=str(decoded["vertical_rate"]),
            )
        elif df in (4, 20) and decoded.get("altitude") is not None:
            line = _sbs(5, address, t, f11=str(decoded["altitude"]), f21="0")
        elif df in (5, 21) and decoded.get("squawk") is not None:
            line = _sbs(6, address, t, f17=str(decoded["squawk"]), f21="0")
        elif df == 11:
            line = _sbs(8, address, t, f21="0")
        if line is not None:
            out.append((line, dict(decoded)))
    return tuple(out)


@cache
def trajectory_records(name: str) -> tuple[dict[str, Any], ...]:
    """The records of one of traffic's JSON samples (``"collections/switzerland"``)."""
    data = gzip.decompress((SAMPLES / f"{name}.json.gz").read_bytes())
    return tuple(json.loads(data))


def opensky_responses(name: str, seconds: int) -> list[bytes]:
    """The first ``seconds`` of a trajectory recording from the OpenSky Network as the
    ``states/all`` responses a poller would have read each second: every aircraft's last
    state at or before that second, in OpenSky's fields and units (m, m/s)."""
    records = sorted(trajectory_records(name), key=lambda r: r["timestamp"])
    first = records[0]["timestamp"] // 1000
    last: dict[str, dict[str, Any]] = {}
    responses = []
    index = 0
    for second in range(first, first + seconds):
        while index < len(records) and records[index]["timestamp"] // 1000 <= second:
            last[records[index]["icao24"]] = records[index]
            index += 1
        states = [_state_vector(r) for r in last.values() if second - r["timestamp"] // 1000 < 15]
        responses.append(json.dumps({"time": second, "states": states}).encode())
    return responses


def _state_vector(record: dict[str, Any]) -> list[Any]:
    def scaled(key: str, factor: float) -> float | None:
        value = record.get(key)
        return None if value is None else value * factor

    return [
        record["icao24"],
        (record.get("callsign") or "").ljust(8) or None,
        "Switzerland",
        record["timestamp"] // 1000,
        record["timestamp"] // 1000,
        record.get("longitude"),
        record.get("latitude"),
        scaled("altitude", 0.3048),
        False,
        scaled("groundspeed", 1852.0 / 3600.0),
        record.get("track"),
        scaled("vertical_rate", 0.3048 / 60.0),
        None,
        scaled("geoaltitude", 0.3048),
        None,
        False,
        0,
    ]


def pcap_udp_payloads(path: Path) -> list[bytes]:
    """The UDP datagrams' payloads of a classic pcap capture of Ethernet frames carrying
    IPv4, in order: what a receiver bound to the capture's port read (asterix-decoder
    ships its radar recording this way). The format is fixed (libpcap's, little-endian,
    link type 1): anything else is refused rather than misread."""
    data = path.read_bytes()
    magic, _, _, _, _, _, link = struct.unpack_from("<IHHiIII", data, 0)
    assert magic == 0xA1B2C3D4, f"{path.name}: not a little-endian microsecond pcap"
    assert link == 1, f"{path.name}: link type {link}, not Ethernet"
    payloads = []
    at = 24
    while at < len(data):
        _, _, captured, original = struct.unpack_from("<IIII", data, at)
        frame = data[at + 16 : at + 16 + captured]
        at += 16 + captured
        assert captured == original, f"{path.name}: a frame cut short by the capture"
        ether_type = struct.unpack_from(">H", frame, 12)[0]
        ip_header = (frame[14] & 0x0F) * 4
        assert ether_type == 0x0800, f"{path.name}: not IPv4"
        assert frame[14 + 9] == 17, f"{path.name}: not UDP"
        udp = frame[14 + ip_header :]
        length = struct.unpack_from(">H", udp, 4)[0]
        payloads.append(bytes(udp[8:length]))
    return payloads
