"""A debrief's pictures, drawn with matplotlib as SVG text to embed in the HTML (no file,
no network): the plan view of the tracks with the stretches below the minima
highlighted and the notices' areas; one separation-against-time chart per encounter.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from airhotline.debrief.collect import TrackSeries
from airhotline.debrief.stats import Separation

__all__ = ["plan_view", "separation_chart"]

_COLOURS = ("#1f5fa8", "#b5452a", "#2f7d32", "#7b3fa0", "#a07200", "#00707a")


def _figure(width_in: float, height_in: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained")


def _svg(figure) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    figure.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]


def plan_view(
    tracks: Sequence[TrackSeries],
    close: Sequence[tuple[TrackSeries, np.ndarray]],
    areas: Sequence[tuple[str, list[list[list[list[float]]]]]],
    parties: Sequence[str],
) -> str:
    """Tracks by party, the stretches flown below the minima in red (``close``: a track
    and, per report, whether it was then below the minima with another), notices."""
    figure = _figure(8.0, 6.0)
    ax = figure.add_subplot()
    colour = {p: _COLOURS[k % len(_COLOURS)] for k, p in enumerate(parties)}
    lats = np.concatenate([t.lat for t in tracks]) if tracks else np.array([0.0])
    for name, outline in areas:
        for polygon in outline:
            ring = np.asarray(polygon[0])
            ax.fill(ring[:, 0], ring[:, 1], color="#f2b233", alpha=0.25, lw=0)
            ax.plot(ring[:, 0], ring[:, 1], color="#b07800", lw=1.0)
            ax.annotate(name, (ring[:, 0].mean(), ring[:, 1].max()), fontsize=7, ha="center")
    for t in tracks:
        ax.plot(t.lon, t.lat, color=colour.get(t.party, "grey"), lw=1.2)
        # Labelled where each track starts: encounters end tracks on the same spot.
        ax.annotate(
            f"{t.party}/{t.track_id}",
            (t.lon[0], t.lat[0]),
            fontsize=7,
            color=colour.get(t.party),
            xytext=(3, 3),
            textcoords="offset points",
        )
        ax.plot(t.lon[:1], t.lat[:1], "o", color=colour.get(t.party, "grey"), ms=3)
    for t, below in close:
        if below.any():
            lon = np.where(below, t.lon, np.nan)
            lat = np.where(below, t.lat, np.nan)
            ax.plot(lon, lat, color="#d00000", lw=3.0, solid_capstyle="round")
    _frame(ax, tracks, areas, lats)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.set_title("Plan view — red: below the minima", fontsize=10)
    return _svg(figure)


def _frame(ax, tracks, areas, lats) -> None:  # type: ignore[no-untyped-def]
    """A square view (in distance, not degrees) around everything drawn, with a margin:
    tracks on one parallel must not squash the map to a line."""
    lons = [t.lon for t in tracks] + [
        np.asarray(polygon[0])[:, 0] for _, outline in areas for polygon in outline
    ]
    lats_all = [lats] + [
        np.asarray(polygon[0])[:, 1] for _, outline in areas for polygon in outline
    ]
    x = np.concatenate(lons) if lons else np.array([0.0])
    y = np.concatenate(lats_all)
    scale = max(float(np.cos(np.radians(np.nanmean(y)))), 0.05)  # degrees of longitude per NM
    half = max((np.nanmax(x) - np.nanmin(x)) * scale, np.nanmax(y) - np.nanmin(y), 0.05) * 0.55
    cx, cy = (np.nanmax(x) + np.nanmin(x)) / 2, (np.nanmax(y) + np.nanmin(y)) / 2
    ax.set_xlim(cx - half / scale, cx + half / scale)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect(1.0 / scale)
    ax.ticklabel_format(useOffset=False)


def separation_chart(
    sep: Separation, minima: tuple[float, float], start_us: int, title: str
) -> str:
    """Horizontal and vertical separation against time, with the minima."""
    figure = _figure(8.0, 3.2)
    top, bottom = figure.subplots(2, 1, sharex=True)
    t = (sep.time_us - start_us) / 1_000_000
    top.plot(t, sep.h_nm, color=_COLOURS[0], lw=1.2)
    top.axhline(minima[0], color="#d00000", lw=0.8, ls="--")
    top.set_ylabel("horizontal (NM)", fontsize=8)
    bottom.plot(t, sep.v_ft, color=_COLOURS[1], lw=1.2)
    bottom.axhline(minima[1], color="#d00000", lw=0.8, ls="--")
    bottom.set_ylabel("vertical (ft)", fontsize=8)
    bottom.set_xlabel("seconds from the report's start", fontsize=8)
    for ax in (top, bottom):
        ax.grid(True, lw=0.3, alpha=0.5)
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
    top.set_title(title, fontsize=9)
    return _svg(figure)
