"""Mixed Latin and Bangla text on a reportlab canvas: script runs, shaping, measuring and drawing.

Names are text, not markup: everything here draws with the canvas, so `<`, `&` and quotes print as
typed. Each script run is shaped with its own font through HarfBuzz (reportlab's `shapeStr`) because
a mixed string shaped as one run breaks, and `drawString(..., shaping=True)` is a no-op without the
`rlbidi` package. Widths come from the shaped advances, so centred text is really centred.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeFragWord, shapeStr
from reportlab.pdfgen.canvas import Canvas

from portal.pdf.fonts import Face, register_fonts

Script = Literal["bengali", "latin"]
Align = Literal["left", "centre", "right"]

_ZWNJ, _ZWJ = "\u200c", "\u200d"
_DANDAS = "\u0964\u0965"  # Devanagari-block full stops that Bangla uses too
_OPENERS = {"Ps", "Pi"}  # opening brackets and quotes belong to the word that follows them
# Shaping at any size gives the same advances in 1/1000 em (the size only sets HarfBuzz's ptem,
# which Noto ignores), so shape once per (text, font) at a fixed size and scale the widths.
_SHAPE_SIZE = 10
_shape_lock = threading.Lock()
# reportlab's shapeStr turns on liga and dlig: in Latin text "fi" becomes the ligature glyph, which
# extracts as U+FB01, so a search for "Rafiq" or "Certificate" misses. Latin runs keep kerning only.
_LATIN_FEATURES = {"kern": True, "liga": False, "dlig": False}


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text in one script, drawn with one font."""

    text: str
    script: Script


def _strong_script(ch: str) -> Script | None:
    """Return the script that decides a character's font, or None for neutral characters."""
    if "\u0980" <= ch <= "\u09ff" or ch in _DANDAS:
        return "bengali"
    category = unicodedata.category(ch)
    if category[0] in "LN" and not (category == "Nd" and ch.isascii()):
        return "latin"
    return None


def _is_attached(ch: str) -> bool:
    """True for characters that must stay with the character before them (marks and joiners)."""
    return ch in (_ZWNJ, _ZWJ) or unicodedata.category(ch) in ("Mn", "Mc", "Me")


@lru_cache(maxsize=4096)
def split_runs(text: str) -> tuple[Run, ...]:
    """Split text into script runs; marks, joiners and neutral characters join a neighbouring run."""
    if not text:
        return ()
    scripts = [None if _is_attached(ch) else _strong_script(ch) for ch in text]
    _resolve_neutrals(text, scripts)
    for i in range(1, len(text)):
        if _is_attached(text[i]):
            scripts[i] = scripts[i - 1]  # a vowel sign or ZWJ never leaves its base consonant
    runs: list[Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or scripts[i] != scripts[start]:
            runs.append(Run(text[start:i], scripts[start] or "latin"))
            start = i
    return tuple(runs)


def _resolve_neutrals(text: str, scripts: list[Script | None]) -> None:
    """Give spaces, digits and punctuation the script of the word they belong to (in place)."""
    following: list[Script | None] = [None] * len(text)
    upcoming: Script | None = None
    for i in range(len(text) - 1, -1, -1):
        following[i] = upcoming
        upcoming = scripts[i] or upcoming
    previous: Script | None = None
    for i, ch in enumerate(text):
        if scripts[i] is not None:
            previous = scripts[i]
        elif previous is None or unicodedata.category(ch) in _OPENERS:
            # "রহিমা (Rahima)": the space stays with রহিমা, the bracket goes with Rahima.
            scripts[i] = following[i] or previous or "latin"
        else:
            scripts[i] = previous


@dataclass(frozen=True, slots=True)
class ShapedRun:
    """One script run after shaping, ready to draw."""

    font: str
    text: str  # a reportlab ShapedStr (glyphs plus HarfBuzz positions), or plain text if nothing changed
    advance: float  # width in 1/1000 of the font size


@lru_cache(maxsize=16384)
def _shape(text: str, font_name: str, script: Script) -> ShapedRun:
    """Shape one run with one font; cached because names and labels repeat across certificates."""
    with _shape_lock:  # reportlab mutates per-font tables while shaping
        if script == "bengali":
            shaped = shapeStr(text, font_name, _SHAPE_SIZE)
        else:  # shapeStr with our own features (it hard-codes liga and dlig)
            frag = ABag(fontName=font_name, fontSize=_SHAPE_SIZE)
            shaped = shapeFragWord([0, (frag, text)], features=_LATIN_FEATURES)[1][1]
    if isinstance(shaped, ShapedStr):
        advance = sum(sd.x_advance for sd in shaped.__shapeData__)
    else:
        advance = pdfmetrics.stringWidth(shaped, font_name, 1000)
    return ShapedRun(font_name, shaped, advance)


def _has_glyphs(font_name: str, text: str) -> bool:
    char_to_glyph = pdfmetrics.getFont(font_name).face.charToGlyph
    return all(ord(ch) in char_to_glyph for ch in text if not ch.isspace())


@lru_cache(maxsize=8192)
def shape_text(text: str, face: Face) -> tuple[ShapedRun, ...]:
    """Shape text for drawing: one shaped piece per script run, each with its own font."""
    register_fonts()
    text = _clean(text)
    pieces = []
    for run in split_runs(text):
        font = face.bengali if run.script == "bengali" else face.latin
        # The whole run moves, not just the missing letter: a word should be shaped in one font.
        if not _has_glyphs(font, run.text) and _has_glyphs(face.fallback, run.text):
            font = face.fallback
        pieces.append(_shape(run.text, font, run.script))
    return tuple(pieces)


def _clean(text: str) -> str:
    """Turn control characters (newlines, tabs) into spaces: every call draws a single line."""
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def text_width(text: str, face: Face, size: float) -> float:
    """Width in points of text drawn in face at size, from the shaped advances."""
    return sum(p.advance for p in shape_text(text, face)) * size / 1000


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, face: Face, size: float, align: Align = "left"
) -> float:
    """Draw one line of mixed-script text aligned on x; return its width."""
    return _draw(canvas, x, y, shape_text(text, face), size, align, 100.0)


def draw_left(canvas: Canvas, x: float, y: float, text: str, face: Face, size: float) -> float:
    """Draw text starting at x; return its width."""
    return draw_text(canvas, x, y, text, face, size, "left")


def draw_centred(canvas: Canvas, x: float, y: float, text: str, face: Face, size: float) -> float:
    """Draw text centred on x; return its width."""
    return draw_text(canvas, x, y, text, face, size, "centre")


def draw_right(canvas: Canvas, x: float, y: float, text: str, face: Face, size: float) -> float:
    """Draw text ending at x; return its width."""
    return draw_text(canvas, x, y, text, face, size, "right")


def fit_font_size(text: str, face: Face, size: float, max_width: float, min_size: float) -> float:
    """Largest size up to `size` at which text fits max_width, but never below min_size."""
    units = sum(p.advance for p in shape_text(text, face))
    if units <= 0:
        return size
    return max(min_size, min(size, max_width * 1000 / units))


def draw_fitted(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    face: Face,
    size: float,
    max_width: float,
    *,
    min_size: float,
    align: Align = "centre",
) -> float:
    """Draw text shrunk to fit max_width (then condensed if min_size is still too wide); return the size."""
    pieces = shape_text(text, face)
    used = fit_font_size(text, face, size, max_width, min_size)
    width = sum(p.advance for p in pieces) * used / 1000
    # Below the smallest readable size, condense the letters instead of letting a long name run off.
    scale = 100.0 if width <= max_width else 100.0 * max_width / width
    _draw(canvas, x, y, pieces, used, align, scale)
    return used


def wrap_text(text: str, face: Face, size: float, max_width: float) -> list[str]:
    """Break text at spaces into lines no wider than max_width (a single long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in _clean(text).split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, face, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _draw(
    canvas: Canvas, x: float, y: float, pieces: tuple[ShapedRun, ...], size: float, align: Align, scale: float
) -> float:
    width = sum(p.advance for p in pieces) * size / 1000 * scale / 100
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    text_object = canvas.beginText()
    if scale != 100.0:
        text_object.setHorizScale(scale)
    for piece in pieces:
        text_object.setTextOrigin(x, y)
        text_object.setFont(piece.font, size)
        text_object.textOut(piece.text)  # a ShapedStr is drawn glyph by glyph with HarfBuzz positions
        x += piece.advance * size / 1000 * scale / 100
    if scale != 100.0:
        text_object.setHorizScale(100)  # Tz is graphics state: it outlives ET and would condense later text
    canvas.drawText(text_object)
    return width
