"""Server-rendered SVG charts, readable on a 360 px phone: horizontal bars and monthly columns.

Each chart is one self-contained SVG string (no script, no external font, scales with its
container through viewBox), with <title> and <desc> for screen readers, numbers drawn as text,
and the same figures as a plain table (`Chart.headers`, `Chart.rows`) for an HTML <table>.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from portal.core.i18n import current_language, format_number
from portal.core.i18n import gettext as _

WIDTH = 360  # viewBox units: 1 unit is 1 CSS pixel on a 360 px phone
PAD = 8
FONT = "'Hind Siliguri', 'Noto Sans Bengali', 'Noto Sans', system-ui, sans-serif"
# All on white, checked against WCAG: text 17:1 and 7:1; bars at least 4.5:1 (1.4.11 asks for 3:1).
# Blue and orange stay apart for the common colour-vision deficiencies.
TEXT, MUTED = "#1a1a1a", "#595959"
SERIES = ("#1f5f8b", "#b34d00")
MAX_LABEL = 40  # characters before a label is shortened (the table keeps it whole)
MAX_DESC_ITEMS = 20

_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart and its text alternative as a table."""

    svg: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str, ...] = ()  # each row's list behind its figure (the table links its first cell)
    title: str = ""  # what the SVG's <title> says, for a visible heading

    def __html__(self) -> str:
        # Jinja's markupsafe honours __html__, so `{{ chart }}` inserts the SVG unescaped; every piece
        # of text in it was escaped when it was built.
        return self.svg

    def __str__(self) -> str:
        return self.svg


def _esc(text: object) -> str:
    # Escapes for element text and attribute values alike; removes what XML cannot hold at all.
    return html.escape(_UNWRITABLE.sub("", str(text)), quote=True)


def _num(value: float) -> str:
    # In the page's digits: Bangla pages write ১,২৩৪.
    if float(value).is_integer():
        return format_number(int(value))
    text = f"{value:,.1f}"
    return format_number(value) if current_language.get() == "bn" else text


def _short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _linked(parts: list[str], href: str | None) -> list[str]:
    return [f'<a href="{_esc(href)}">', *parts, "</a>"] if href else parts


def _check(labels: Sequence[str], *series: Sequence[float] | None) -> None:
    for values in series:
        if values is None:
            continue
        if len(values) != len(labels):
            raise ValueError(f"{len(labels)} labels but {len(values)} values")
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError("chart values must be finite and not negative")


def _chart_id(chart_id: str | None, *parts: object) -> str:
    # Deterministic, so the same chart renders byte-identically (cacheable, testable); pass chart_id
    # when one page shows two charts with the same title and data.
    if chart_id:
        return "c-" + re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    return "chart-" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:10]


def _svg(cid: str, height: float, title: str, desc: str, body: list[str], role: str = "img") -> str:
    # A chart whose parts are links is a "group" (an "img" hides its links from screen readers).
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" width="100%" '
        f'role="{role}" aria-labelledby="{cid}-title {cid}-desc" class="chart" '
        f'font-family="{_esc(FONT)}" font-size="13" fill="{TEXT}">'
        f'<title id="{cid}-title">{_esc(title)}</title><desc id="{cid}-desc">{_esc(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _describe(kind: str, items: list[str]) -> str:
    shown = "; ".join(items[:MAX_DESC_ITEMS])
    more = f"; and {len(items) - MAX_DESC_ITEMS} more" if len(items) > MAX_DESC_ITEMS else ""
    return f"{kind}: {shown}{more}." if items else f"{kind}: no data."


def _require_title(title: str) -> None:
    if not title.strip():
        raise ValueError("a chart needs a title: it is what a screen reader announces")


def _legend(names: Sequence[str], y: float) -> list[str]:
    # Colour is never the only cue: the series names are written next to their swatches.
    parts, x = [], PAD
    for colour, name in zip(SERIES, names, strict=False):
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}">{_esc(_short(name, 20))}</text>')
        x += 16 + 8 * min(len(name), 20) + 16
    return parts


def _bar(label: str, parts: Sequence[float], y: float, scale: float, stacked: bool) -> list[str]:
    out = [f'<text x="{PAD}" y="{y + 13}">{_esc(_short(label))}</text>']
    bar_y, x = y + 18, float(PAD)
    for colour, part in zip(SERIES, parts, strict=False):
        width = part * scale
        if width > 0:
            out.append(f'<rect x="{x:.1f}" y="{bar_y}" width="{width:.1f}" height="16" fill="{colour}"/>')
            if stacked and width >= 30:  # the part's own number, when it fits inside its segment
                out.append(
                    f'<text x="{x + width / 2:.1f}" y="{bar_y + 12}" text-anchor="middle" '
                    f'font-size="11" fill="#ffffff">{_num(part)}</text>'
                )
        x += width
    out.append(f'<text x="{x + 6:.1f}" y="{bar_y + 13}" font-weight="bold">{_num(sum(parts))}</text>')
    return out


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    second: Sequence[float] | None = None,
    series: Sequence[str] = ("Count",),
    label_header: str = "",
    desc: str | None = None,
    chart_id: str | None = None,
    links: Sequence[str] | None = None,
) -> Chart:
    """Horizontal bars, each label above its bar; with `second` (and two series names) stacked; with `links`
    (an address per label) each bar links to the list behind it."""
    _require_title(title)
    _check(labels, values, second)
    if links is not None and len(links) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(links)} links")
    stacked = second is not None
    if len(series) != (2 if stacked else 1):
        raise ValueError("give one series name, or two when a second series is stacked")
    bars = [(v, second[i]) if stacked else (v,) for i, v in enumerate(values)]
    body = _legend(series, PAD) if stacked else []
    y = PAD + (24 if stacked else 0)
    scale = (WIDTH - 2 * PAD - 56) / (max(map(sum, bars), default=0) or 1)  # 56: room for the total
    for i, (label, parts) in enumerate(zip(labels, bars, strict=True)):
        body += _linked(_bar(str(label), parts, y, scale, stacked), links[i] if links else None)
        y += 44
    if not bars:
        none = _esc(_("No data"))  # outside the f-string, where babel's extractor finds it
        body.append(f'<text x="{PAD}" y="{y + 16}" fill="{MUTED}">{none}</text>')
        y += 24
    headers = (label_header, *series, _("Total")) if stacked else (label_header, *series)
    rows = tuple(
        (str(label), *map(_num, parts), _num(sum(parts))) if stacked else (str(label), _num(parts[0]))
        for label, parts in zip(labels, bars, strict=True)
    )
    items = [
        f"{label} {_num(sum(parts))}"
        + (f" ({series[0]} {_num(parts[0])}, {series[1]} {_num(parts[1])})" if stacked else "")
        for label, parts in zip(labels, bars, strict=True)
    ]
    cid = _chart_id(chart_id, "bar", title, labels, values, second)
    svg = _svg(cid, y + PAD, title, desc or _describe(_("Bar chart"), items), body, "group" if links else "img")
    return Chart(svg=svg, headers=headers, rows=rows, links=tuple(links or ()), title=title)


def column_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_name: str = "Count",
    label_header: str = "",
    desc: str | None = None,
    chart_id: str | None = None,
    links: Sequence[str] | None = None,
    ticks: Sequence[str] | None = None,
) -> Chart:
    """Vertical columns for counts over time (e.g. check-ins per month), numbers above the columns; with
    `links` (an address per label) each column links to the list behind it; `ticks` are shorter labels for
    the axis (the table keeps `labels`), written whole."""
    _require_title(title)
    _check(labels, values)
    if links is not None and len(links) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(links)} links")
    if ticks is not None and len(ticks) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(ticks)} ticks")
    axis = [str(t) for t in ticks] if ticks is not None else [_short(str(label), 8) for label in labels]
    height, top, bottom = 220, 20, 24
    plot_h, plot_w = height - top - bottom, WIDTH - 2 * PAD
    baseline = top + plot_h
    body = [f'<line x1="{PAD}" y1="{baseline}" x2="{WIDTH - PAD}" y2="{baseline}" stroke="{MUTED}"/>']
    count = len(labels)
    slot = plot_w / count if count else plot_w
    # Thin out axis labels so they never overlap: about 6.5 units per character at font size 11.
    longest = max((len(tick) for tick in axis), default=1)
    label_every = max(1, math.ceil((longest * 6.5 + 6) / slot))
    scale = plot_h / (max(values, default=0) or 1)
    for i, value in enumerate(values):
        centre, bar_h = PAD + slot * (i + 0.5), value * scale
        if links:
            body.append(f'<a href="{_esc(links[i])}">')
        if bar_h > 0:
            body.append(
                f'<rect x="{centre - slot * 0.35:.1f}" y="{baseline - bar_h:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{bar_h:.1f}" fill="{SERIES[0]}"/>'
            )
        if slot >= 22:  # numbers above columns only while they fit; the table has them all
            body.append(
                f'<text x="{centre:.1f}" y="{baseline - bar_h - 4:.1f}" text-anchor="middle" '
                f'font-size="11">{_num(value)}</text>'
            )
        if i % label_every == 0:
            body.append(
                f'<text x="{centre:.1f}" y="{baseline + 16}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">{_esc(axis[i])}</text>'
            )
        if links:
            body.append("</a>")
    if not count:
        none = _esc(_("No data"))  # outside the f-string, where babel's extractor finds it
        body.append(f'<text x="{WIDTH / 2:g}" y="{top + plot_h / 2:g}" text-anchor="middle">{none}</text>')
    items = [f"{label} {_num(v)}" for label, v in zip(labels, values, strict=True)]
    cid = _chart_id(chart_id, "column", title, labels, values)
    svg = _svg(cid, height, title, desc or _describe(_("Column chart"), items), body, "group" if links else "img")
    rows = tuple((str(label), _num(v)) for label, v in zip(labels, values, strict=True))
    return Chart(svg=svg, headers=(label_header, value_name), rows=rows, links=tuple(links or ()), title=title)
