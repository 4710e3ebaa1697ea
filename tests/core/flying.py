"""Tracks flown north through a node, each party reporting its own and the node cycling,
once a simulated second: what alert, zone and exemption tests fly."""

from __future__ import annotations

from collections.abc import Mapping

from airhotline import geo, units
from airhotline.clock import SimulatedClock
from airhotline.core.node import HotlineNode
from airhotline.core.reports import ReportBatch

GS_KT = 450.0

#: Where a track starts: latitude, longitude (degrees) and its level (ft).
Start = tuple[float, float, float]


def fly_north(
    node: HotlineNode,
    starts: Mapping[tuple[str, str], Start],
    seconds: int,
    *,
    t0: int = 0,
) -> None:
    """Every ``(party, track)`` flies north at 450 kt from its start, level, seconds
    ``t0`` to ``t0 + seconds`` after it; each second every party reports its tracks in
    one batch, then the node runs its cycle and the clock moves on a second."""
    clock = node.clock
    assert isinstance(clock, SimulatedClock)
    for second in range(t0, t0 + seconds):
        travelled = float(units.m_from_nm(GS_KT * second / 3600.0))
        rows: dict[str, list[dict[str, object]]] = {}
        for (party, track), (lat0, lon0, level_ft) in starts.items():
            lat, lon, _ = geo.geodesic_forward(lat0, lon0, 0.0, travelled)
            rows.setdefault(party, []).append(
                {
                    "track_id": track,
                    "time_us": clock.now_us(),
                    "lat": float(lat),
                    "lon": float(lon),
                    "alt_ft": level_ft,
                    "gs_kt": GS_KT,
                    "track_deg": 0.0,
                    "vrate_fpm": 0.0,
                }
            )
        for party, batch in rows.items():
            node.submit_reports(
                node.party_by_name(party).id,
                ReportBatch.from_rows(batch),
                idempotency_key=None,
                body_sha256=f"{party}-{second}",
            ).result()
        node.run_cycle()
        clock.advance(1.0)
