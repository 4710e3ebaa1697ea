"""Beast binary (dump1090/readsb port 30005) to state reports.

A Beast stream is a run of frames, each ``0x1a``, a type byte, a 6-byte receiver
timestamp (a 12 MHz counter), a signal-level byte and the Mode S message: 2 bytes for
type ``0x31`` (Mode A/C), 7 for ``0x32`` (short Mode S), 14 for ``0x33`` (long Mode S).
A ``0x1a`` inside a frame is sent twice.

`split_frames` is the pure parser; `BeastAssembler` is the one stateful piece of a Beast
feed: it keeps the bytes of a frame cut across two reads, the CPR halves waiting for
their pair, each aircraft's last position, altitude, velocity and callsign, and the
mapping from the receiver's counter to UTC.
"""

from __future__ import annotations

import math

from airhotline.feeds import cpr
from airhotline.feeds._registry import register
from airhotline.feeds._rejects import CRC, GARBLED, IGNORED, OUT_OF_RANGE, UNSUPPORTED, Rejections
from airhotline.feeds._rows import Row
from airhotline.feeds._tracks import Freshness, TrackTable
from airhotline.feeds.modes import (
    FIRST_BYTES,
    TYPE_BYTES,
    Identity,
    Position,
    Velocity,
    crc_ok,
    decoder,
)

__all__ = ["BODY_LENGTHS", "BeastAssembler", "Frame", "split_frames"]

ESCAPE = 0x1A
#: Bytes after the type byte (timestamp, signal level, message), by frame type.
BODY_LENGTHS = {0x31: 6 + 1 + 2, 0x32: 6 + 1 + 7, 0x33: 6 + 1 + 14}
#: The receiver's timestamp counter runs at 12 MHz.
TICKS_PER_US = 12
#: Even and odd halves further apart than this may straddle a zone boundary.
PAIR_WINDOW_S = 10.0
#: A track's last position serves as the local reference for this long: at 600 kt an
#: aircraft flies 100 NM in 10 minutes, and 30 s keeps it well within half a zone.
LOCAL_WINDOW_S = 30.0
#: Faster than anything deconflicted: a position further than this from the last, at
#: this speed, is a decode of a corrupt frame (or a bad CPR pair), not the aircraft.
MAX_SPEED_MPS = 1_500 * 1852.0 / 3600.0
MOTION_MARGIN_M = 2_000.0
_EARTH_RADIUS_M = 6_371_008.8

#: (type, receiver ticks, message bytes)
Frame = tuple[int, int, bytes]


def split_frames(buffer: bytes) -> tuple[list[Frame], int, int]:
    """The complete frames in ``buffer``, where its unfinished tail starts (keep
    ``buffer[tail:]`` for the next read) and how many garbled pieces were skipped: bytes
    before the first marker, frames of an unknown type, cut short or too long.

    Splitting on ``0x1a`` in C and rejoining the pieces an escape split is several times
    faster than walking the bytes one by one in Python.
    """
    frames: list[Frame] = []
    parts = buffer.split(b"\x1a")
    garbled = 1 if parts[0] else 0  # the end of a frame whose start was never read
    count = len(parts)
    marker = len(parts[0])  # where the marker before parts[i] is
    i = 1
    while i < count:
        start = marker
        body = parts[i]
        marker += len(body) + 1
        i += 1
        if not body:
            if i == count:
                return frames, start, garbled  # a marker at the very end
            garbled += 1  # an escaped 0x1a outside any frame
            continue
        length = BODY_LENGTHS.get(body[0])
        if length is None:
            garbled += 1
            continue
        need = length + 1
        # An empty piece between two markers is an escaped 0x1a inside the frame.
        while len(body) < need and i + 1 < count and not parts[i]:
            body += b"\x1a" + parts[i + 1]
            marker += len(parts[i + 1]) + 2
            i += 2
        if len(body) < need:
            if i == count or (i + 1 == count and not parts[i]):
                return frames, start, garbled  # cut by the end of this read
            garbled += 1
            continue
        if len(body) > need:
            garbled += 1
            continue
        frames.append((body[0], int.from_bytes(body[1:7], "big"), body[8:]))
    return frames, len(buffer), garbled


class _Cpr:
    """One aircraft's CPR state: the last half of each parity, and its last position."""

    __slots__ = ("even", "last", "odd")

    def __init__(self) -> None:
        self.even: tuple[int, int, int] | None = None  # (time_us, lat_cpr, lon_cpr)
        self.odd: tuple[int, int, int] | None = None
        self.last: tuple[int, float, float] | None = None  # (time_us, lat, lon)

    def heard_us(self) -> int:
        return max(half[0] for half in (self.even, self.odd, self.last) if half is not None)


def _plausible(last: tuple[int, float, float], time_us: int, lat: float, lon: float) -> bool:
    """Whether an aircraft at ``last`` can be at (lat, lon) at ``time_us``."""
    then_us, then_lat, then_lon = last
    dlon = (lon - then_lon + 180.0) % 360.0 - 180.0
    x = math.radians(dlon) * math.cos(math.radians((lat + then_lat) / 2.0))
    y = math.radians(lat - then_lat)
    distance_m = _EARTH_RADIUS_M * math.hypot(x, y)
    return distance_m <= MAX_SPEED_MPS * abs(time_us - then_us) / 1e6 + MOTION_MARGIN_M


@register("beast", "Beast binary, dump1090/readsb port 30005")
class BeastAssembler:
    """Beast bytes in, state reports out, for one feed.

    **Positions.** An aircraft's first position comes from an even and an odd half heard
    within `PAIR_WINDOW_S` (global decoding); later ones from each half alone, against
    the aircraft's last position if it is at most `LOCAL_WINDOW_S` old (local decoding).
    A position is reported only once it follows a previous one at a speed an aircraft can
    fly (so one corrupt frame or bad pair never becomes a report); one that does not is
    counted ``out-of-range`` and the aircraft starts again from a new pair.

    **Reports.** A position becomes a report under the freshness rule of
    `airhotline.feeds._tracks` (altitude and velocity at most ``max_age_s`` from it).
    The track id and ``icao24`` are the aircraft's address in lower-case hex.

    **Time.** The receiver's 12 MHz counter times each frame; it is anchored to UTC at
    the first frame, at ``received_us`` (when the caller read the bytes). With
    ``resync_s`` set (live feeds), the anchor moves to ``received_us`` whenever the
    counter drifts further than that from it, goes back (a receiver restart) or is zero
    (a receiver without timestamps). With ``resync_s=None`` (recordings read at any
    speed) the counter alone times frames after the first, going back aside.

    **Thread-safety.** None: every call mutates the assembler. Use one assembler per
    feed, fed by one thread (the one reading that feed's socket or file), as pyModeS's
    ``PipeDecoder`` is used.
    """

    def __init__(
        self,
        *,
        decoder_name: str = "rs1090",
        freshness: Freshness | None = None,
        resync_s: float | None = 2.0,
    ) -> None:
        self.rejections = Rejections()
        self.tracks = TrackTable(freshness, self.rejections)
        self._decode = decoder(decoder_name)
        self._resync_us = None if resync_s is None else round(resync_s * 1e6)
        self._tail = b""
        self._anchor: tuple[int, int] | None = None  # (ticks, time_us)
        self._cpr: dict[str, _Cpr] = {}
        self._pair_us = round(PAIR_WINDOW_S * 1e6)
        self._local_us = round(LOCAL_WINDOW_S * 1e6)
        self._forget_us = round(self.tracks.freshness.forget_s * 1e6)
        self._next_sweep_us = 0
        self.messages = 0

    def __len__(self) -> int:
        """How many aircraft's CPR state is held."""
        return len(self._cpr)

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The reports completed by the frames in ``data`` (read at ``received_us``,
        UTC microseconds), in the order heard."""
        buffer = self._tail + data if self._tail else data
        frames, tail, garbled = split_frames(buffer)
        self._tail = buffer[tail:]
        rejections = self.rejections
        if garbled:
            rejections[GARBLED] += garbled
        self.messages += len(frames) + garbled
        if self._anchor is None and frames:
            self._anchor = (frames[0][1], received_us)
        keep_ticks: list[int] = []
        keep: list[bytes] = []
        ignored = crc = 0
        for kind, ticks, message in frames:
            # `modes.wanted`, inlined: this runs for every frame of the feed.
            if kind == 0x33 and message[0] in FIRST_BYTES and message[4] in TYPE_BYTES:
                if crc_ok(message):
                    keep_ticks.append(ticks)
                    keep.append(message)
                else:
                    crc += 1
            else:
                ignored += 1  # Mode A/C, short replies, Comm-B, surface and status
        if ignored:
            rejections[IGNORED] += ignored
        if crc:
            rejections[CRC] += crc
        if not keep:
            return []
        try:
            decoded = self._decode(keep)
        except Exception:  # a decoding library's own error on a frame that passed parity
            rejections[GARBLED] += len(keep)
            return []
        rows: list[Row] = []
        for ticks, message, fields in zip(keep_ticks, keep, decoded, strict=True):
            time_us = self._time_us(ticks, received_us)
            address = message[1:4].hex()
            if isinstance(fields, Position):
                row = self._position(address, time_us, fields)
                if row is not None:
                    rows.append(row)
            elif isinstance(fields, Velocity):
                self.tracks.velocity(address, time_us, *fields)
            elif isinstance(fields, Identity):
                self.tracks.callsign(address, time_us, fields.callsign)
            else:
                rejections[UNSUPPORTED] += 1
        self._sweep(time_us)
        return rows

    def _sweep(self, now_us: int) -> None:
        """Forget the CPR state of aircraft unheard for ``forget_s``, at most once per
        ``forget_s`` of feed time, so that a long feed's memory stays bounded."""
        if now_us < self._next_sweep_us:
            return
        self._next_sweep_us = now_us + self._forget_us
        before = now_us - self._forget_us
        for address in [a for a, state in self._cpr.items() if state.heard_us() < before]:
            del self._cpr[address]

    def _time_us(self, ticks: int, received_us: int) -> int:
        anchor = self._anchor
        if anchor is None or ticks < anchor[0] or ticks == 0:
            self._anchor = anchor = (ticks, received_us)
        time_us = anchor[1] + (ticks - anchor[0]) // TICKS_PER_US
        if self._resync_us is not None and abs(time_us - received_us) > self._resync_us:
            self._anchor = (ticks, received_us)
            return received_us
        return time_us

    def _position(self, address: str, time_us: int, fields: Position) -> Row | None:
        state = self._cpr.get(address)
        if state is None:
            state = self._cpr[address] = _Cpr()
        half = (time_us, fields.lat_cpr, fields.lon_cpr)
        if fields.odd:
            state.odd = half
            other = state.even
        else:
            state.even = half
            other = state.odd
        last = state.last
        position: tuple[float, float] | None = None
        if last is not None and time_us - last[0] <= self._local_us:
            position = cpr.local_position(
                fields.lat_cpr, fields.lon_cpr, odd=fields.odd, ref_lat=last[1], ref_lon=last[2]
            )
        elif other is not None and abs(time_us - other[0]) <= self._pair_us:
            even, odd = (other, half) if fields.odd else (half, other)
            position = cpr.global_position(
                even[1], even[2], odd[1], odd[2], odd_is_newer=fields.odd
            )
        if position is None:
            if fields.alt_ft is not None:
                self.tracks.altitude(address, time_us, fields.alt_ft)
            return None
        lat, lon = position
        if last is None or time_us - last[0] > self._local_us:
            state.last = (time_us, lat, lon)  # a first fix: reported once one follows it
            if fields.alt_ft is not None:
                self.tracks.altitude(address, time_us, fields.alt_ft)
            return None
        if not _plausible(last, time_us, lat, lon):
            self.rejections[OUT_OF_RANGE] += 1
            state.last = None  # start again from a new pair
            return None
        state.last = (time_us, lat, lon)
        return self.tracks.position(address, time_us, lat, lon, fields.alt_ft)
