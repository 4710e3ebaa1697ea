"""A debrief as one self-contained HTML file (styles and SVG plots inline: it opens with
no network) or as JSON: the summary, the encounters, the statistics per pair of parties,
the plan view, a separation chart per encounter, the message transcript in the reader's
language with the originals, and the journal's verification with the head it covers.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from babel import Locale
from babel.numbers import get_decimal_symbol

from airhotline.clock import iso_from_us
from airhotline.core.alerts.model import CONFLICT, INCURSION
from airhotline.core.notices.area import parse_area
from airhotline.debrief import plots
from airhotline.debrief.collect import DebriefData
from airhotline.debrief.stats import (
    NUISANCE_MARGIN,
    as_mapping,
    below_minima,
    by_tier_and_kind,
    encounters,
    pair_series,
    pair_stats,
)
from airhotline.debrief.words import Words, tr_noop
from airhotline.i18n import RIGHT_TO_LEFT

__all__ = ["debrief_html", "debrief_json", "default_title"]


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


_KINDS = {CONFLICT: tr_noop("conflict"), INCURSION: tr_noop("incursion into a notice")}
_TIERS = ("advisory", "caution", "warning")


def _kind(w: Words, kind: str) -> str:
    return w.tr(_KINDS[kind]) if kind in _KINDS else kind


def _tier(w: Words, tier: object) -> str:
    return w.choice("choice/tier", str(tier)) if tier in _TIERS else str(tier or "")


def _cells(*values: str, header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{v}</{tag}>" for v in values) + "</tr>"


def _pair(w: Words, parties: tuple[str, str], sides: tuple[str, str] | None = None) -> str:
    if sides is None:
        return f"{_e(w.value(parties[0]))} — {_e(w.value(parties[1]))}"
    return f"{_e(w.value(f'{parties[0]}/{sides[0]}'))} — {_e(w.value(f'{parties[1]}/{sides[1]}'))}"


def default_title(data: DebriefData) -> str:
    """``Debrief, 1 Jun 2026 09:00 UTC to 1 Jun 2026 10:00 UTC``, in the reader's language."""
    w = Words(data.lang)
    return w.tr(
        "Debrief, {start} to {end}", start=w.moment(data.start_us), end=w.moment(data.end_us)
    )


def debrief_html(data: DebriefData, *, title: str | None = None) -> str:
    """The debrief as one HTML page in the reader's language (``data.lang``): its
    headings, headers, labels and captions translated, its values written as the
    hotline's messages write them, right to left for Arabic and Hebrew."""
    w = Words(data.lang)
    title = title or default_title(data)
    found = encounters(data)
    parts: list[str] = []
    reader = w.value(data.party) if data.party else w.tr("all parties (admin)")
    language = Locale.parse(data.lang).get_display_name(data.lang) or data.lang
    head = f"<code>{_e(w.value(data.head_hash))}</code>"
    verdict = (
        w.tr_html(
            "Journal {verified} up to record {seq}; head {head}.",
            verified=f'<span class="ok">{_e(w.tr("verified"))}</span>',
            seq=_e(w.number(data.head_seq)),
            head=head,
        )
        if data.verified
        else w.tr_html(
            "Journal {broken}: {reason}; head {head}.",
            broken=f'<span class="bad">{_e(w.tr("BROKEN"))}</span>',
            reason=_e(w.value(data.verify_reason or "")),
            head=head,
        )
    )
    who = w.tr("Reader: {reader}; language: {language}.", reader=reader, language=language)
    parts.append(f"<header><h1>{_e(title)}</h1><p>{_e(who)}</p><p>{verdict}</p></header>")
    counts = by_tier_and_kind(found)
    rows = (
        "".join(
            _cells(
                _e(_kind(w, k)), f"<span class='{_e(t)}'>{_e(_tier(w, t))}</span>", _e(w.number(n))
            )
            for (k, t), n in sorted(counts.items())
        )
        or f"<tr><td colspan=3>{_e(w.tr('no alert'))}</td></tr>"
    )
    parts.append(
        f"<section><h2>{_e(w.tr('Summary'))}</h2><table>"
        + _cells(_e(w.tr("kind")), _e(w.tr("highest tier")), _e(w.tr("alerts")), header=True)
        + f"{rows}</table></section>"
    )
    rows = ""
    for e in found:
        acks = ", ".join(
            f"{_e(w.value(p))} {_e(w.measure(t, 's'))}" for p, t in e.to_acknowledge_s.items()
        )
        rows += _cells(
            f"<code>{_e(w.value(e.alert_id[:8]))}</code>",
            _e(_kind(w, e.kind)),
            _pair(w, e.parties, e.sides),
            f"<span class='{_e(e.tier)}'>{_e(_tier(w, e.tier))}</span>",
            _e(w.clock(e.raised_us)),
            _e(w.measure(e.min_h_nm, "NM", 2)),
            _e(w.measure(e.min_v_ft, "ft")),
            _e(w.measure(e.warning_s, "s")),
            acks,
            _e(w.number(e.escalations)),
            _e(w.tr("yes")) if e.nuisance else "",
        )
    headers: tuple[str, ...] = (
        w.tr("alert"),
        w.tr("kind"),
        w.tr("between"),
        w.tr("tier"),
        w.tr("raised (UTC)"),
        w.tr("least horizontal"),
        w.tr("least vertical"),
        w.tr("warning time"),
        w.tr("time to acknowledge"),
        w.tr("escalations"),
        w.tr("nuisance"),
    )
    note = w.tr(
        "Warning time: from the first alert to the loss of separation, or to the closest"
        " approach when separation was kept. Nuisance: resolved, and never within"
        " {share} of the minima in one dimension.",
        share=w.value(f"{round(NUISANCE_MARGIN * 100)} %"),
    )
    parts.append(
        f"<section><h2>{_e(w.tr('Encounters'))}</h2><table class='wide'>"
        + _cells(*map(_e, headers), header=True)
        + (rows or f"<tr><td colspan=11>{_e(w.tr('none'))}</td></tr>")
        + f"</table><p class='note'>{_e(note)}</p></section>"
    )
    rows = "".join(
        _cells(
            _pair(w, p.parties),
            _e(w.number(p.alerts)),
            _e(w.number(p.warnings)),
            _e(w.number(p.nuisance)),
            _e(w.number(p.escalations)),
            _e(w.measure(p.median_acknowledge_s, "s")),
        )
        for p in pair_stats(found)
    )
    headers = (
        w.tr("parties"),
        w.tr("alerts"),
        w.tr("warnings"),
        w.tr("nuisance"),
        w.tr("escalations"),
        w.tr("median time to acknowledge"),
    )
    parts.append(
        f"<section><h2>{_e(w.tr('Per pair of parties'))}</h2><table>"
        + _cells(*map(_e, headers), header=True)
        + (rows or f"<tr><td colspan=6>{_e(w.tr('none'))}</td></tr>")
        + "</table></section>"
    )
    rows = "".join(
        _cells(
            _e(w.clock(int(x["time_us"]))),
            " — ".join(_e(w.value(str(p))) for p in x.get("parties") or []),
            " / ".join(_e(w.value(str(t))) for t in x.get("tracks") or []),
            f"<span class='{_e(x.get('tier'))}'>{_e(_tier(w, x.get('tier')))}</span>",
            _e(w.measure(_float(x.get("t_in_s")), "s")),
            _e(w.measure(_float(x.get("dcpa_nm")), "NM", 2)),
            f"<code>{_e(w.value(str(x.get('exemption_id'))[:8]))}</code>",
        )
        for x in data.suppressed
    )
    if rows:
        headers = (
            w.tr("UTC"),
            w.tr("parties"),
            w.tr("tracks"),
            w.tr("tier"),
            w.tr("time to loss"),
            w.tr("predicted closest"),
            w.tr("exemption"),
        )
        parts.append(
            f"<section><h2>{_e(w.tr('Held back by a cleared proximity'))}</h2><table class='wide'>"
            + _cells(*map(_e, headers), header=True)
            + f"{rows}</table></section>"
        )
    parts.append(_pictures(data, found, w))
    rows = "".join(
        _cells(
            _e(w.clock(int(m["time_us"]))),
            _e(w.value(m["from"]) if m.get("from") else w.tr("hotline")),
            _e(w.value(m["to"]) if m.get("to") else ""),
            f"<div>{_e(m.get('text'))}</div>" + _original(m, data.lang),
        )
        for m in data.messages
    )
    headers = (w.tr("UTC"), w.tr("from"), w.tr("to"), w.tr("message"))
    parts.append(
        f"<section><h2>{_e(w.tr('Hotline messages'))}</h2><table class='wide'>"
        + _cells(*map(_e, headers), header=True)
        + (rows or f"<tr><td colspan=4>{_e(w.tr('none'))}</td></tr>")
        + "</table></section>"
    )
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html><html lang='{_e(data.lang)}' dir='{w.direction}'>"
        f"<head><meta charset='utf-8'><title>{_e(title)}</title><style>{_STYLE}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def _original(message: Mapping[str, Any], lang: str) -> str:
    """The message as its sender wrote it, where it was in another language, in that
    language's own direction (``dir='auto'`` is not every renderer's: WeasyPrint's)."""
    original = message.get("original") or {}
    theirs = original.get("lang")
    if theirs in (None, lang):
        return ""
    direction = "rtl" if theirs in RIGHT_TO_LEFT else "ltr"
    return f"<div class='original' dir='{direction}'>{_e(theirs)}: {_e(original.get('text'))}</div>"


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _pictures(data: DebriefData, found: list[Any], w: Words) -> str:
    tracks = list(data.tracks.values())
    close = []
    charts = []
    decimal = get_decimal_symbol(Locale.parse(data.lang), numbering_system="latn")
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
        caption = w.tr_html(
            "{between}, alert {alert}: minima {h} and {v}.",
            between=_pair(w, e.parties, e.sides),
            alert=f"<code>{_e(w.value(e.alert_id[:8]))}</code>",
            h=_e(w.measure(minima[0], "NM", 1)),
            v=_e(w.measure(minima[1], "ft")),
        )
        charts.append(
            f"<figure>{plots.separation_chart(sep, minima, decimal)}"
            f"<figcaption>{caption}</figcaption></figure>"
        )
    areas = []
    names = []
    for notice in data.notices:
        try:
            area = parse_area(notice["area"])
        except Exception:  # a notice's area was checked when published; never fail a report
            continue
        label = str(notice["notice_id"])[:8]
        areas.append((label, area.outline()))
        kind = str(notice.get("kind"))
        names.append(f"{_e(w.value(label))}: {_e(w.choice('choice/kind', kind) if kind else '')}")
    plan = _e(w.tr("Plan view"))
    if not tracks and not areas:
        return f"<section><h2>{plan}</h2><p>{_e(w.tr('no track reported'))}</p></section>"
    parties = sorted({t.party for t in tracks})
    view = plots.plan_view(tracks, close, areas, parties)
    legend = _e(
        w.tr(
            "Longitude and latitude in degrees; in red, where two aircraft were below their minima."
        )
    )
    if names:
        legend += " " + w.tr_html("Notices: {notices}.", notices="; ".join(names))
    if len(tracks) > plots.PLAN_LABELS:
        legend += " " + _e(w.tr("Too many aircraft to label: the tables name them."))
    chart_note = w.tr(
        "Horizontal separation in NM above, vertical in ft below, against the time of day"
        " (UTC); dashed, the minima."
    )
    return (
        f"<section><h2>{plan}</h2><figure>{view}<figcaption>{legend}"
        f"</figcaption></figure></section>"
        f"<section><h2>{_e(w.tr('Separation against time'))}</h2>"
        f"<p class='note'>{_e(chart_note)}</p>"
        f"{''.join(charts) or '<p>' + _e(w.tr('none')) + '</p>'}</section>"
    )


def _on_reports(report_us: Any, sep_us: Any, below: Any) -> Any:
    import numpy as np

    index = np.searchsorted(sep_us, report_us)
    index = np.clip(index, 0, len(sep_us) - 1)
    return below[index] & (sep_us[index] == report_us)


def write(data: DebriefData, path: str, *, fmt: str, title: str | None = None) -> None:
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
@media print { body { margin: 0; font-size: 11px; } section { break-inside: auto; }
  figure, tr { break-inside: avoid; } svg { max-height: 150mm; width: auto; }
  table { font-size: 10px; } table.wide { width: 100%; }
  td, th { padding: 2px 4px; overflow-wrap: break-word; }
  thead { display: table-header-group; } }
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
