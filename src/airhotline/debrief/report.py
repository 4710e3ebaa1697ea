"""A debrief as one self-contained HTML file (styles and SVG plots inline: it opens with
no network) or as JSON: the summary, the encounters, the statistics per pair of parties,
the plan view, a separation chart per encounter, the message transcript in the reader's
language with the originals, and the journal's verification with the head it covers.
"""

from __future__ import annotations

import html
import json
from typing import Any

from airhotline.clock import iso_from_us
from airhotline.core.notices.area import parse_area
from airhotline.debrief import plots
from airhotline.debrief.collect import DebriefData
from airhotline.debrief.stats import (
    as_mapping,
    below_minima,
    by_tier_and_kind,
    encounters,
    pair_series,
    pair_stats,
)

__all__ = ["debrief_html", "debrief_json"]

_RTL = ("ar", "he")


def debrief_json(data: DebriefData) -> dict[str, Any]:
    found = encounters(data)
    return {
        "window": {"from": iso_from_us(data.start_us), "to": iso_from_us(data.end_us)},
        "reader": data.party or "admin",
        "lang": data.lang,
        "journal": {
            "verified": data.verified,
            "reason": data.verify_reason,
            "head": {"seq": data.head_seq, "hash": data.head_hash},
        },
        "alerts_by_tier_and_kind": [
            {"kind": k, "tier": t, "alerts": n}
            for (k, t), n in sorted(by_tier_and_kind(found).items())
        ],
        "encounters": [as_mapping(e) for e in found],
        "pairs": [
            {
                "parties": list(p.parties),
                "alerts": p.alerts,
                "warnings": p.warnings,
                "nuisance": p.nuisance,
                "escalations": p.escalations,
                "median_acknowledge_s": p.median_acknowledge_s,
            }
            for p in pair_stats(found)
        ],
        "suppressed": [
            {
                "time": iso_from_us(int(x["time_us"])),
                "exemption_id": x.get("exemption_id"),
                "parties": x.get("parties"),
                "tracks": x.get("tracks"),
                "tier": x.get("tier"),
                "t_in_s": x.get("t_in_s"),
                "dcpa_nm": x.get("dcpa_nm"),
            }
            for x in data.suppressed
        ],
        "messages": [
            {
                "time": iso_from_us(int(m["time_us"])),
                "from": m.get("from") or "hotline",
                "to": m.get("to"),
                "type": m.get("type"),
                "text": m.get("text"),
                "original": m.get("original"),
            }
            for m in data.messages
        ],
    }


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _s(value: float | None, unit: str = "s", digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f} {unit}"


def debrief_html(data: DebriefData, *, title: str = "Debrief") -> str:
    found = encounters(data)
    rtl = data.lang in _RTL
    parts: list[str] = []
    reader = data.party or "all parties (admin)"
    verdict = (
        f'<span class="ok">verified</span> up to record {data.head_seq}'
        if data.verified
        else f'<span class="bad">BROKEN</span>: {_e(data.verify_reason)}'
    )
    parts.append(
        f"<header><h1>{_e(title)}</h1>"
        f"<p>{_e(iso_from_us(data.start_us))} to {_e(iso_from_us(data.end_us))} — for"
        f" <b>{_e(reader)}</b>, in {_e(data.lang)}</p>"
        f"<p>Journal {verdict}; head <code>{_e(data.head_hash)}</code></p></header>"
    )
    counts = by_tier_and_kind(found)
    rows = (
        "".join(
            f"<tr><td>{_e(k)}</td><td class='{_e(t)}'>{_e(t)}</td><td>{n}</td></tr>"
            for (k, t), n in sorted(counts.items())
        )
        or "<tr><td colspan=3>no alert</td></tr>"
    )
    parts.append(
        "<section><h2>Summary</h2><table><tr><th>kind</th><th>highest tier</th>"
        f"<th>alerts</th></tr>{rows}</table></section>"
    )
    rows = ""
    for e in found:
        acks = ", ".join(f"{_e(p)} {_s(t)}" for p, t in e.to_acknowledge_s.items())
        rows += (
            f"<tr><td><code>{_e(e.alert_id[:8])}</code></td><td>{_e(e.kind)}</td>"
            f"<td>{_e(e.parties[0])}/{_e(e.sides[0])} — {_e(e.parties[1])}/{_e(e.sides[1])}</td>"
            f"<td class='{_e(e.tier)}'>{_e(e.tier)}</td>"
            f"<td>{_e(iso_from_us(e.raised_us)[11:19])}</td>"
            f"<td>{_s(e.min_h_nm, 'NM', 2)}</td><td>{_s(e.min_v_ft, 'ft')}</td>"
            f"<td>{_s(e.warning_s)}</td><td>{acks}</td><td>{e.escalations}</td>"
            f"<td>{'yes' if e.nuisance else ''}</td></tr>"
        )
    parts.append(
        "<section><h2>Encounters</h2><table><tr><th>alert</th><th>kind</th><th>between</th>"
        "<th>tier</th><th>raised (UTC)</th><th>least horizontal</th><th>least vertical</th>"
        "<th>warning time</th><th>time to acknowledge</th><th>escalations</th>"
        f"<th>nuisance</th></tr>{rows or '<tr><td colspan=11>none</td></tr>'}</table>"
        "<p class='note'>Warning time: from the first alert to the loss of separation, or"
        " to the closest approach when separation was kept. Nuisance: resolved, and never"
        " within 120 % of the minima in one dimension.</p></section>"
    )
    rows = "".join(
        f"<tr><td>{_e(p.parties[0])} — {_e(p.parties[1])}</td><td>{p.alerts}</td>"
        f"<td>{p.warnings}</td><td>{p.nuisance}</td><td>{p.escalations}</td>"
        f"<td>{_s(p.median_acknowledge_s)}</td></tr>"
        for p in pair_stats(found)
    )
    parts.append(
        "<section><h2>Per pair of parties</h2><table><tr><th>parties</th><th>alerts</th>"
        "<th>warnings</th><th>nuisance</th><th>escalations</th>"
        f"<th>median time to acknowledge</th></tr>{rows}</table></section>"
    )
    rows = "".join(
        f"<tr><td>{_e(iso_from_us(int(x['time_us']))[11:19])}</td>"
        f"<td>{_e(' — '.join(x.get('parties') or []))}</td>"
        f"<td>{_e(' / '.join(str(t) for t in x.get('tracks') or []))}</td>"
        f"<td class='{_e(x.get('tier'))}'>{_e(x.get('tier'))}</td>"
        f"<td>{_e(x.get('t_in_s'))} s</td><td>{_e(x.get('dcpa_nm'))} NM</td>"
        f"<td><code>{_e(str(x.get('exemption_id'))[:8])}</code></td></tr>"
        for x in data.suppressed
    )
    if rows:
        parts.append(
            "<section><h2>Held back by a cleared proximity</h2><table><tr><th>UTC</th>"
            "<th>parties</th><th>tracks</th><th>tier</th><th>time to loss</th>"
            f"<th>predicted closest</th><th>exemption</th></tr>{rows}</table></section>"
        )
    parts.append(_pictures(data, found))
    rows = "".join(
        f"<tr><td>{_e(iso_from_us(int(m['time_us']))[11:19])}</td>"
        f"<td>{_e(m.get('from') or 'hotline')}</td><td>{_e(m.get('to'))}</td>"
        f"<td dir='auto'>{_e(m.get('text'))}"
        + (
            f"<div class='original' dir='auto'>{_e((m.get('original') or {}).get('lang'))}:"
            f" {_e((m.get('original') or {}).get('text'))}</div>"
            if (m.get("original") or {}).get("lang") not in (None, data.lang)
            else ""
        )
        + "</td></tr>"
        for m in data.messages
    )
    parts.append(
        "<section><h2>Hotline messages</h2><table><tr><th>UTC</th><th>from</th><th>to</th>"
        f"<th>message</th></tr>{rows or '<tr><td colspan=4>none</td></tr>'}</table></section>"
    )
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html><html lang='{_e(data.lang)}' dir='{'rtl' if rtl else 'ltr'}'>"
        f"<head><meta charset='utf-8'><title>{_e(title)}</title><style>{_STYLE}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def _pictures(data: DebriefData, found: list[Any]) -> str:
    tracks = list(data.tracks.values())
    close = []
    charts = []
    for e in found:
        sep = pair_series(data, e)
        if sep is None:
            continue
        minima = e.minima
        below = below_minima(sep, minima)
        for party, side in zip(e.parties, e.sides, strict=True):
            series = data.tracks[(party, side)]
            mask = _on_reports(series.time_us, sep.time_us, below)
            close.append((series, mask))
        label = f"{e.parties[0]}/{e.sides[0]} — {e.parties[1]}/{e.sides[1]} ({e.alert_id[:8]})"
        charts.append(
            f"<figure>{plots.separation_chart(sep, minima, data.start_us, label)}</figure>"
        )
    areas = []
    for notice in data.notices:
        try:
            area = parse_area(notice["area"])
        except Exception:  # a notice's area was checked when published; never fail a report
            continue
        areas.append((f"{notice.get('kind')} {notice['notice_id']}", area.outline()))
    if not tracks and not areas:
        return "<section><h2>Plan view</h2><p>no track reported</p></section>"
    parties = sorted({t.party for t in tracks})
    view = plots.plan_view(tracks, close, areas, parties)
    return (
        f"<section><h2>Plan view</h2><figure>{view}</figure></section>"
        f"<section><h2>Separation against time</h2>{''.join(charts) or '<p>none</p>'}</section>"
    )


def _on_reports(report_us: Any, sep_us: Any, below: Any) -> Any:
    import numpy as np

    index = np.searchsorted(sep_us, report_us)
    index = np.clip(index, 0, len(sep_us) - 1)
    return below[index] & (sep_us[index] == report_us)


def write(data: DebriefData, path: str, *, title: str, fmt: str) -> None:
    from pathlib import Path

    if fmt == "pdf":
        write_pdf(debrief_html(data, title=title), path)
        return
    text = (
        json.dumps(debrief_json(data), indent=1, ensure_ascii=False) + "\n"
        if fmt == "json"
        else debrief_html(data, title=title)
    )
    Path(path).write_text(text, encoding="utf-8")


def write_pdf(page: str, path: str) -> None:
    """The HTML report as a PDF (WeasyPrint, with Pango's shaping: Arabic and Hebrew
    right to left), A4 landscape. Nothing is fetched: the page holds everything."""
    from weasyprint import HTML

    HTML(string=page.replace("</style>", _PRINT + "</style>", 1), base_url=None).write_pdf(path)


_PRINT = """
@page { size: A4 landscape; margin: 12mm; }
@media print { section { break-inside: auto; } figure, tr { break-inside: avoid; }
  svg { max-height: 150mm; width: auto; } }
"""


_STYLE = """
body { font-family: "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif;
  margin: 1.5em; color: #111; font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 .3em; } h2 { font-size: 15px; margin-top: 1.4em; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd;
  padding: 3px 8px; text-align: start; vertical-align: top; }
th { background: #f3f3f3; } code { font-size: 11px; }
.warning { color: #b00000; font-weight: bold; } .caution { color: #9a6a00; }
.advisory { color: #1f5fa8; } .ok { color: #2f7d32; font-weight: bold; }
.bad { color: #b00000; font-weight: bold; } .note { color: #555; font-size: 11px; }
.original { color: #666; font-size: 11px; } figure { margin: .5em 0; }
svg { max-width: 100%; height: auto; }
"""
