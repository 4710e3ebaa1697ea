"""The journal's canonical form and hash chain: pure functions, no I/O.

A record's canonical content is the JSON text, keys sorted, separators ``","`` and
``":"``, non-ASCII characters kept as they are, of::

    {"audience": [sorted party ids], "kind": ..., "party_id": ..., "payload": {...},
     "seq": ..., "time_us": ...}

and its hash is ``sha256(prev_hash + "\\n" + content)`` in lowercase hex, with
``prev_hash`` 64 zeros for the first record. Anyone can recompute the chain from the
stored rows with nothing but a JSON library and SHA-256.

The payload is stored as the canonical JSON text of the payload (never a JSON column,
which could reorder keys); `content` splices that text in, so the payload is serialised
once, and a stored payload altered in any way, even only in its spacing, breaks the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

__all__ = ["GENESIS_HASH", "content", "dumps", "link"]

#: ``prev_hash`` of the first record.
GENESIS_HASH = "0" * 64


def dumps(value: object) -> str:
    """Canonical JSON text of ``value``.

    Raises `TypeError` for what JSON cannot hold and `ValueError` for NaN or infinities,
    which strict JSON does not allow.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content(
    *,
    seq: int,
    time_us: int,
    kind: str,
    party_id: int | None,
    audience: Iterable[int],
    payload_json: str,
) -> str:
    """Canonical content of one record, ``payload_json`` being ``dumps(payload)``.

    Equal to ``dumps({"seq": ..., ..., "payload": payload})`` (the keys here are already
    in sorted order), built without serialising the payload a second time.
    """
    return (
        f'{{"audience":{dumps(sorted(audience))},"kind":{dumps(kind)},'
        f'"party_id":{dumps(party_id)},"payload":{payload_json},'
        f'"seq":{dumps(seq)},"time_us":{dumps(time_us)}}}'
    )


def link(prev_hash: str, canonical_content: str) -> str:
    """Hash of a record: hex SHA-256 of the previous hash, a newline and the content."""
    data = f"{prev_hash}\n{canonical_content}".encode()
    return hashlib.sha256(data).hexdigest()
