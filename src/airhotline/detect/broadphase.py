"""Broad phase: which axis-aligned boxes overlap, without looking at every pair.

A uniform grid hashes each box into the cells it covers; two boxes can only overlap if
they share a cell. Work grows with the number of boxes times the cells each covers plus
the number of box pairs that share a cell — never with N². No N×N array is built.

Each overlapping pair shares several cells but is emitted exactly once: only from the
cell that holds the lower corner of the two boxes' intersection (a point that lies in
both boxes, so in a cell both cover). That replaces a sort-and-unique over all emitted
pairs with one comparison per pair.

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

#: Upper bound on the pairs examined at once; sized so one chunk's temporaries stay
#: around a few hundred megabytes.
DEFAULT_CHUNK_PAIRS = 2_000_000


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

    # One entry per (box, covered cell), laid out box after box.
    owner = np.repeat(np.arange(n, dtype=np.int64), cells_per_box)
    first_entry = np.cumsum(cells_per_box) - cells_per_box
    local = np.arange(owner.size, dtype=np.int64) - first_entry[owner]
    entry_cell = np.empty((owner.size, dims), dtype=np.int64)
    for d in range(dims - 1, -1, -1):
        count = cells_per_axis[owner, d]
        entry_cell[:, d] = cell_lo[owner, d] + local % count
        local //= count

    # Mixed-radix key of the cell, so that sorting groups entries by cell.
    origin = cell_lo.min(axis=0)
    span = cell_hi.max(axis=0) - origin + 1
    if float(np.prod(span.astype(np.float64))) >= 2.0**62:
        raise ValueError("grid too fine for the extent of the boxes; use larger cells")
    key = np.zeros(owner.size, dtype=np.int64)
    for d in range(dims):
        key = key * span[d] + (entry_cell[:, d] - origin[d])

    order = np.argsort(key, kind="stable")
    key = key[order]
    owner = owner[order]
    entry_cell = entry_cell[order]

    # Entries that share a cell form a run; every entry pairs with the rest of its run.
    run_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    run_length = np.diff(np.r_[run_start, key.size])
    position = np.arange(key.size, dtype=np.int64) - np.repeat(run_start, run_length)
    partners = np.repeat(run_length, run_length) - position - 1
    partners_before = np.cumsum(partners)

    start = 0
    while start < key.size:
        # Take whole entries until the chunk holds about chunk_pairs candidate pairs.
        budget = (partners_before[start - 1] if start else 0) + max(chunk_pairs, 1)
        stop = int(np.searchsorted(partners_before, budget, side="right"))
        stop = max(stop, start + 1)
        yield from _pairs_of_entries(
            start, stop, partners, owner, entry_cell, lo, hi, cell, boxes.group
        )
        start = stop


def _pairs_of_entries(
    start: int,
    stop: int,
    partners: IntArray,
    owner: IntArray,
    entry_cell: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    cell: FloatArray,
    group: IntArray | None,
) -> Iterator[tuple[IntArray, IntArray]]:
    count = partners[start:stop]
    total = int(count.sum())
    if total == 0:
        return
    first = np.repeat(np.arange(start, stop, dtype=np.int64), count)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    second = first + 1 + offset

    a = owner[first]
    b = owner[second]
    keep = np.ones(total, dtype=bool) if group is None else group[a] != group[b]
    first, a, b = first[keep], a[keep], b[keep]

    lo_a, lo_b = lo[a], lo[b]
    hi_a, hi_b = hi[a], hi[b]
    overlap = np.all((lo_a < hi_b) & (lo_b < hi_a), axis=1)
    corner_cell = np.floor(np.maximum(lo_a, lo_b) / cell).astype(np.int64)
    home = np.all(corner_cell == entry_cell[first], axis=1)
    keep = overlap & home
    a, b = a[keep], b[keep]
    yield np.minimum(a, b), np.maximum(a, b)
