"""Font registration for every PDF the portal makes (certificates, tickets, sign-in sheets)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass(frozen=True, slots=True)
class Face:
    """The fonts of one design and weight: for Latin runs, for Bangla runs, and for anything else.

    The Noto Bengali fonts also carry Latin-1 and Latin Extended-A in the Noto Sans/Serif design
    (metrics differ by about 1%; their digits are tabular, so "(1)" is a little looser). Using them
    for Latin runs as well means a certificate embeds 4 fonts instead of 6: 1.2 ms and 5 KiB less per
    PDF. A run with a character they lack (Vietnamese, Greek, Cyrillic) is drawn with `fallback`,
    the full Noto font. For Latin text in Noto Sans/Serif proper, pass Face(fallback, bengali, fallback).
    """

    latin: str
    bengali: str
    fallback: str


SANS = Face("NotoSansBengali-Regular", "NotoSansBengali-Regular", "NotoSans-Regular")
SANS_BOLD = Face("NotoSansBengali-Bold", "NotoSansBengali-Bold", "NotoSans-Bold")
SERIF = Face("NotoSerifBengali-Regular", "NotoSerifBengali-Regular", "NotoSerif-Regular")
SERIF_BOLD = Face("NotoSerifBengali-Bold", "NotoSerifBengali-Bold", "NotoSerif-Bold")
FONT_NAMES = (
    "NotoSans-Regular",
    "NotoSans-Bold",
    "NotoSerif-Regular",
    "NotoSerif-Bold",
    "NotoSansBengali-Regular",
    "NotoSansBengali-Bold",
    "NotoSerifBengali-Regular",
    "NotoSerifBengali-Bold",
)

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the portal's fonts and set reportlab's options, once per process (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        # Must be set before a TTFont is created (TTFont.__init__ reads it). Otherwise codes 32-126 of
        # each font's first subset are kept for ASCII, Bangla glyphs spill into further subsets (each
        # embedded as one more font): a certificate grew from 33 to 53 KiB.
        rl_config.ttfAsciiReadable = 0
        # Binary streams instead of ASCII85 text: page, font and image streams shrink by a fifth.
        rl_config.useA85 = 0
        for name in FONT_NAMES:
            path = FONT_DIR / f"{name}.ttf"
            if not path.is_file():
                raise FileNotFoundError(f"font file missing: {path}")
            font = TTFont(name, str(path))
            _map_unencoded_glyphs(font)
            pdfmetrics.registerFont(font)
        # Families for Paragraph markup (<b>). No italic files are shipped: <i> falls back to upright.
        for family in ("NotoSans", "NotoSerif", "NotoSansBengali", "NotoSerifBengali"):
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(family, bold, italic, f"{family}-{'Bold' if bold else 'Regular'}")
        _registered = True


def _map_unencoded_glyphs(font: TTFont) -> None:
    """Give every glyph without a code point (conjuncts, vowel-sign variants) a private-use code now.

    reportlab assigns these codes lazily, in the order a process happens to shape text, so the same
    certificate could come out with different bytes in two processes. Assigning them all up front in
    glyph order makes the output depend only on the inputs.
    """
    hb_font = font.hbFont(10)  # also installs font.hbAddPrivate
    glyph_to_char = font.face.glyphToChar
    for gid in range(font.hbFace.glyph_count):
        if gid not in glyph_to_char:
            advance = font.pdfScale(hb_font.get_glyph_h_advance(gid))
            font.hbAddPrivate(hb_font.glyph_to_string(gid), gid, advance)
