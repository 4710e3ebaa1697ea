"""Property tests: the broad phase drops nothing and invents nothing.

`overlapping_pairs` is compared with an O(N²) box check on random boxes, and
`detect_conflicts` (grid broad phase) with `detect_conflicts_exhaustive` (every pair) on
random traffic, worldwide and in dense clusters at awkward places. Traffic is drawn by a
seeded NumPy generator whose seed and shape parameters come from hypothesis, which keeps
examples cheap to generate while hypothesis still explores (and replays) them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airhotline import units
from airhotline.detect import (
    Boxes,
    Conflicts,
    PairSelection,
    TrackStates,
    detect_conflicts,
    detect_conflicts_exhaustive,
    overlapping_pairs,
)
from airhotline.detect.exhaustive import all_pairs

IntArray = npt.NDArray[np.int64]
seeds = st.integers(min_value=0, max_value=2**32 - 1)


# --- overlapping_pairs -------------------------------------------------------------------


def brute_force_pairs(boxes: Boxes) -> set[tuple[int, int]]:
    lo, hi = boxes.lo, boxes.hi
    overlap = np.all((lo[:, None, :] < hi[None, :, :]) & (lo[None, :, :] < hi[:, None, :]), axis=2)
    if boxes.group is not None:
        overlap &= boxes.group[:, None] != boxes.group[None, :]
    i, j = np.nonzero(np.triu(overlap, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def grid_pairs(boxes: Boxes, cell_size: npt.ArrayLike, chunk_pairs: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for i, j in overlapping_pairs(boxes, cell_size, chunk_pairs=chunk_pairs):
        assert i.dtype == np.int64
        assert j.dtype == np.int64
        assert i.shape == j.shape
        assert np.all(i < j)
        found.extend(zip(i.tolist(), j.tolist(), strict=True))
    return found


#: Longest box, in cells per axis, so that tiny cells stay affordable: at most a few
#: thousand grid entries per box whatever the dimension.
MAX_CELLS_PER_AXIS = {1: 200, 2: 40, 3: 12, 4: 6}


@st.composite
def random_boxes(draw: st.DrawFn) -> tuple[Boxes, np.ndarray, int]:
    """Boxes on a coarse lattice (so that touching faces and equal corners are common),
    or with continuous coordinates, plus a cell size from tiny to huge and a chunk size."""
    rng = np.random.default_rng(draw(seeds))
    n = draw(st.integers(min_value=0, max_value=120))
    dims = draw(st.integers(min_value=1, max_value=4))
    lattice = draw(st.booleans())
    span = draw(st.sampled_from([5.0, 20.0, 100.0]))
    offset = draw(st.sampled_from([0.0, -37.5, 1e6]))
    if lattice:
        lo = rng.integers(0, int(span), size=(n, dims)).astype(np.float64)
        extent = rng.integers(0, 4, size=(n, dims)).astype(np.float64)
    else:
        lo = rng.uniform(0.0, span, size=(n, dims))
        extent = rng.exponential(span / 10.0, size=(n, dims))
        extent[rng.random((n, dims)) < 0.1] = 0.0  # some flat boxes
    cell_scale = draw(st.sampled_from([0.1, 0.25, 1.0, 3.0, 50.0, 1e9]))
    cell = cell_scale * rng.uniform(0.5, 1.5, size=dims)
    extent = np.minimum(extent, (MAX_CELLS_PER_AXIS[dims] - 2) * cell)
    lo += offset
    hi = lo + extent
    if n and draw(st.booleans()):  # duplicate some boxes exactly
        copies = rng.integers(0, n, size=n // 4)
        lo[: copies.size] = lo[copies]
        hi[: copies.size] = hi[copies]
    group = None
    if draw(st.booleans()):
        group = rng.integers(0, draw(st.integers(1, 4)), size=n).astype(np.int64)
    chunk = draw(st.sampled_from([1, 2, 3, 7, 64, 2_000_000]))
    return Boxes(lo=lo, hi=hi, group=group), cell, chunk


@settings(max_examples=60, deadline=None)
@given(case=random_boxes())
def test_overlapping_pairs_equals_brute_force(case: tuple[Boxes, np.ndarray, int]) -> None:
    boxes, cell, chunk = case
    found = grid_pairs(boxes, cell, chunk)
    assert len(found) == len(set(found)), "a pair was emitted twice"
    assert set(found) == brute_force_pairs(boxes)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, chunk=st.sampled_from([1, 5, 1000]))
def test_overlapping_pairs_all_in_one_cell(seed: int, chunk: int) -> None:
    # A huge cell puts every box in one run: the worst case for chunking.
    rng = np.random.default_rng(seed)
    lo = rng.uniform(0.0, 10.0, size=(80, 2))
    boxes = Boxes(lo=lo, hi=lo + rng.uniform(0.0, 3.0, size=(80, 2)))
    found = grid_pairs(boxes, 1e12, chunk)
    assert len(found) == len(set(found))
    assert set(found) == brute_force_pairs(boxes)


def test_touching_boxes_do_not_overlap() -> None:
    lo = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    hi = lo + 1.0
    pairs = grid_pairs(Boxes(lo=lo, hi=hi), [1.0, 1.0], 10)
    # Faces at x = 1 and y = 1 only touch; the shifted box overlaps all three.
    assert sorted(pairs) == [(0, 3), (1, 3), (2, 3)]


def test_group_filter() -> None:
    lo = np.zeros((4, 3))
    hi = np.ones((4, 3))
    group = np.array([0, 0, 1, 1], dtype=np.int64)
    pairs = grid_pairs(Boxes(lo=lo, hi=hi, group=group), 0.5, 1)
    assert sorted(pairs) == [(0, 2), (0, 3), (1, 2), (1, 3)]
    assert len(grid_pairs(Boxes(lo=lo, hi=hi), 0.5, 1)) == 6


def test_fewer_than_two_boxes_and_bad_arguments() -> None:
    one = Boxes(lo=np.zeros((1, 2)), hi=np.ones((1, 2)))
    none = Boxes(lo=np.zeros((0, 2)), hi=np.zeros((0, 2)))
    assert grid_pairs(one, 1.0, 10) == []
    assert grid_pairs(none, 1.0, 10) == []
    two = Boxes(lo=np.zeros((2, 2)), hi=np.ones((2, 2)))
    with pytest.raises(ValueError, match="positive"):
        list(overlapping_pairs(two, [1.0, 0.0]))
    far_apart = np.array([[0.0, 0.0, 0.0], [1e7, 1e7, 1e7]])
    with pytest.raises(ValueError, match="too fine"):
        list(overlapping_pairs(Boxes(lo=far_apart, hi=far_apart), 1e-2))
    with pytest.raises(ValueError, match="lo and hi"):
        Boxes(lo=np.zeros((2, 2)), hi=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="group"):
        Boxes(lo=np.zeros((2, 2)), hi=np.ones((2, 2)), group=np.zeros(3, dtype=np.int64))


def test_all_pairs_enumerates_every_pair_once() -> None:
    party = np.array([0, 1, 0, 2, 1, 1, 0], dtype=np.int64)
    n = party.size
    for chunk in (1, 3, 100):
        pairs = [
            (a, b)
            for i, j in all_pairs(party, "all", chunk_pairs=chunk)
            for a, b in zip(i.tolist(), j.tolist(), strict=True)
        ]
        assert sorted(pairs) == [(a, b) for a in range(n) for b in range(a + 1, n)]
        cross = [
            (a, b)
            for i, j in all_pairs(party, chunk_pairs=chunk)
            for a, b in zip(i.tolist(), j.tolist(), strict=True)
        ]
        assert sorted(cross) == [
            (a, b) for a in range(n) for b in range(a + 1, n) if party[a] != party[b]
        ]


# --- detect_conflicts against the exhaustive check ------------------------------------------


def assert_same_conflicts(found: Conflicts, brute: Conflicts) -> None:
    np.testing.assert_array_equal(found.i, brute.i)
    np.testing.assert_array_equal(found.j, brute.j)
    for name in ("t_in_s", "t_out_s", "t_cpa_s", "dcpa_m", "dz_cpa_m"):
        np.testing.assert_allclose(
            getattr(found, name), getattr(brute, name), rtol=1e-12, atol=1e-9, err_msg=name
        )
    np.testing.assert_array_equal(found.los, brute.los)


def random_traffic(
    rng: np.random.Generator,
    n: int,
    *,
    centre: tuple[float, float] | None,
    radius_nm: float,
    alt_band_ft: tuple[float, float],
    max_gs_kt: float,
    parties: int,
    custom_minima: bool,
) -> TrackStates:
    """``n`` tracks worldwide (``centre`` None) or within ``radius_nm`` of a centre."""
    if centre is None:
        # Uniform on the sphere, plus a few at the poles and on the antimeridian.
        lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
        lon = rng.uniform(-180.0, 180.0, n)
        special = rng.random(n)
        lat[special < 0.05] = 90.0
        lat[(special >= 0.05) & (special < 0.1)] = -90.0
        lon[(special >= 0.1) & (special < 0.15)] = 180.0
    else:
        from pyproj import Geod

        geod = Geod(ellps="WGS84")
        distance = units.m_from_nm(radius_nm) * np.sqrt(rng.random(n))
        azimuth = rng.uniform(-180.0, 180.0, n)
        lon_, lat_, _ = geod.fwd(np.full(n, centre[1]), np.full(n, centre[0]), azimuth, distance)
        lat, lon = np.asarray(lat_), np.asarray(lon_)
    gs = units.mps_from_kt(rng.uniform(0.0, max_gs_kt, n))
    gs[rng.random(n) < 0.1] = 0.0  # hovering
    h_sep = np.full(n, units.m_from_nm(3.0))
    v_sep = np.full(n, units.m_from_ft(1000.0))
    if custom_minima:
        h_sep = units.m_from_nm(rng.choice([1.0, 3.0, 5.0], n))
        v_sep = units.m_from_ft(rng.choice([500.0, 1000.0, 2000.0], n))
    # Flight levels (so that exact 1000 ft separations occur) and arbitrary altitudes.
    level = rng.integers(int(alt_band_ft[0]) // 100, int(alt_band_ft[1]) // 100 + 1, n)
    levels = units.m_from_ft((100 * level).astype(np.float64))
    anywhere = units.m_from_ft(rng.uniform(*alt_band_ft, n))
    alt = np.where(rng.random(n) < 0.5, levels, anywhere)
    vrate = np.where(rng.random(n) < 0.5, 0.0, units.mps_from_fpm(rng.uniform(-4000, 4000, n)))
    return TrackStates.build(
        lat_deg=lat,
        lon_deg=lon,
        alt_m=alt,
        gs_mps=gs,
        track_rad=rng.uniform(0.0, 2.0 * np.pi, n),
        vrate_mps=vrate,
        party=rng.integers(0, parties, n),
        h_sep_m=h_sep,
        v_sep_m=v_sep,
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    n=st.integers(min_value=0, max_value=300),
    pairs=st.sampled_from(["cross-party", "all"]),
    chunk=st.sampled_from([1, 17, 2_000_000]),
)
def test_worldwide_traffic_matches_exhaustive(
    seed: int, n: int, pairs: PairSelection, chunk: int
) -> None:
    rng = np.random.default_rng(seed)
    tracks = random_traffic(
        rng,
        n,
        centre=None,
        radius_nm=0.0,
        alt_band_ft=(0.0, 45_000.0),
        max_gs_kt=600.0,
        parties=3,
        custom_minima=bool(seed % 2),
    )
    found = detect_conflicts(tracks, pairs=pairs, chunk_pairs=chunk)
    assert_same_conflicts(found, detect_conflicts_exhaustive(tracks, pairs=pairs))


CLUSTER_CENTRES = [
    (47.0, 8.0),  # somewhere ordinary
    (0.0, 180.0),  # on the antimeridian at the equator
    (-65.0, -179.95),  # on the antimeridian in the south
    (89.9, 0.0),  # around the north pole
    (-89.95, 123.0),  # around the south pole
    (90.0, 0.0),  # centred on the pole itself
]


@settings(max_examples=40, deadline=None)
@given(
    seed=seeds,
    n=st.integers(min_value=2, max_value=200),
    centre=st.sampled_from(CLUSTER_CENTRES),
    radius_nm=st.sampled_from([2.0, 8.0, 20.0]),
    lookahead=st.sampled_from([0.0, 60.0, 300.0, 600.0]),
    pairs=st.sampled_from(["cross-party", "all"]),
    chunk=st.sampled_from([1, 50, 2_000_000]),
)
def test_dense_cluster_matches_exhaustive(
    seed: int,
    n: int,
    centre: tuple[float, float],
    radius_nm: float,
    lookahead: float,
    pairs: PairSelection,
    chunk: int,
) -> None:
    rng = np.random.default_rng(seed)
    tracks = random_traffic(
        rng,
        n,
        centre=centre,
        radius_nm=radius_nm,
        alt_band_ft=(0.0, 6000.0),
        max_gs_kt=float(rng.choice([60.0, 250.0, 600.0])),
        parties=int(rng.integers(1, 5)),
        custom_minima=bool(seed % 3 == 0),
    )
    found = detect_conflicts(tracks, lookahead_s=lookahead, pairs=pairs, chunk_pairs=chunk)
    brute = detect_conflicts_exhaustive(tracks, lookahead_s=lookahead, pairs=pairs)
    assert_same_conflicts(found, brute)


@pytest.mark.parametrize("centre", CLUSTER_CENTRES)
def test_dense_cluster_has_many_conflicts(centre: tuple[float, float]) -> None:
    # The property test above is only worth something if clusters do conflict: check a
    # fixed example has plenty, and that the broad phase still finds all of them.
    tracks = random_traffic(
        np.random.default_rng(2024),
        300,
        centre=centre,
        radius_nm=20.0,
        alt_band_ft=(0.0, 6000.0),
        max_gs_kt=400.0,
        parties=3,
        custom_minima=False,
    )
    found = detect_conflicts(tracks, chunk_pairs=100)
    assert len(found) > 200
    assert np.any(found.los)
    assert np.any(~found.los)
    assert_same_conflicts(found, detect_conflicts_exhaustive(tracks))


def test_worldwide_traffic_has_conflicts() -> None:
    # Sparse traffic conflicts rarely; the poles and the antimeridian gather it.
    tracks = random_traffic(
        np.random.default_rng(11),
        2000,
        centre=None,
        radius_nm=0.0,
        alt_band_ft=(0.0, 45_000.0),
        max_gs_kt=600.0,
        parties=3,
        custom_minima=False,
    )
    found = detect_conflicts(tracks)
    assert len(found) > 10
    assert_same_conflicts(found, detect_conflicts_exhaustive(tracks))
