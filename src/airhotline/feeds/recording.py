"""A recording read whole into rows, in time order, for replay.

Trajectory files (traffic's JSON, CSV, Parquet) are read by their own assembler; a
Beast, SBS or ASTERIX capture is fed to its live assembler in chunks, as a receiver
would have read it: SBS timed by each line's own clock (a recording's lines were read
long ago), ASTERIX by each record's time of day on the day of ``start_us``, Beast by
its 12 MHz counter from an anchor at ``start_us`` and never resynchronised (a file read
at once has no arrival times to resynchronise on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airhotline.feeds._registry import Assembler, make_assembler
from airhotline.feeds._rows import Row

__all__ = ["FORMATS", "Recording", "guess_format", "read_recording"]

FORMATS = ("trajectory", "beast", "sbs", "asterix")
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Recording:
    rows: list[Row]
    #: The assembler that read it, with its tally of messages and rejections.
    assembler: Assembler


def guess_format(path: Path) -> str:
    """The format a file's name suggests: ``.bin``/``.beast`` Beast, ``.sbs``/``.txt``
    SBS, ``.ast``/``.asterix``/``.raw`` ASTERIX (asterix-decoder names its recordings
    of raw data blocks ``.raw``), anything else a trajectory file (which tells its own
    kinds apart)."""
    suffix = path.suffix.lower()
    if suffix in (".ast", ".asterix", ".raw"):
        return "asterix"
    if suffix in (".bin", ".beast"):
        return "beast"
    if suffix in (".sbs", ".txt", ".basestation"):
        return "sbs"
    return "trajectory"


def read_recording(
    data: bytes, fmt: str, start_us: int, options: Mapping[str, Any] | None = None
) -> Recording:
    """The rows of a whole recording, sorted by time; ``start_us`` times a snapshot
    file without times, anchors a Beast capture's counter and gives ASTERIX's times of
    day their day. ``options`` go to the assembler (ASTERIX: ``sensors``)."""
    if options and fmt != "asterix":
        raise ValueError(f"{sorted(options)}: only for asterix recordings")
    if fmt == "trajectory":
        assembler = make_assembler("trajectory")
        rows = assembler.feed(data, start_us)
    elif fmt == "sbs":
        assembler = make_assembler("sbs", clock="message")
        # A final newline closes the last line if the recorder left it open.
        rows = _chunked(assembler, data if data.endswith(b"\n") else data + b"\n", start_us)
    elif fmt == "asterix":
        assembler = make_assembler("asterix", **(options or {}))
        rows = _chunked(assembler, data, start_us)
    elif fmt == "beast":
        assembler = make_assembler("beast", resync_s=None)
        rows = _chunked(assembler, data, start_us)
    else:
        raise ValueError(f"cannot replay {fmt!r}: one of {list(FORMATS)}")
    rows.sort(key=lambda row: row["time_us"])
    return Recording(rows, assembler)


def _chunked(assembler: Assembler, data: bytes, start_us: int) -> list[Row]:
    rows: list[Row] = []
    for offset in range(0, len(data), _CHUNK):
        rows.extend(assembler.feed(data[offset : offset + _CHUNK], start_us))
    return rows
