"""The document base class: metadata, determinism, shared forms, many pages."""

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pypdf
import pytest

from portal.pdf import SANS, PdfDocument, draw_centred

ROOT = Path(__file__).resolve().parents[2]


class Labels(PdfDocument[str]):
    """One centred label a page on a shared frame."""

    def draw_page(self, canvas, page):
        self.use_form(canvas, "frame", lambda c: c.rect(20, 20, 555, 800))
        draw_centred(canvas, 297, 420, page, SANS, 24)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def test_pages_and_unicode_metadata():
    pdf = Labels(title="নাম: রহিমা বেগম", author="Programme", subject="Labels", keywords=["a", "b"]).render(
        ["One", "Two", "Three"]
    )
    reader = _reader(pdf)
    assert len(reader.pages) == 3
    assert reader.metadata.title == "নাম: রহিমা বেগম"
    assert reader.metadata.author == "Programme"
    assert reader.metadata.subject == "Labels"
    assert [page.extract_text().strip() for page in reader.pages] == ["One", "Two", "Three"]


def test_same_input_same_bytes():
    assert Labels(title="t").render(["রহিমা", "Karim"]) == Labels(title="t").render(["রহিমা", "Karim"])


def test_shared_artwork_is_stored_once():
    reader = _reader(Labels(title="t").render([str(i) for i in range(5)]))
    forms = {
        obj.idnum
        for page in reader.pages
        for obj in page["/Resources"]["/XObject"].values()
        if obj.get_object()["/Subtype"] == "/Form"
    }
    assert len(forms) == 1


def test_no_pages_is_an_error():
    with pytest.raises(ValueError, match="at least one page"):
        Labels(title="t").render([])


def test_form_keys_must_be_pdf_names():
    class Bad(PdfDocument[str]):
        def draw_page(self, canvas, page):
            self.use_form(canvas, "a b/c", lambda c: None)

    with pytest.raises(ValueError, match="form key"):
        Bad(title="t").render(["x"])


SCRIPT = textwrap.dedent(
    """
    import hashlib, sys
    from portal.pdf import SERIF_BOLD, PdfDocument, draw_centred

    class Doc(PdfDocument):
        def draw_page(self, canvas, page):
            draw_centred(canvas, 297, 420, page, SERIF_BOLD, 24)

    if sys.argv[1] == "other-first":  # shape other conjuncts first, as a long-running server might
        Doc(title="warm").render(["ক্ত ন্ন জ্ঞ ম্ম ষ্ট্র স্ক্র"])
    print(hashlib.sha256(Doc(title="t").render(["লক্ষ্মী স্থান ক্ষমা"])).hexdigest())
    """
)


def test_bytes_do_not_depend_on_what_the_process_drew_before():
    # reportlab numbers glyphs without a code point in the order it meets them; portal.pdf.fonts
    # numbers them all up front, so two processes agree byte for byte.
    digests = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT, order],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for order in ("fresh", "other-first")
    }
    assert len(digests) == 1
