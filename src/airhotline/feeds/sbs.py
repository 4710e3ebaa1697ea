"""SBS-1 BaseStation text (dump1090/readsb port 30003) to state reports.

Each line is 22 comma-separated fields; ``MSG`` lines carry one of eight transmission
types, each with a few of the fields filled:

====  ==================  =========================================================
type  from                fields used here
====  ==================  =========================================================
1     identification      10 callsign
2     surface position    (ignored: an aircraft on the ground is not deconflicted)
3     airborne position   11 altitude (ft), 14 latitude, 15 longitude (degrees)
4     airborne velocity   12 ground speed (kt), 13 track (degrees), 16 vertical rate (fpm)
5     surveillance alt.   11 altitude
6     surveillance ID     11 altitude (with the squawk, not used)
7     air-to-air          11 altitude
8     all-call reply      (ignored: nothing but the address)
====  ==================  =========================================================

Field 4 is the 24-bit address in hex (``~`` before it marks a non-ICAO address, which
is skipped as ``unsupported``), fields 6-7 the date and time the message was generated.
The other line kinds of the BaseStation protocol (``SEL``, ``ID``, ``AIR``, ``STA``,
``CLK``) say nothing of a state and are ``ignored``.

Times: dump1090 writes fields 6-7 in the receiving machine's local time, without a
zone, to the millisecond; readsb in UTC. So by default a line is timed by when it was
read (``received_us``); ``clock="message"`` takes fields 6-7 as UTC shifted by
``utc_offset_s`` (for a recording, whose lines were read long ago).

Lines are split on commas in C, never matched by a regular expression, and numbers
are read with ``float`` straight from the bytes: the whole path costs a few
microseconds a line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from airhotline.feeds._registry import register
from airhotline.feeds._rejects import GARBLED, IGNORED, OUT_OF_RANGE, UNSUPPORTED, Rejections
from airhotline.feeds._rows import Row, clean_callsign, clean_icao24
from airhotline.feeds._tracks import Freshness, TrackTable

__all__ = ["SbsAssembler", "SbsMessage", "message_time_us", "parse_line"]

_FIELDS = 22
#: Longer than any SBS line (about 150 bytes): a "line" past this is no line.
_MAX_LINE = 4_096
_OTHER_KINDS = frozenset((b"SEL", b"ID", b"AIR", b"STA", b"CLK"))
#: (type, address, date and time fields as written, callsign, altitude, ground speed,
#: track, vertical rate, latitude, longitude); a number is None where the field is empty.
SbsMessage = tuple[
    int,
    str,
    tuple[bytes, bytes],
    str | None,
    float | None,
    float | None,
    float | None,
    float | None,
    float | None,
    float | None,
]
_KINDS = {b"1": 1, b"2": 2, b"3": 3, b"4": 4, b"5": 5, b"6": 6, b"7": 7, b"8": 8}
#: Addresses already checked, by their bytes: a feed has a few thousand aircraft, and a
#: look-up costs a tenth of decoding and checking the hex again.
_ADDRESSES: dict[bytes, str | None] = {}
_DAYS: dict[bytes, int | None] = {}


def _day_us(date: bytes) -> int | None:
    """UTC µs of the midnight that starts ``YYYY/MM/DD``, cached: a feed has one or two
    dates a day, and parsing one costs more than the rest of the line."""
    cached = _DAYS.get(date, -1)
    if cached != -1:
        return cached
    try:
        year, month, day = (int(part) for part in date.split(b"/"))
        midnight = datetime(year, month, day, tzinfo=UTC)
        value: int | None = round(midnight.timestamp() * 1_000_000)
    except ValueError:
        value = None
    if len(_DAYS) > 64:  # garbage dates must not grow the cache without end
        _DAYS.clear()
    _DAYS[date] = value
    return value


def _second_us(date: bytes, clock: bytes) -> int | None:
    """UTC µs of ``YYYY/MM/DD`` and ``HH:MM:SS``, or None when they are not a time."""
    day = _day_us(date)
    if day is None or len(clock) != 8 or clock[2:3] != b":" or clock[5:6] != b":":
        return None
    try:
        hours, minutes, seconds = int(clock[0:2]), int(clock[3:5]), int(clock[6:8])
    except ValueError:
        return None
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61):
        return None
    return day + ((hours * 60 + minutes) * 60 + seconds) * 1_000_000


#: UTC µs of each whole second already read: a feed writes hundreds of lines a second.
_SECONDS: dict[bytes, int | None] = {}


_FRACTION_US = {1: 100_000, 2: 10_000, 3: 1_000, 4: 100, 5: 10, 6: 1}


def message_time_us(date: bytes, time: bytes) -> int | None:
    """UTC µs of fields 6-7 read as UTC, or None when either is not a date or time."""
    key = date + time[:8]
    second = _SECONDS.get(key, -1)
    if second == -1:
        second = _second_us(date, time[:8])
        if len(_SECONDS) > 10_000:
            _SECONDS.clear()
        _SECONDS[key] = second
    if second is None:
        return None
    if len(time) == 8:
        return second
    digits = time[9:]
    scale = _FRACTION_US.get(len(digits))
    if time[8] != 0x2E or scale is None or not digits.isdigit():  # 0x2e: "."
        return None
    return second + int(digits) * scale


def _address(field: bytes) -> str | None:
    address = _ADDRESSES.get(field, "")
    if address == "":
        try:
            address = clean_icao24(field.decode("ascii"))
        except UnicodeDecodeError:
            address = None
        if len(_ADDRESSES) > 100_000:  # garbage must not grow the cache without end
            _ADDRESSES.clear()
        _ADDRESSES[field] = address
    return address


def parse_line(line: bytes) -> SbsMessage | str:
    """One line's message, or the rejection reason why it gives none (never raises)."""
    fields = line.split(b",")
    if fields[0] != b"MSG":
        return IGNORED if fields[0].strip() in _OTHER_KINDS else GARBLED
    if len(fields) < _FIELDS:
        return GARBLED
    kind = _KINDS.get(fields[1])
    if kind is None:
        try:
            int(fields[1])
        except ValueError:
            return GARBLED
        return UNSUPPORTED
    if kind == 2 or kind == 8:
        return IGNORED
    if fields[4][:1] == b"~":
        return UNSUPPORTED
    address = _ADDRESSES.get(fields[4], "")
    if address == "":
        address = _address(fields[4])
    if address is None:
        return GARBLED
    when = (fields[6], fields[7])
    try:
        if kind == 3:
            lat, lon = fields[14], fields[15]
            return (
                3,
                address,
                when,
                None,
                float(fields[11]) if fields[11] else None,
                None,
                None,
                None,
                float(lat) if lat else None,
                float(lon) if lon else None,
            )
        if kind == 4:
            gs, track, vrate = fields[12], fields[13], fields[16]
            return (
                4,
                address,
                when,
                None,
                None,
                float(gs) if gs else None,
                float(track) if track else None,
                float(vrate) if vrate else None,
                None,
                None,
            )
        if kind == 1:
            callsign = clean_callsign(fields[10].decode("ascii"))
            return (1, address, when, callsign, None, None, None, None, None, None)
        # 5, 6, 7: an altitude only
        alt = float(fields[11]) if fields[11] else None
        return (kind, address, when, None, alt, None, None, None, None, None)
    except (ValueError, UnicodeDecodeError):
        return GARBLED


@register("sbs", "SBS-1 BaseStation text, dump1090/readsb port 30003")
class SbsAssembler:
    """SBS-1 lines in, state reports out, for one feed.

    A type 3 line with a position becomes a report under the freshness rule of
    `airhotline.feeds._tracks`: its altitude (or one from a type 3, 5, 6 or 7 line)
    and a type 4 velocity at most ``max_age_s`` from it. Track id and ``icao24`` are the
    address in lower-case hex; the callsign is the last type 1 line's.

    **Thread-safety.** None: every call mutates the assembler (the tail of a line cut
    across two reads, the tracks). One assembler per feed, fed by one thread.
    """

    def __init__(
        self,
        *,
        freshness: Freshness | None = None,
        clock: Literal["received", "message"] = "received",
        utc_offset_s: float = 0.0,
    ) -> None:
        if clock not in ("received", "message"):
            raise ValueError(f"clock must be 'received' or 'message', got {clock!r}")
        self.rejections = Rejections()
        self.tracks = TrackTable(freshness, self.rejections)
        self._message_clock = clock == "message"
        self._offset_us = round(utc_offset_s * 1_000_000)
        self._tail = b""
        #: The last whole second read: (date, HH:MM:SS, UTC µs less the offset).
        self._second: tuple[bytes, bytes, int] = (b"", b"", 0)
        self.messages = 0

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The reports completed by the lines in ``data`` (read at ``received_us``, UTC
        µs); a last line without its end of line waits for the next read."""
        lines = (self._tail + data if self._tail else data).split(b"\n")
        self._tail = lines.pop()
        if len(self._tail) > _MAX_LINE:  # no end of line in sight: not SBS, drop it
            self._tail = b""
            self.rejections[GARBLED] += 1
            self.messages += 1
        rows: list[Row] = []
        rejections = self.rejections
        tracks = self.tracks
        count = 0
        for line in lines:
            if not line or line == b"\r":
                continue
            count += 1
            # A "\r" ends field 21 (on the ground), which no state needs: left on.
            parsed = parse_line(line)
            if isinstance(parsed, str):
                rejections[parsed] += 1
                continue
            kind, address, when, callsign, alt, gs, track, vrate, lat, lon = parsed
            # A line's time is read only once it is known to give something: a third
            # of a feed's lines are squawks and half-velocities, which give nothing.
            if kind == 3 and lat is not None and lon is not None:
                time_us = self._time_us(when, received_us)
                if time_us is not None:
                    row = tracks.position(address, time_us, lat, lon, alt)
                    if row is not None:
                        rows.append(row)
            elif kind == 4:
                if gs is None or track is None or vrate is None:
                    continue  # half a velocity is none: wait for a whole one
                if not (gs >= 0.0 and 0.0 <= track <= 360.0):
                    rejections[OUT_OF_RANGE] += 1
                    continue
                time_us = self._time_us(when, received_us)
                if time_us is not None:
                    tracks.velocity(address, time_us, gs, track, vrate)
            elif kind == 1:
                if callsign is not None:
                    time_us = self._time_us(when, received_us)
                    if time_us is not None:
                        tracks.callsign(address, time_us, callsign)
            elif alt is not None:  # 3 without a position, 5, 6, 7
                time_us = self._time_us(when, received_us)
                if time_us is not None:
                    tracks.altitude(address, time_us, alt)
        self.messages += count
        return rows

    def _time_us(self, when: tuple[bytes, bytes], received_us: int) -> int | None:
        """A line's time by the chosen clock; None (counted garbled) when the message
        clock is chosen and the line's date or time is not one."""
        if not self._message_clock:
            return received_us
        date, clock = when
        # Lines come a few hundred a second: the last whole second read serves most.
        if (
            clock[:8] == self._second[1]
            and date == self._second[0]
            and len(clock) == 12
            and clock[8] == 0x2E  # "."
            and clock[9:].isdigit()
        ):
            return self._second[2] + int(clock[9:]) * 1_000
        message_us = message_time_us(date, clock)
        if message_us is None:
            self.rejections[GARBLED] += 1
            return None
        whole = message_time_us(date, clock[:8])
        if whole is not None:
            self._second = (date, clock[:8], whole - self._offset_us)
        return message_us - self._offset_us
