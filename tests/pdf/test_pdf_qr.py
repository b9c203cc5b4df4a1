"""QR codes: the same symbol as the qrcode library, drawn as one path, and readable."""

import io
import random
import re
import string

import pypdf
import pytest
import qrcode
import zxingcpp
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

from portal.pdf import draw_qr
from portal.pdf.qr import qr_runs
from portal.pdf.testing import can_rasterize, rasterize

URL = "https://portal.example.org/verify/TOT-2026-0042-8F3K2Q"


def _expected_runs(data: str) -> tuple[int, list[tuple[int, int, int]]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    runs = []
    for row, cells in enumerate(code.get_matrix()):
        for match in re.finditer("1+", "".join("1" if cell else "0" for cell in cells)):
            runs.append((row, match.start(), match.end() - match.start()))
    return len(cells), runs


@pytest.mark.parametrize(
    "data",
    [URL, "x", "x" * 1000]  # versions 1 to 30, including those with version information (7+)
    + ["".join(random.Random(seed).choices(string.printable, k=seed * 7)) for seed in range(1, 40)],
)
def test_symbol_is_the_one_qrcode_makes_with_its_best_mask(data):
    size, runs = qr_runs(data)
    assert (size, list(runs)) == _expected_runs(data)


def _pdf_with_qr(data: str, size: float) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 200), invariant=1)
    draw_qr(canvas, data, 20, 20, size)
    canvas.save()
    return out.getvalue()


def test_the_modules_are_one_path():
    content = pypdf.PdfReader(io.BytesIO(_pdf_with_qr(URL, 100))).pages[0].get_contents().get_data().decode()
    tokens = content.split()
    _, runs = qr_runs(URL)
    assert tokens.count("re") == len(runs) + 1  # one rectangle per dark run, plus the light quiet zone
    assert tokens.count("f*") + tokens.count("f") == 2  # two fills: the quiet zone, then every module


@pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")
@pytest.mark.parametrize(("dpi", "size"), [(72, 100), (150, 60), (300, 60)])
def test_drawn_code_decodes(dpi, size):
    results = zxingcpp.read_barcodes(rasterize(_pdf_with_qr(URL, size), dpi=dpi))
    assert [r.text for r in results] == [URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
