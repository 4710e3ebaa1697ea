"""A debrief's pictures as SVG text to embed in the HTML (no file, no network): the plan
view of the tracks with the stretches below the minima highlighted and the notices'
areas (matplotlib); one separation-against-time chart per encounter (written here
directly: a day's hundreds of encounters would take matplotlib minutes).

The pictures hold numbers, units and identifiers only — every word about them is in the
page, in the reader's language, where the page's own text shaping and direction apply.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from airhotline.debrief.collect import TrackSeries
from airhotline.debrief.stats import Separation

__all__ = ["plan_view", "separation_chart"]

_COLOURS = ("#1f5fa8", "#b5452a", "#2f7d32", "#7b3fa0", "#a07200", "#00707a")
_FONT = "'Noto Sans', 'DejaVu Sans', sans-serif"
#: Points drawn in the plan view, all tracks together; a track is thinned to fit.
PLAN_POINTS = 200_000
#: Reports further apart than this are not joined by a line in the plan view (µs).
GAP_US = 60_000_000
#: Tracks labelled in the plan view; past this many a label would hide the map.
PLAN_LABELS = 40
#: Points per line of a separation chart; beyond, each bucket keeps its least and most.
CHART_POINTS = 1_200


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
    and, per report, whether it was then below the minima with another), the notices'
    areas labelled with ``areas``' names. Long tracks are thinned to `PLAN_POINTS` in
    all (never the red stretches); only up to `PLAN_LABELS` tracks are labelled."""
    from matplotlib.collections import LineCollection

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
    total = sum(t.lon.size for t in tracks)
    stride = max(1, math.ceil(total / PLAN_POINTS))
    lines = []
    colours = []
    for t in tracks:
        # A track read around two encounters hours apart is two stretches, not one line.
        gaps = np.flatnonzero(np.diff(t.time_us) > GAP_US) + 1
        for piece in np.split(np.arange(t.lon.size), gaps):
            keep = np.unique(np.r_[piece[::stride], piece[-1]])
            lines.append(np.column_stack([t.lon[keep], t.lat[keep]]))
            colours.append(colour.get(t.party, "grey"))
    ax.add_collection(LineCollection(lines, colors=colours, linewidths=1.0 if stride > 1 else 1.2))
    labelled = len(tracks) <= PLAN_LABELS
    for t in tracks:
        if labelled:
            # Labelled where each track starts: encounters end tracks on the same spot.
            ax.annotate(
                f"{t.party}/{t.track_id}",
                (t.lon[0], t.lat[0]),
                fontsize=7,
                color=colour.get(t.party),
                xytext=(3, 3),
                textcoords="offset points",
            )
    starts = np.array([[t.lon[0], t.lat[0]] for t in tracks]) if labelled and tracks else None
    if starts is not None:
        ax.scatter(starts[:, 0], starts[:, 1], s=9, c=[colour.get(t.party, "grey") for t in tracks])
    red = []
    for t, below in close:
        gaps = np.flatnonzero(np.diff(t.time_us) > GAP_US) + 1
        for run in _runs(below):
            # Not across a gap in the reports either.
            for piece in np.split(
                np.arange(run.start, run.stop),
                gaps[(gaps > run.start) & (gaps < run.stop)] - run.start,
            ):
                red.append(np.column_stack([t.lon[piece], t.lat[piece]]))
    if red:
        ax.add_collection(LineCollection(red, colors="#d00000", linewidths=3.0, capstyle="round"))
    _frame(ax, tracks, areas, lats)
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.tick_params(labelsize=7)
    return _svg(figure)


def _runs(mask: npt.NDArray[np.bool_]) -> list[slice]:
    """The stretches where ``mask`` holds (a lone report: itself)."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [slice(a, b) for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]


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


# --- the separation chart, written directly ------------------------------------------

_WIDTH, _HEIGHT = 800.0, 250.0
_LEFT, _RIGHT, _TOP, _GAP, _BOTTOM = 58.0, 12.0, 10.0, 16.0, 30.0


def separation_chart(sep: Separation, minima: tuple[float, float], decimal: str = ".") -> str:
    """Horizontal (NM, above) and vertical (ft, below) separation against the time of
    day (UTC), each with its minimum dashed in red. ``decimal`` is the reader's decimal
    sign, for the tick labels."""
    t = (sep.time_us - sep.time_us[0]) / 1e6 if sep.time_us.size else np.zeros(0)
    start_s = float(sep.time_us[0]) / 1e6 if sep.time_us.size else 0.0
    span = max(float(t[-1]) if t.size else 0.0, 1.0)
    plot_w = _WIDTH - _LEFT - _RIGHT
    panel_h = (_HEIGHT - _TOP - _GAP - _BOTTOM) / 2

    def x_of(seconds: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
        return np.asarray(_LEFT + np.asarray(seconds) / span * plot_w)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH:g} {_HEIGHT:g}"'
        f' width="{_WIDTH:g}" height="{_HEIGHT:g}" direction="ltr"'
        f' font-family="{_FONT}" font-size="10">'
    ]
    x_ticks = _time_ticks(start_s, span)
    for k, (values, minimum, unit, colour) in enumerate(
        ((sep.h_nm, minima[0], "NM", _COLOURS[0]), (sep.v_ft, minima[1], "ft", _COLOURS[1]))
    ):
        top = _TOP + k * (panel_h + _GAP)
        finite = values[np.isfinite(values)]
        most = max(float(finite.max()) if finite.size else 0.0, minimum * 1.15, 1e-9)
        y_ticks, step = _nice_ticks(most)
        y_max = y_ticks[-1]

        def y_of(
            v: npt.NDArray[np.float64] | float, top: float = top, y_max: float = y_max
        ) -> npt.NDArray[np.float64]:
            return np.asarray(top + panel_h - np.asarray(v) / y_max * panel_h)

        parts.append(
            f'<rect x="{_LEFT:g}" y="{top:.1f}" width="{plot_w:g}" height="{panel_h:.1f}"'
            ' fill="none" stroke="#999" stroke-width="0.6"/>'
        )
        for tick in y_ticks:
            y = float(y_of(tick))
            parts.append(
                f'<line x1="{_LEFT:g}" x2="{_LEFT + plot_w:g}" y1="{y:.1f}" y2="{y:.1f}"'
                ' stroke="#ddd" stroke-width="0.5"/>'
                f'<text x="{_LEFT - 4:g}" y="{y + 3.5:.1f}" text-anchor="end">'
                f"{_tick_label(tick, step, decimal)}</text>"
            )
        for seconds, _ in x_ticks:
            x = float(x_of(seconds))
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{top + panel_h:.1f}"'
                ' stroke="#eee" stroke-width="0.5"/>'
            )
        parts.append(
            f'<text x="4" y="{top + panel_h / 2 + 3.5:.1f}" font-weight="bold">{unit}</text>'
        )
        y_min = float(y_of(minimum))
        parts.append(
            f'<line x1="{_LEFT:g}" x2="{_LEFT + plot_w:g}" y1="{y_min:.1f}" y2="{y_min:.1f}"'
            ' stroke="#d00000" stroke-width="0.9" stroke-dasharray="5 3"/>'
        )
        xs, ys = _thin(t, values)
        points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in zip(x_of(xs).tolist(), y_of(ys).tolist(), strict=True)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.3"'
            ' stroke-linejoin="round"/>'
        )
    bottom = _HEIGHT - _BOTTOM
    for seconds, label in x_ticks:
        x = float(x_of(seconds))
        # A label on the frame's edge stays inside the picture.
        anchor = "end" if x > _WIDTH - _RIGHT - 20 else "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 14:.1f}" text-anchor="{anchor}">{label}</text>'
        )
    parts.append(
        f'<text x="{_WIDTH - _RIGHT:g}" y="{bottom + 27:.1f}" text-anchor="end">UTC</text></svg>'
    )
    return "".join(parts)


def _thin(
    t: npt.NDArray[np.float64], values: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """At most about `CHART_POINTS` points: per bucket its least and most, in time
    order, so that the least separation is always drawn."""
    if t.size <= CHART_POINTS:
        return t, values
    buckets = np.array_split(np.arange(t.size), CHART_POINTS // 2)
    keep = sorted(
        {int(b[np.argmin(values[b])]) for b in buckets}
        | {int(b[np.argmax(values[b])]) for b in buckets}
    )
    return t[keep], values[keep]


def _nice_ticks(most: float) -> tuple[list[float], float]:
    """Ticks from 0 past ``most``: 3 to 6 of them, at 1, 2 or 5 times a power of ten."""
    raw = most / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(most / step - 1e-9)
    return [k * step for k in range(count + 1)], step


def _tick_label(value: float, step: float, decimal: str) -> str:
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{digits}f}".replace(".", decimal)


#: Steps of the time axis (s), the first that gives at most eight ticks is taken.
_TIME_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600)


def _time_ticks(start_s: float, span_s: float) -> list[tuple[float, str]]:
    """Ticks on round times of day (UTC) within the span: (seconds from its start,
    ``HH:MM`` or ``HH:MM:SS``)."""
    step = next((s for s in _TIME_STEPS if span_s / s <= 8), _TIME_STEPS[-1])
    first = math.ceil(start_s / step) * step
    ticks = []
    moment = first
    while moment <= start_s + span_s + 1e-6:
        shown = datetime.fromtimestamp(moment, tz=UTC)
        ticks.append((moment - start_s, shown.strftime("%H:%M:%S" if step < 60 else "%H:%M")))
        moment += step
    return ticks
