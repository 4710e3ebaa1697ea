"""Feed adapters: real surveillance formats to state reports ready for ingest.

Each format has a module of its own, with pure parsers and one stateful *assembler*
registered under the format's name:

=============  ===============================================================
``asterix``    ASTERIX CAT021, CAT048 (radar positions configured), CAT062: `asterix`
``sbs``        SBS-1 BaseStation text (dump1090/readsb port 30003): `sbs`
``beast``      Beast binary Mode S (port 30005): `beast`, with `modes`, `cpr`
``opensky``    OpenSky Network ``states/all`` JSON: `opensky`
``trajectory`` recorded trajectories (traffic's JSON, CSV, Parquet): `trajectory`
=============  ===============================================================

An assembler takes bytes as they are read, ``feed(data, received_us)``, and returns the
state reports they complete as rows for ``ReportBatch.from_rows`` and ``POST /v1/tracks``
(`Row`), each already within the bounds the ingest API checks; what it skips it counts in
``assembler.rejections`` by reason (`Rejections`). No parser raises on what a feed sends.
Assemblers are not thread-safe: one per feed, fed by the one thread reading it.
"""

from __future__ import annotations

from airhotline.feeds import asterix, beast, opensky, sbs, trajectory
from airhotline.feeds._registry import ADAPTERS, Adapter, Assembler, adapter, make_assembler
from airhotline.feeds._rejects import REASONS, Rejections
from airhotline.feeds._rows import Row
from airhotline.feeds._tracks import Freshness

__all__ = [
    "ADAPTERS",
    "REASONS",
    "Adapter",
    "Assembler",
    "Freshness",
    "Rejections",
    "Row",
    "adapter",
    "asterix",
    "beast",
    "make_assembler",
    "opensky",
    "sbs",
    "trajectory",
]
