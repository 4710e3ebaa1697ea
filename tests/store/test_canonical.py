"""The canonical form and the chain link, against the definition written out longhand."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airhotline.store.canonical import GENESIS_HASH, content, dumps, link

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def longhand(
    seq: int, time_us: int, kind: str, party_id: int | None, audience: list[int], payload: Any
) -> str:
    """The definition: one JSON document, keys sorted, compact, non-ASCII kept."""
    document = {
        "seq": seq,
        "time_us": time_us,
        "kind": kind,
        "party_id": party_id,
        "audience": sorted(audience),
        "payload": payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(
    seq=st.integers(1, 2**62),
    time_us=st.integers(-(2**62), 2**62),
    kind=st.text(min_size=1),
    party_id=st.none() | st.integers(1, 2**31),
    audience=st.sets(st.integers(1, 2**31), max_size=5),
    payload=st.dictionaries(st.text(), json_values, max_size=5),
)
def test_content_is_the_longhand_definition(
    seq: int,
    time_us: int,
    kind: str,
    party_id: int | None,
    audience: set[int],
    payload: dict[str, Any],
) -> None:
    spliced = content(
        seq=seq,
        time_us=time_us,
        kind=kind,
        party_id=party_id,
        audience=audience,
        payload_json=dumps(payload),
    )
    assert spliced == longhand(seq, time_us, kind, party_id, list(audience), payload)


def test_content_keeps_non_ascii_and_sorts_everything() -> None:
    text = content(
        seq=2,
        time_us=10,
        kind="hotline.message",
        party_id=7,
        audience={9, 7},
        payload_json=dumps({"текст": "курс 270", "b": 1, "a": [3, 1]}),
    )
    assert text == (
        '{"audience":[7,9],"kind":"hotline.message","party_id":7,'
        '"payload":{"a":[3,1],"b":1,"текст":"курс 270"},"seq":2,"time_us":10}'
    )


def test_link_is_sha256_of_previous_hash_newline_content() -> None:
    expected = hashlib.sha256(("0" * 64 + "\n" + "{}").encode()).hexdigest()
    assert link(GENESIS_HASH, "{}") == expected
    assert GENESIS_HASH == "0" * 64


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_dumps_refuses_what_strict_json_cannot_hold(bad: float) -> None:
    with pytest.raises(ValueError, match="JSON"):
        dumps({"x": bad})
