"""A PDF document class that owns the canvas lifecycle; subclasses draw the pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from typing import Generic, TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from portal.pdf.fonts import register_fonts

PageT = TypeVar("PageT")


class PdfDocument(Generic[PageT]):
    """Render one page per item into a single PDF, byte-for-byte the same for the same items.

    Subclasses set `pagesize` and implement `draw_page`. Artwork shared by many pages (borders, a
    logo) goes through `use_form`, which stores it once as a form XObject and reuses it, so a merged
    1,000-page print file carries the background once, not 1,000 times.
    """

    pagesize: tuple[float, float] = A4
    creator = "portal"

    def __init__(
        self, *, title: str, author: str = "", subject: str = "", keywords: Sequence[str] = (), lang: str = "en"
    ) -> None:
        self.title = title
        self.lang = lang  # the language of the labels, in the catalogue's /Lang (shaped Bangla extracts as glyphs)
        self.author = author
        self.subject = subject
        self.keywords = tuple(keywords)
        self._forms: set[str] = set()

    def draw_page(self, canvas: Canvas, page: PageT) -> None:
        """Draw one page for one item (implemented by subclasses)."""
        raise NotImplementedError

    def render(self, pages: Iterable[PageT]) -> bytes:
        """Draw every item on its own page and return the finished PDF."""
        register_fonts()
        self._forms = set()
        buffer = BytesIO()
        # invariant=1 fixes the creation date and derives the document ID from the metadata, so the
        # same inputs give identical bytes (cacheable, diffable, testable).
        canvas = Canvas(buffer, pagesize=self.pagesize, invariant=1, pageCompression=1, lang=self.lang)
        # Unicode goes into the metadata as UTF-16, so a Bangla name is searchable there even though
        # shaped Bangla in the page content extracts as glyph codes.
        canvas.setTitle(self.title)
        canvas.setAuthor(self.author)
        canvas.setSubject(self.subject)
        canvas.setKeywords(", ".join(self.keywords))
        canvas.setCreator(self.creator)
        count = 0
        for page in pages:
            self.draw_page(canvas, page)
            canvas.showPage()
            count += 1
        if not count:
            raise ValueError("a PDF needs at least one page")
        canvas.save()
        return buffer.getvalue()

    def use_form(self, canvas: Canvas, key: str, draw: Callable[[Canvas], None]) -> None:
        """Place the shared artwork named key on this page, drawing it only the first time in the document."""
        if not re.fullmatch(r"[A-Za-z0-9_]+", key):
            raise ValueError(f"form key must be ASCII letters, digits or _: {key!r}")  # it becomes a PDF name
        name = f"form_{key}"
        if name not in self._forms:
            canvas.beginForm(name)
            draw(canvas)
            canvas.endForm()
            self._forms.add(name)
        canvas.doForm(name)
