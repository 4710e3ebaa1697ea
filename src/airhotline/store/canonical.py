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


#: What `json.dumps` builds afresh for every call with these options: built once.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def dumps(value: object) -> str:
    """Canonical JSON text of ``value``.

    Raises `TypeError` for what JSON cannot hold and `ValueError` for NaN or infinities,
    which strict JSON does not allow.
    """
    return _ENCODER.encode(value)


def _number(value: object) -> str:
    # An int's JSON text is its decimal text (what `json` writes for it).
    return str(value) if type(value) is int else dumps(value)


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
    members = ",".join(_number(p) for p in sorted(audience))
    owner = "null" if party_id is None else _number(party_id)
    return (
        f'{{"audience":[{members}],"kind":{dumps(kind)},'
        f'"party_id":{owner},"payload":{payload_json},'
        f'"seq":{_number(seq)},"time_us":{_number(time_us)}}}'
    )


def link(prev_hash: str, canonical_content: str) -> str:
    """Hash of a record: hex SHA-256 of the previous hash, a newline and the content."""
    data = f"{prev_hash}\n{canonical_content}".encode()
    return hashlib.sha256(data).hexdigest()
