"""Shared PDF foundation: fonts, mixed Latin and Bangla text, QR codes and a document base class."""

from portal.pdf.base import PdfDocument
from portal.pdf.dates import (
    bangla_date,
    bangla_date_range,
    bangla_digits,
    english_date,
    english_date_range,
)
from portal.pdf.fonts import FONT_DIR, SANS, SANS_BOLD, SERIF, SERIF_BOLD, Face, register_fonts
from portal.pdf.images import PreparedImage, check_image, draw_image, load_image, points_to_pixels
from portal.pdf.qr import draw_qr
from portal.pdf.text import (
    Run,
    ShapedRun,
    draw_centred,
    draw_fitted,
    draw_left,
    draw_right,
    draw_text,
    fit_font_size,
    shape_text,
    split_runs,
    text_width,
    wrap_text,
)

__all__ = [
    "FONT_DIR",
    "SANS",
    "SANS_BOLD",
    "SERIF",
    "SERIF_BOLD",
    "Face",
    "PdfDocument",
    "PreparedImage",
    "Run",
    "ShapedRun",
    "bangla_date",
    "bangla_date_range",
    "bangla_digits",
    "check_image",
    "draw_centred",
    "draw_fitted",
    "draw_image",
    "draw_left",
    "draw_qr",
    "draw_right",
    "draw_text",
    "english_date",
    "english_date_range",
    "fit_font_size",
    "load_image",
    "points_to_pixels",
    "register_fonts",
    "shape_text",
    "split_runs",
    "text_width",
    "wrap_text",
]
