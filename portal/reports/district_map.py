"""A schematic map of the 64 districts as server-side SVG: one square tile per district.

No map data ships with the portal (it runs offline), so this is a tile cartogram, not a map with
borders: each district gets a square on a grid, as near as the grid allows to its headquarters'
latitude and longitude (`portal.core.districts.HEADQUARTERS`), with thick lines where a division
ends. Tiles are shaded by a count (people reached), carry a short name and the count, and link to
the list behind the figure. The same figures come as a table (`Chart.rows`, `Chart.links`).
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable, Mapping

from portal.core.districts import BY_CODE, HEADQUARTERS, district_name
from portal.core.i18n import current_language, format_number
from portal.core.i18n import gettext as _
from portal.reports.charts import FONT, MUTED, PAD, TEXT, WIDTH, Chart, _esc, _require_title

COLS, ROWS = 11, 14
# The box the grid spans (degrees): Panchagarh's north to Cox's Bazar's south, Chapainawabganj to Bandarban.
NORTH, SOUTH, WEST, EAST = 26.5, 21.3, 88.1, 92.4
TILE = (WIDTH - 2 * PAD) / COLS
GAP = 2
# ColorBrewer "Blues"; text is dark on the two light shades and white on the dark ones (each at least 4.5:1).
EMPTY = "#f0f0f0"
SHADES = ("#deebf7", "#9ecae1", "#2171b5", "#08306b")
INK = (TEXT, TEXT, "#ffffff", "#ffffff")
BORDER = "#1a1a1a"


def _ideal(code: str) -> tuple[float, float]:
    lat, lon = HEADQUARTERS[code]
    return (lon - WEST) / (EAST - WEST) * (COLS - 1), (NORTH - lat) / (NORTH - SOUTH) * (ROWS - 1)


@functools.cache
def layout() -> dict[str, tuple[int, int]]:
    """Each district's grid cell (column, row): the free cell nearest its headquarters, placing the most
    crowded districts (around Dhaka) first so that they stay closest to where they are."""
    def crowd(code: str) -> int:
        return sum(1 for other in HEADQUARTERS if math.dist(_ideal(other), _ideal(code)) < 1.5)

    taken: dict[tuple[int, int], str] = {}
    for code in sorted(HEADQUARTERS, key=lambda c: (-crowd(c), c)):
        x, y = _ideal(code)
        free = (cell for cell in ((cx, cy) for cx in range(COLS) for cy in range(ROWS)) if cell not in taken)
        taken[min(free, key=lambda p: (math.dist(p, (x, y)), p))] = code
    return {code: cell for cell, code in taken.items()}


def _clusters(text: str) -> list[str]:
    # Bangla letters as people see them: a letter with its vowel signs, and letters joined by a virama.
    out: list[str] = []
    for char in text:
        if out and (unicodedata.category(char) in ("Mn", "Mc") or out[-1].endswith("\u09cd")):
            out[-1] += char
        elif char.strip():
            out.append(char)
    return out


@functools.cache
def short_names(lang: str) -> dict[str, str]:
    """A short name per district, unique in the language: three letters in English ("Syl"), two
    letters in Bangla ("সিলে"), else the first letter with later ones until no other district has it."""
    names = {code: _clusters(district_name(code, lang)) for code in BY_CODE}
    width = 2 if lang == "bn" else 3
    first = {code: "".join(parts[:width]) for code, parts in names.items()}
    out = {}
    for code, parts in names.items():
        label = first[code]
        if sum(1 for other in first.values() if other == label) > 1:
            candidates = ("".join((parts[0], *(parts[i] for i in pick)))
                          for pick in _picks(len(parts), width - 1))
            label = next((c for c in candidates if c not in first.values() and c not in out.values()), label)
        out[code] = label
    return out


def _picks(length: int, count: int) -> list[tuple[int, ...]]:
    import itertools

    return list(itertools.combinations(range(1, length), count))


def _bins(top: int) -> list[tuple[int, int]]:
    # Up to four ranges of equal width from 1 to the largest count; fewer when the counts are small.
    if top <= 0:
        return []
    steps = min(len(SHADES), top)
    bounds = sorted({math.ceil(top * (i + 1) / steps) for i in range(steps)})
    return [(low, high) for low, high in zip([1, *(b + 1 for b in bounds[:-1])], bounds, strict=True)]


def _shade(count: int, bins: list[tuple[int, int]]) -> int | None:
    for i, (low, high) in enumerate(bins):
        if low <= count <= high:
            return i + len(SHADES) - len(bins)  # few ranges use the darker shades, so they stand out
    return None


def district_map(title: str, counts: Mapping[str, int], link: Callable[[str], str] | None = None, *,
                 value_name: str = "", chart_id: str = "district-map") -> Chart:
    """The tile map: `counts` by district code (unknown codes are left out); `link(code)` gives each tile's
    address. Its table lists the districts with a count, largest first."""
    _require_title(title)
    if any(v < 0 for v in counts.values()):
        raise ValueError("map counts must not be negative")
    lang = current_language.get()
    cells, names = layout(), short_names(lang)
    known = {code: int(n) for code, n in counts.items() if code in BY_CODE}
    bins = _bins(max(known.values(), default=0))
    body: list[str] = []
    for code, (cx, cy) in sorted(cells.items(), key=lambda kv: (kv[1][1], kv[1][0])):
        count = known.get(code, 0)
        shade = _shade(count, bins)
        x, y = PAD + cx * TILE, PAD + cy * TILE
        fill, ink = (EMPTY, MUTED) if shade is None else (SHADES[shade], INK[shade])
        name = district_name(code, lang)
        tile = (f'<title>{_esc(name)}: {_esc(format_number(count))}</title>'
                f'<rect x="{x + GAP / 2:.1f}" y="{y + GAP / 2:.1f}" width="{TILE - GAP:.1f}" '
                f'height="{TILE - GAP:.1f}" fill="{fill}"/>'
                f'<text x="{x + TILE / 2:.1f}" y="{y + 12:.1f}" text-anchor="middle" font-size="8.5" '
                f'fill="{ink}">{_esc(names[code])}</text>'
                f'<text x="{x + TILE / 2:.1f}" y="{y + TILE - 6:.1f}" text-anchor="middle" font-size="11" '
                f'font-weight="bold" fill="{ink}">{_esc(format_number(count)) if count else ""}</text>')
        href = link(code) if link else ""
        body.append(f'<a href="{_esc(href)}">{tile}</a>' if href else f"<g>{tile}</g>")
    body += _division_lines(cells)
    height = PAD + ROWS * TILE
    legend, height = _legend(bins, height + 8)
    body += legend
    reached = sorted(((c, n) for c, n in known.items() if n), key=lambda kv: (-kv[1], district_name(kv[0], lang)))
    division = (lambda d: d.division_bn) if lang == "bn" else (lambda d: d.division)
    rows = tuple((district_name(c, lang), division(BY_CODE[c]), format_number(n)) for c, n in reached)
    desc = _("%(reached)s of 64 districts: %(list)s.") % {
        "reached": format_number(len(reached)),
        "list": "; ".join(f"{r[0]} {r[2]}" for r in rows[:20]) + ("…" if len(rows) > 20 else "")}
    cid = "c-" + chart_id
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" width="100%" '
           f'role="group" aria-labelledby="{cid}-title {cid}-desc" class="chart map" '
           f'font-family="{_esc(FONT)}" font-size="13" fill="{TEXT}">'
           f'<title id="{cid}-title">{_esc(title)}</title><desc id="{cid}-desc">{_esc(desc)}</desc>'
           + "".join(body) + "</svg>")
    links = tuple(link(c) for c, _n in reached) if link else ()
    return Chart(svg=svg, headers=(_("District"), _("Division"), value_name or _("Count")), rows=rows,
                 links=links, title=title)


def _division_lines(cells: Mapping[str, tuple[int, int]]) -> list[str]:
    # A thick line on each tile side that faces another division or the sea/border (no tile).
    at = {cell: BY_CODE[code].division for code, cell in cells.items()}
    lines = []
    for (cx, cy), div in at.items():
        x0, y0 = PAD + cx * TILE, PAD + cy * TILE
        x1, y1 = x0 + TILE, y0 + TILE
        for (dx, dy), (ax, ay, bx, by) in (((0, -1), (x0, y0, x1, y0)), ((0, 1), (x0, y1, x1, y1)),
                                           ((-1, 0), (x0, y0, x0, y1)), ((1, 0), (x1, y0, x1, y1))):
            if at.get((cx + dx, cy + dy)) != div:
                lines.append(f"M{ax:.1f} {ay:.1f}L{bx:.1f} {by:.1f}")
    return [f'<path d="{"".join(lines)}" stroke="{BORDER}" stroke-width="1.5" fill="none" '
            f'stroke-linecap="square" aria-hidden="true"/>']


def _legend(bins: list[tuple[int, int]], y: float) -> tuple[list[str], float]:
    # Colour is never the only cue: each swatch has its range written next to it, and tiles show counts.
    items = [(EMPTY, _("none"))] + [
        (SHADES[i + len(SHADES) - len(bins)],
         format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}")
        for i, (low, high) in enumerate(bins)]
    people = _esc(_("People:"))  # outside the f-string, where babel's extractor finds it
    parts, x = [f'<text x="{PAD}" y="{y + 11}" font-size="11" fill="{MUTED}">{people}</text>'], PAD + 56
    for colour, label in items:
        if x + 20 + 7 * len(label) > WIDTH - PAD:
            x, y = PAD + 56, y + 18
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}" stroke="{MUTED}" '
                     f'stroke-width="0.5"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" font-size="11">{_esc(label)}</text>')
        x += 16 + 7 * len(label) + 14
    return parts, y + 12 + PAD
