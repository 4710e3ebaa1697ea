"""Broad phase: which axis-aligned boxes overlap, without looking at every pair.

A uniform grid hashes each box into the cells it covers; two boxes can only overlap if
they share a cell. Work grows with the number of boxes times the cells each covers plus
the number of box pairs that share a cell — never with N². No N×N array is built.

Each overlapping pair shares several cells but is emitted exactly once: only from the
cell that holds the lower corner of the two boxes' intersection (a point that lies in
both boxes, so in a cell both cover). Each entry carries one bit per axis saying whether
its cell is its box's first along that axis, so this test is a bitwise OR of two bytes
per pair, and it replaces a sort-and-unique over all emitted pairs.

Pairs are yielded in chunks so that memory stays bounded however dense the traffic.
The module is pure NumPy and knows nothing of aircraft: tactical detection builds the
boxes (swept volumes over the look-ahead) and checks each candidate pair exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_CHUNK_PAIRS", "Boxes", "overlapping_pairs"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Upper bound on the pairs examined at once: small enough that one chunk's temporaries
#: stay in a few tens of megabytes (fresh large allocations cost page faults), large
#: enough that NumPy's per-call overhead is amortised.
DEFAULT_CHUNK_PAIRS = 250_000


@dataclass(frozen=True, slots=True)
class Boxes:
    """N axis-aligned boxes in D dimensions: ``lo`` and ``hi`` of shape ``(N, D)``.

    ``group`` optionally gives each box a group label (for aircraft: its party); pairs
    within one group are then skipped before any geometry is looked at.
    """

    lo: FloatArray
    hi: FloatArray
    group: IntArray | None = None

    def __post_init__(self) -> None:
        if self.lo.ndim != 2 or self.lo.shape != self.hi.shape:
            raise ValueError(
                f"lo and hi must both be (N, D), got {self.lo.shape} and {self.hi.shape}"
            )
        if self.group is not None and self.group.shape != (self.lo.shape[0],):
            raise ValueError(f"group: expected shape ({self.lo.shape[0]},), got {self.group.shape}")


def overlapping_pairs(
    boxes: Boxes,
    cell_size: npt.ArrayLike,
    *,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
) -> Iterator[tuple[IntArray, IntArray]]:
    """Yield chunks ``(i, j)`` (with ``i < j``) of every pair of strictly overlapping boxes.

    Strict: boxes that only touch (``lo_a == hi_b``) do not overlap, which matches the
    strict "closer than the minimum" of separation. Pairs of the same ``group`` are left
    out. ``cell_size`` has one positive entry per dimension; choosing it near the typical
    box extent keeps both the cells per box and the boxes per cell small.
    """
    lo, hi = boxes.lo, boxes.hi
    n, dims = lo.shape
    cell = np.broadcast_to(np.asarray(cell_size, dtype=np.float64), (dims,))
    if n < 2:
        return
    if not np.all(cell > 0.0):
        raise ValueError(f"cell sizes must be positive, got {cell}")

    if not (np.all(np.abs(lo / cell) < 2.0**52) and np.all(np.abs(hi / cell) < 2.0**52)):
        raise ValueError("grid too fine for the extent of the boxes; use larger cells")
    cell_lo = np.floor(lo / cell).astype(np.int64)
    cell_hi = np.floor(hi / cell).astype(np.int64)
    cells_per_axis = cell_hi - cell_lo + 1
    cells_per_box = np.prod(cells_per_axis, axis=1)

    # Mixed-radix cell key, so that sorting groups entries by cell.
    origin = cell_lo.min(axis=0)
    span = cell_hi.max(axis=0) - origin + 1
    if float(np.prod(span.astype(np.float64))) >= 2.0**62:
        raise ValueError("grid too fine for the extent of the boxes; use larger cells")
    stride = np.ones(dims, dtype=np.int64)
    for d in range(dims - 2, -1, -1):
        stride[d] = stride[d + 1] * span[d + 1]

    # One entry per (box, covered cell), laid out box after box. ``lowest`` has bit d set
    # when the entry's cell is its box's first cell along axis d.
    owner = np.repeat(np.arange(n, dtype=np.int64), cells_per_box)
    first_entry = np.cumsum(cells_per_box) - cells_per_box
    local = np.arange(owner.size, dtype=np.int64) - first_entry[owner]
    key = ((cell_lo - origin) @ stride)[owner]
    lowest = np.zeros(owner.size, dtype=np.uint8)
    for d in range(dims - 1, -1, -1):
        local, digit = np.divmod(local, cells_per_axis[:, d][owner])
        key += digit * stride[d]
        lowest |= (digit == 0).astype(np.uint8) << np.uint8(d)

    # Sort by cell, then by group inside a cell: an entry then pairs only with the entries
    # of later groups in its cell, and same-group pairs are never even formed.
    if boxes.group is not None:
        group = boxes.group - boxes.group.min()
        sort_key = key * (int(group.max()) + 1) + group[owner]
    else:
        sort_key = key
    order = np.argsort(sort_key)
    sort_key, key, owner, lowest = sort_key[order], key[order], owner[order], lowest[order]

    new_cell = np.r_[True, key[1:] != key[:-1]]
    cell_start = np.flatnonzero(new_cell)
    cell_end = np.r_[cell_start[1:], key.size][np.cumsum(new_cell) - 1]
    if boxes.group is not None:
        new_group = np.r_[True, sort_key[1:] != sort_key[:-1]]
        group_start = np.flatnonzero(new_group)
        partner_start = np.r_[group_start[1:], key.size][np.cumsum(new_group) - 1]
    else:
        partner_start = np.arange(1, key.size + 1, dtype=np.int64)
    partners = cell_end - partner_start
    partners_before = np.cumsum(partners)

    home_bits = np.uint8((1 << dims) - 1)
    lo_columns, hi_columns = np.ascontiguousarray(lo.T), np.ascontiguousarray(hi.T)
    start = 0
    while start < key.size:
        # Take whole entries until the chunk holds about chunk_pairs candidate pairs.
        budget = (partners_before[start - 1] if start else 0) + max(chunk_pairs, 1)
        stop = max(int(np.searchsorted(partners_before, budget, side="right")), start + 1)
        count = partners[start:stop]
        total = int(count.sum())
        if total:
            first = np.repeat(np.arange(start, stop, dtype=np.int64), count)
            offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
            second = np.repeat(partner_start[start:stop], count) + offset
            # The pair's home is the cell holding the lower corner of the two boxes'
            # intersection: on every axis, the later of their first cells. This cell is
            # it exactly when, on every axis, one of the two boxes starts here.
            home = (lowest[first] | lowest[second]) == home_bits
            a, b = owner[first[home]], owner[second[home]]
            # One axis at a time, each narrowing the pairs the next one gathers: the
            # last axis first (altitude, for aircraft: the thinnest band, so it drops the
            # most), every column contiguous.
            for d in range(dims - 1, -1, -1):
                lo_d, hi_d = lo_columns[d], hi_columns[d]
                overlap = (lo_d[a] < hi_d[b]) & (lo_d[b] < hi_d[a])
                a, b = a[overlap], b[overlap]
            yield np.minimum(a, b), np.maximum(a, b)
        start = stop
