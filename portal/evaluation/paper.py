"""The paper version of a test: the questions in English and Bangla, then an answer sheet with a grid
(one row per question, a box per choice) that staff type in on the entry screen.

Text is drawn with portal.pdf (shaped Bangla, no markup), so whatever a trainer typed prints as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from portal.pdf import SANS, SANS_BOLD, PdfDocument, draw_text, wrap_text

LETTERS = "ABCDEF"
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
TOP = A4[1] - 18 * mm
BOTTOM = 18 * mm
SIZE, SMALL = 10.5, 9
LINE, SMALL_LINE = 5.2 * mm, 4.6 * mm
GRID_ROW = 8.5 * mm
BOX = 5 * mm


@dataclass(frozen=True)
class Line:
    """One line of text on a page."""

    text: str
    bold: bool = False
    small: bool = False
    indent: float = 0.0


@dataclass
class Page:
    """A page of questions (lines) or of the answer sheet (grid rows)."""

    lines: list[Line] = field(default_factory=list)
    grid: list[dict[str, Any]] = field(default_factory=list)
    heading: str = ""
    number: int = 0
    total: int = 0


def _wrapped(text: str, *, bold: bool = False, small: bool = False, indent: float = 0.0) -> list[Line]:
    face, size = (SANS_BOLD if bold else SANS), (SMALL if small else SIZE)
    out = []
    for paragraph in (text or "").splitlines() or [""]:
        out += [Line(t, bold, small, indent) for t in wrap_text(paragraph, face, size, WIDTH - indent)]
    return out


def _height(lines: Sequence[Line]) -> float:
    return sum(SMALL_LINE if line.small else LINE for line in lines)


def question_block(q: dict[str, Any], lang_first: str = "en") -> list[Line]:
    """The lines of one question: its number and text in both languages, then its choices."""
    texts = [q["text_en"], q["text_bn"]] if lang_first == "en" else [q["text_bn"], q["text_en"]]
    texts = [t for t in texts if t]
    lines = _wrapped(f"{q['number']}. {texts[0]}", bold=True)
    for extra in texts[1:]:
        lines += _wrapped(extra, small=True, indent=6 * mm)
    if q["kind"] == "multiple":
        lines += _wrapped("Tick every correct answer. / সব সঠিক উত্তরে টিক দিন।", small=True, indent=6 * mm)
    if q["kind"] == "short":
        lines += _wrapped("Write the answer on the answer sheet. / উত্তরপত্রে উত্তর লিখুন।", small=True,
                          indent=6 * mm)
    for letter, choice in zip(LETTERS, q["choices"], strict=False):
        label = " / ".join(t for t in (choice["en"], choice["bn"]) if t)
        lines += _wrapped(f"{letter}.  {label}", indent=6 * mm)
    return [*lines, Line("")]


def layout(header: list[Line], questions: Sequence[dict[str, Any]], sheet_heading: str) -> list[Page]:
    """Questions packed onto pages (a question is never split), then the answer sheet's pages."""
    pages = [Page(lines=list(header))]
    room = TOP - BOTTOM - 10 * mm
    for q in questions:
        block = question_block(q)
        if _height(pages[-1].lines) + _height(block) > room and pages[-1].lines:
            pages.append(Page())
        pages[-1].lines += block
    per_sheet = int((room - 48 * mm) // GRID_ROW)
    rows = [{"number": q["number"], "kind": q["kind"], "choices": len(q["choices"])} for q in questions]
    for start in range(0, max(len(rows), 1), per_sheet):
        pages.append(Page(grid=rows[start:start + per_sheet], heading=sheet_heading))
    for n, page in enumerate(pages, start=1):
        page.number, page.total = n, len(pages)
    return pages


class PaperTest(PdfDocument[Page]):
    """A4 pages of questions, then the answer sheet."""

    pagesize = A4

    def __init__(self, *, footer: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.footer = footer

    def draw_page(self, canvas: Canvas, page: Page) -> None:
        """Draw one page."""
        y = TOP
        if page.grid:
            y = self._sheet_head(canvas, page, y)
            self._grid(canvas, page.grid, y)
        for line in page.lines:
            face, size = (SANS_BOLD if line.bold else SANS), (SMALL if line.small else SIZE)
            draw_text(canvas, MARGIN + line.indent, y, line.text, face, size)
            y -= SMALL_LINE if line.small else LINE
        draw_text(canvas, MARGIN, 10 * mm, self.footer, SANS, 7.5)
        draw_text(canvas, A4[0] - MARGIN, 10 * mm, f"{page.number} / {page.total}", SANS, 7.5, align="right")

    def _sheet_head(self, canvas: Canvas, page: Page, y: float) -> float:
        draw_text(canvas, MARGIN, y, page.heading, SANS_BOLD, 13)
        y -= 10 * mm
        for label in ("Name / নাম", "Mobile number / মোবাইল নম্বর", "Organisation / প্রতিষ্ঠান"):
            draw_text(canvas, MARGIN, y, label, SANS, SIZE)
            canvas.setLineWidth(0.5)
            canvas.line(MARGIN + 58 * mm, y - 1 * mm, MARGIN + WIDTH, y - 1 * mm)
            y -= 9 * mm
        draw_text(canvas, MARGIN, y, "Fill one box per question (several where you are told to tick every correct "
                                     "answer). / প্রতিটি প্রশ্নের জন্য একটি ঘর পূরণ করুন।", SANS, SMALL)
        return y - 9 * mm

    def _grid(self, canvas: Canvas, rows: Sequence[dict[str, Any]], y: float) -> None:
        first = MARGIN + 16 * mm
        for i, letter in enumerate(LETTERS):
            draw_text(canvas, first + i * 14 * mm + BOX / 2, y, letter, SANS_BOLD, SIZE, align="centre")
        y -= GRID_ROW
        canvas.setLineWidth(0.8)
        for row in rows:
            draw_text(canvas, MARGIN, y + 1.2 * mm, f"{row['number']}.", SANS_BOLD, SIZE)
            if row["kind"] == "short":
                canvas.line(first, y, MARGIN + WIDTH, y)
            else:
                for i in range(row["choices"]):
                    canvas.rect(first + i * 14 * mm, y - 0.5 * mm, BOX, BOX)
            y -= GRID_ROW


def paper_pdf(*, event_title: str, stage_label: str, quiz: dict[str, Any], questions: Sequence[dict[str, Any]],
              time_limit: int | None) -> bytes:
    """The printable test: a header, the questions, the answer sheet."""
    title = " / ".join(t for t in (quiz["title"], quiz.get("title_bn") or "") if t)
    header = [*_wrapped(event_title, bold=True), *_wrapped(f"{stage_label} · {title}")]
    points = sum(q["points"] for q in questions)
    facts = f"{len(questions)} questions · {points} points"
    if time_limit:
        facts += f" · {time_limit} minutes"
    header += [*_wrapped(facts, small=True),
               *_wrapped("Mark your answers on the answer sheet at the end. / শেষের উত্তরপত্রে উত্তর দিন।",
                         small=True), Line("")]
    pages = layout(header, questions, f"Answer sheet / উত্তরপত্র · {stage_label} · {event_title}")
    return PaperTest(footer=f"{event_title} · {stage_label}", title=f"{stage_label}: {title}",
                     subject=event_title, keywords=("test", stage_label)).render(pages)
