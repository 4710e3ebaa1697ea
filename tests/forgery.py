"""A forger's rewrite of the journal: rows edited and every later one rehashed, so that
the chain is intact again and only a head kept elsewhere can tell."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from airhotline.store import Record
from airhotline.store.canonical import content, link

#: Executed with each of `rehashed`'s rows.
REWRITE_ROW = "UPDATE journal SET payload = :p, prev_hash = :ph, hash = :h WHERE seq = :s"


def rehashed(
    records: Iterable[Record], prev_hash: str, payload_of: Callable[[Record], str]
) -> list[dict[str, Any]]:
    """The parameters of `REWRITE_ROW` for each record, in order, after ``prev_hash``:
    its payload as ``payload_of`` forges it, and the hashes that chain them."""
    rows = []
    for record in records:
        payload = payload_of(record)
        new_hash = link(
            prev_hash,
            content(
                seq=record.seq,
                time_us=record.time_us,
                kind=record.kind,
                party_id=record.party_id,
                audience=record.audience,
                payload_json=payload,
            ),
        )
        rows.append({"p": payload, "ph": prev_hash, "h": new_hash, "s": record.seq})
        prev_hash = new_hash
    return rows
