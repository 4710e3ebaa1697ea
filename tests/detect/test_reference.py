"""An independent reference for tactical detection, by brute-force flight simulation.

The engine solves each pair in closed form in a tangent plane. This reference shares
none of that geometry: it flies every aircraft along its WGS-84 geodesic with pyproj
(``Geod.fwd``: constant ground speed, starting azimuth = track), altitude linear in time,
on a fine time grid over [0, T], and measures the pair with ``Geod.inv`` and |Δalt| at
every step. Separation is lost at a step where distance < H and |Δalt| < V.

With ``s(t) = max(distance / H, |Δalt| / V)``, a conflict is ``min s < 1`` over [0, T].
``s`` is quasi-convex over a look-ahead (both its parts are), so its true minimum lies
within one grid step of the grid's minimum; the reference refines there (and at entry
and exit) on a grid a hundred times finer, which makes it accurate to a few hundredths
of a percent — well inside the 0.5 % band where a pair counts as a boundary case.

Encounters are built backwards from a planned meeting: where both aircraft are at a
chosen time, with a chosen distance and height between them, placed worldwide with
extra weight on the antimeridian and the poles; each aircraft is then flown back along
its geodesic to its state at t = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from pyproj import Geod

from airhotline import units
from airhotline.detect import Conflicts, TrackStates, detect_conflicts

FloatArray = npt.NDArray[np.float64]
#: The engine's answer per planned pair, by field name (floats, and booleans for
#: "conflict" and "los").
PairAnswers = dict[str, npt.NDArray[Any]]

GEOD = Geod(ellps="WGS84")
T = 300.0
DT = 0.25
GRID = np.arange(0.0, T + 0.5 * DT, DT)
#: Steps of the refining grids, across one coarse step either side.
FINE = 101
#: A pair whose reference minimum of s lies within this of 1 is a boundary case.
BOUNDARY = 0.005
N_PAIRS = 600
#: At most this fraction of the pairs may be boundary cases.
MAX_BOUNDARY_FRACTION = 0.05


@dataclass(frozen=True)
class Encounters:
    """M pairs: aircraft A of pair k is track 2k, aircraft B is track 2k + 1."""

    states: TrackStates
    h_sep_m: FloatArray  # (M,) the pair's minima, the larger of its two tracks'
    v_sep_m: FloatArray
    region: npt.NDArray[np.str_]  # (M,) where the meeting was planned, for messages

    @property
    def a(self) -> slice:
        return slice(0, None, 2)

    @property
    def b(self) -> slice:
        return slice(1, None, 2)

    def __len__(self) -> int:
        return int(self.h_sep_m.shape[0])


def make_encounters(rng: np.random.Generator, m: int) -> Encounters:
    region = rng.choice(
        ["anywhere", "antimeridian", "north", "south", "pole", "high"],
        size=m,
        p=[0.35, 0.2, 0.15, 0.15, 0.05, 0.1],
    )
    # Where aircraft A is at the planned time.
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, m)))
    lon = rng.uniform(-180.0, 180.0, m)
    near_180 = region == "antimeridian"
    lon[near_180] = (180.0 + rng.uniform(-0.2, 0.2, near_180.sum()) + 180.0) % 360.0 - 180.0
    north = region == "north"
    lat[north] = 90.0 - rng.uniform(0.0, 0.5, north.sum())
    south = region == "south"
    lat[south] = -90.0 + rng.uniform(0.0, 0.5, south.sum())
    pole = region == "pole"
    lat[pole] = rng.choice([-90.0, 90.0], pole.sum())
    high = region == "high"
    lat[high] = rng.choice([-1.0, 1.0], high.sum()) * rng.uniform(60.0, 89.5, high.sum())

    # The planned time: often "now" (so that aircraft start on a pole or across 180°),
    # otherwise anywhere around the look-ahead, including just outside it.
    t_plan = np.where(rng.random(m) < 0.2, 0.0, rng.uniform(-60.0, T + 60.0, m))
    t_plan[pole] = 0.0

    # Minima: mostly the default; some pairs with per-track minima (the pair takes the
    # larger one).
    custom = rng.random((m, 2)) < 0.2
    h_sep = np.where(custom, units.m_from_nm(rng.choice([1.0, 3.0, 5.0], (m, 2))), 5556.0)
    v_sep = np.where(custom, units.m_from_ft(rng.choice([500.0, 1000.0, 2000.0], (m, 2))), 304.8)
    pair_h = h_sep.max(axis=1)
    pair_v = v_sep.max(axis=1)

    # Where B is at the planned time: within 1.3 minima of A, and within 1.5 vertical
    # minima, so that conflicts and near misses both come up.
    offset = pair_h * rng.uniform(0.0, 1.3, m)
    lon_b, lat_b, _ = GEOD.fwd(lon, lat, rng.uniform(-180.0, 180.0, m), offset)
    alt_a = rng.uniform(1000.0, 12_000.0, m)
    alt_b = alt_a + pair_v * rng.uniform(-1.5, 1.5, m)

    gs = units.mps_from_kt(rng.uniform(0.0, 600.0, (m, 2)))
    gs[rng.random((m, 2)) < 0.1] = 0.0
    track_plan = rng.uniform(-180.0, 180.0, (m, 2))
    vrate = units.mps_from_fpm(rng.uniform(-4000.0, 4000.0, (m, 2)))
    vrate[rng.random((m, 2)) < 0.3] = 0.0

    # Fly back from the planned time to t = 0 along each geodesic (a negative distance
    # walks it backwards); the forward azimuth there is the track at t = 0.
    lat_plan = np.stack([lat, np.asarray(lat_b)], axis=1)
    lon_plan = np.stack([lon, np.asarray(lon_b)], axis=1)
    alt_plan = np.stack([alt_a, alt_b], axis=1)
    lon0, lat0, back = GEOD.fwd(
        lon_plan.ravel(),
        lat_plan.ravel(),
        track_plan.ravel(),
        -(gs * t_plan[:, None]).ravel(),
    )
    track0 = np.mod(np.asarray(back) + 180.0, 360.0)
    # Where nobody moves, keep the planned track (and exact pole latitudes) as they were.
    still = (gs * t_plan[:, None]).ravel() == 0.0
    lat0 = np.where(still, lat_plan.ravel(), lat0)
    lon0 = np.where(still, lon_plan.ravel(), lon0)
    track0 = np.where(still, np.mod(track_plan.ravel(), 360.0), track0)
    alt0 = (alt_plan - vrate * t_plan[:, None]).ravel()

    states = TrackStates.build(
        lat_deg=lat0,
        lon_deg=lon0,
        alt_m=alt0,
        gs_mps=gs.ravel(),
        track_rad=np.radians(track0),
        vrate_mps=vrate.ravel(),
        party=np.arange(2 * m) % 2,
        h_sep_m=h_sep.ravel(),
        v_sep_m=v_sep.ravel(),
    )
    return Encounters(states=states, h_sep_m=pair_h, v_sep_m=pair_v, region=region)


def fly(encounters: Encounters, times: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Horizontal distance and signed altitude difference of every pair at ``times``.

    ``times`` has shape (M, K): K instants per pair. Each aircraft is moved by pyproj
    from its state at t = 0, so no error accumulates from step to step.
    """
    s = encounters.states
    shape = times.shape
    ends = {}
    for name, side in (("a", encounters.a), ("b", encounters.b)):
        lon, lat, _ = GEOD.fwd(
            np.broadcast_to(s.lon_deg[side][:, None], shape).ravel(),
            np.broadcast_to(s.lat_deg[side][:, None], shape).ravel(),
            np.broadcast_to(np.degrees(s.track_rad[side])[:, None], shape).ravel(),
            (s.gs_mps[side][:, None] * times).ravel(),
        )
        ends[name] = (np.asarray(lon), np.asarray(lat))
    _, _, distance = GEOD.inv(*ends["a"], *ends["b"])
    dz = (s.alt_m[encounters.b] - s.alt_m[encounters.a])[:, None] + (
        s.vrate_mps[encounters.b] - s.vrate_mps[encounters.a]
    )[:, None] * times
    return np.asarray(distance).reshape(shape), dz


def normalised(encounters: Encounters, times: FloatArray) -> FloatArray:
    """s(t) = max(distance / H, |Δalt| / V): separation is lost where s < 1."""
    distance, dz = fly(encounters, times)
    return np.maximum(
        distance / encounters.h_sep_m[:, None], np.abs(dz) / encounters.v_sep_m[:, None]
    )


def around(centre: FloatArray) -> FloatArray:
    """Fine instants within one coarse step of each centre, clipped to [0, T]: (M, FINE)."""
    return np.clip(centre[:, None] + np.linspace(-DT, DT, FINE)[None, :], 0.0, T)


@dataclass(frozen=True)
class Reference:
    conflict: npt.NDArray[np.bool_]
    min_s: FloatArray  # refined minimum of s over [0, T]
    s_at_0: FloatArray
    t_in: FloatArray  # first instant with s < 1 (NaN without conflict)
    t_out: FloatArray  # last instant with s < 1
    dcpa: FloatArray  # refined minimum horizontal distance over [0, T]


def reference(encounters: Encounters) -> Reference:
    m = len(encounters)
    grid = np.broadcast_to(GRID, (m, GRID.size))
    distance, dz = fly(encounters, grid)
    s = np.maximum(distance / encounters.h_sep_m[:, None], np.abs(dz) / encounters.v_sep_m[:, None])
    rows = np.arange(m)

    # Minimum of s, refined around the grid minimum.
    fine_t = around(GRID[np.argmin(s, axis=1)])
    fine_s = normalised(encounters, fine_t)
    min_s = np.minimum(s.min(axis=1), fine_s.min(axis=1))
    conflict = min_s < 1.0

    # Entry: between the last grid instant outside and the first inside, refined. If only
    # the fine grid around the minimum sees the loss, take that grid's first instant.
    inside = s < 1.0
    first = np.where(inside.any(axis=1), np.argmax(inside, axis=1), -1)
    last = np.where(inside.any(axis=1), GRID.size - 1 - np.argmax(inside[:, ::-1], axis=1), -1)
    t_first = GRID[np.maximum(first, 0)]
    t_last = GRID[np.maximum(last, 0)]
    entry_t = np.clip(t_first[:, None] - DT + np.linspace(0.0, DT, FINE)[None, :], 0.0, T)
    exit_t = np.clip(t_last[:, None] + np.linspace(0.0, DT, FINE)[None, :], 0.0, T)
    entry_in = normalised(encounters, entry_t) < 1.0
    exit_in = normalised(encounters, exit_t) < 1.0
    t_in = np.where(first > 0, entry_t[rows, np.argmax(entry_in, axis=1)], 0.0)
    t_out = np.where(
        last < GRID.size - 1, exit_t[rows, FINE - 1 - np.argmax(exit_in[:, ::-1], axis=1)], T
    )
    fine_in = fine_s < 1.0
    only_fine = conflict & (first < 0)
    t_in = np.where(only_fine, fine_t[rows, np.argmax(fine_in, axis=1)], t_in)
    t_out = np.where(only_fine, fine_t[rows, FINE - 1 - np.argmax(fine_in[:, ::-1], axis=1)], t_out)
    t_in = np.where(conflict, t_in, np.nan)
    t_out = np.where(conflict, t_out, np.nan)

    # Horizontal closest approach, refined the same way.
    fine_t = around(GRID[np.argmin(distance, axis=1)])
    fine_distance, _ = fly(encounters, fine_t)
    dcpa = np.minimum(distance.min(axis=1), fine_distance.min(axis=1))
    return Reference(
        conflict=conflict, min_s=min_s, s_at_0=s[:, 0], t_in=t_in, t_out=t_out, dcpa=dcpa
    )


def engine_by_pair(encounters: Encounters, found: Conflicts) -> PairAnswers:
    """The engine's answer for each planned pair (NaN / False where it saw none)."""
    m = len(encounters)
    planned = (found.i % 2 == 0) & (found.j == found.i + 1)
    k = found.i[planned] // 2
    out: PairAnswers = {}
    for name in ("t_in_s", "t_out_s", "t_cpa_s", "dcpa_m", "dz_cpa_m"):
        column = np.full(m, np.nan)
        column[k] = getattr(found, name)[planned]
        out[name] = column
    conflict = np.zeros(m, dtype=bool)
    conflict[k] = True
    los = np.zeros(m, dtype=bool)
    los[k] = found.los[planned]
    out["conflict"] = conflict
    out["los"] = los
    return out


@pytest.fixture(scope="module")
def compared() -> tuple[Encounters, Reference, PairAnswers]:
    encounters = make_encounters(np.random.default_rng(20240611), N_PAIRS)
    # All tracks in one call: the broad phase has to find the planned pairs among
    # everything else (unplanned pairs that happen to conflict are ignored).
    found = detect_conflicts(encounters.states, lookahead_s=T, pairs="all")
    return encounters, reference(encounters), engine_by_pair(encounters, found)


def boundary_cases(ref: Reference, eng: PairAnswers) -> npt.NDArray[np.bool_]:
    near_minimum = np.abs(ref.min_s - 1.0) <= BOUNDARY
    # Entry within a grid step of T, or exit within a grid step of 0, by either account.
    late_entry = (ref.t_in >= T - DT) | (eng["t_in_s"] >= T - DT)
    early_exit = (ref.t_out <= DT) | (eng["t_out_s"] <= DT)
    return near_minimum | late_entry | early_exit


def describe(encounters: Encounters, k: int) -> str:
    s = encounters.states
    a, b = 2 * k, 2 * k + 1
    return (
        f"pair {k} ({encounters.region[k]}): "
        f"A lat={s.lat_deg[a]!r} lon={s.lon_deg[a]!r} alt={s.alt_m[a]!r} gs={s.gs_mps[a]!r} "
        f"trk={s.track_rad[a]!r} vr={s.vrate_mps[a]!r}; "
        f"B lat={s.lat_deg[b]!r} lon={s.lon_deg[b]!r} alt={s.alt_m[b]!r} gs={s.gs_mps[b]!r} "
        f"trk={s.track_rad[b]!r} vr={s.vrate_mps[b]!r}; "
        f"H={encounters.h_sep_m[k]!r} V={encounters.v_sep_m[k]!r}"
    )


def test_encounters_are_a_fair_mix(
    compared: tuple[Encounters, Reference, PairAnswers],
) -> None:
    encounters, ref, _ = compared
    # Both answers well represented, in every region, at the poles too.
    assert 0.3 < ref.conflict.mean() < 0.8
    for region in ("anywhere", "antimeridian", "north", "south", "pole", "high"):
        here = encounters.region == region
        assert ref.conflict[here].any(), region
        assert (~ref.conflict[here]).any(), region
    crosses = np.abs(
        encounters.states.lon_deg[encounters.a] - encounters.states.lon_deg[encounters.b]
    )
    assert np.sum(crosses > 180.0) >= 10  # pairs split across the antimeridian at t = 0
    assert np.sum(np.abs(encounters.states.lat_deg) == 90.0) >= 10  # on a pole at t = 0
    # Many near misses: the reference's minimum within 10 % of the minima.
    assert np.sum(np.abs(ref.min_s - 1.0) < 0.1) >= 0.1 * len(encounters)


def test_conflict_decisions_agree_with_reference(
    compared: tuple[Encounters, Reference, PairAnswers],
) -> None:
    encounters, ref, eng = compared
    boundary = boundary_cases(ref, eng)
    disagree = (eng["conflict"] != ref.conflict) & ~boundary
    print(
        f"\nreference: {len(encounters)} pairs, {ref.conflict.sum()} conflicts, "
        f"{boundary.sum()} boundary cases "
        f"({np.sum(np.abs(ref.min_s - 1.0) <= BOUNDARY)} near a minimum), "
        f"{np.sum(eng['conflict'] != ref.conflict)} disagreements in all"
    )
    messages = [
        f"{describe(encounters, k)}: engine {eng['conflict'][k]}, reference min s = "
        f"{ref.min_s[k]:.6f}"
        for k in np.flatnonzero(disagree)[:10]
    ]
    assert not disagree.any(), "\n".join(messages)
    assert boundary.mean() <= MAX_BOUNDARY_FRACTION, f"{boundary.sum()} boundary cases"


def test_loss_of_separation_now_agrees(
    compared: tuple[Encounters, Reference, PairAnswers],
) -> None:
    encounters, ref, eng = compared
    clear = ~boundary_cases(ref, eng) & (np.abs(ref.s_at_0 - 1.0) > BOUNDARY)
    expected = ref.s_at_0 < 1.0
    wrong = clear & (eng["los"] != expected)
    assert not wrong.any(), [describe(encounters, k) for k in np.flatnonzero(wrong)[:5]]
    assert np.sum(clear & expected) >= 20  # losses at t = 0 are well represented
    # LoS means entry at 0.
    both = eng["conflict"] & eng["los"]
    np.testing.assert_array_equal(eng["t_in_s"][both], 0.0)


def test_times_and_closest_approach_agree(
    compared: tuple[Encounters, Reference, PairAnswers],
) -> None:
    encounters, ref, eng = compared
    both = eng["conflict"] & ref.conflict & ~boundary_cases(ref, eng)
    k = np.flatnonzero(both)
    assert k.size >= 150

    # Entry and exit: within a grid step of the reference... or, where the entry is
    # slow and so ill-conditioned in time, at an instant the reference itself puts on
    # the boundary (s within 0.5 % of 1).
    for name, ref_t in (("t_in_s", ref.t_in), ("t_out_s", ref.t_out)):
        t = eng[name][k]
        close_in_time = np.abs(t - ref_t[k]) <= DT + 1e-6
        s_there = normalised_at(encounters, k, t)
        on_boundary = np.abs(s_there - 1.0) <= BOUNDARY
        ok = close_in_time | on_boundary
        assert ok.all(), [
            f"{describe(encounters, kk)}: {name} engine {tt:.3f} reference {rt:.3f} s={st:.5f}"
            for kk, tt, rt, st in zip(k[~ok], t[~ok], ref_t[k][~ok], s_there[~ok], strict=True)
        ][:5]
        # Nearly all are right in time outright, most far better than a grid step (the
        # refined reference resolves 2.5 ms).
        assert close_in_time.mean() >= 0.97, name
        assert np.mean(np.abs(t - ref_t[k]) <= 0.05) >= 0.95, name

    # Closest approach: the engine's miss distance within 0.5 % of H of the reference's
    # (refined) minimum distance, and the reference distance at the engine's t_cpa too.
    h = encounters.h_sep_m[k]
    dcpa_error = np.abs(eng["dcpa_m"][k] - ref.dcpa[k])
    assert np.all(dcpa_error <= BOUNDARY * h), np.max(dcpa_error / h)
    at_cpa, dz = fly_subset(encounters, k, eng["t_cpa_s"][k])
    assert np.all(np.abs(at_cpa - ref.dcpa[k]) <= BOUNDARY * h)
    # Vertical distance at the engine's CPA time: altitudes are linear, so exact.
    np.testing.assert_allclose(eng["dz_cpa_m"][k], np.abs(dz), rtol=1e-9, atol=1e-6)
    print(
        f"\nreference: max |dcpa - ref| = {dcpa_error.max():.3f} m "
        f"({100 * np.max(dcpa_error / h):.4f} % of H), "
        f"max |t_in - ref| = {np.max(np.abs(eng['t_in_s'][k] - ref.t_in[k])):.3f} s"
    )


def fly_subset(
    encounters: Encounters, k: npt.NDArray[np.int64], t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance and Δalt of pairs ``k`` at one instant each."""
    subset = Encounters(
        states=encounters.states.take(np.stack([2 * k, 2 * k + 1], axis=1).ravel()),
        h_sep_m=encounters.h_sep_m[k],
        v_sep_m=encounters.v_sep_m[k],
        region=encounters.region[k],
    )
    distance, dz = fly(subset, t[:, None])
    return distance[:, 0], dz[:, 0]


def normalised_at(encounters: Encounters, k: npt.NDArray[np.int64], t: FloatArray) -> FloatArray:
    distance, dz = fly_subset(encounters, k, t)
    return np.maximum(distance / encounters.h_sep_m[k], np.abs(dz) / encounters.v_sep_m[k])


def test_pairs_found_one_by_one_agree(
    compared: tuple[Encounters, Reference, PairAnswers],
) -> None:
    # The same pairs, each detected alone: the answer does not depend on the company.
    encounters, _, eng = compared
    for k in range(0, len(encounters), 7):
        alone = detect_conflicts(encounters.states.take([2 * k, 2 * k + 1]), lookahead_s=T)
        assert len(alone) == int(eng["conflict"][k])
        if len(alone):
            assert alone.t_in_s[0] == pytest.approx(eng["t_in_s"][k], abs=1e-9)
            assert alone.dcpa_m[0] == pytest.approx(eng["dcpa_m"][k], abs=1e-6)
