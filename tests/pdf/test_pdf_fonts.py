"""Font registration: once per process, from the repository's own font files."""

import threading

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics

from portal.pdf import FONT_DIR, SANS, SERIF_BOLD, register_fonts
from portal.pdf.fonts import FONT_NAMES


def test_fonts_come_from_the_repository():
    assert FONT_DIR.parts[-2:] == ("static", "fonts")
    for name in FONT_NAMES:
        assert (FONT_DIR / f"{name}.ttf").is_file()


def test_registration_is_idempotent_and_thread_safe():
    errors = []

    def register():
        try:
            register_fonts()
        except Exception as exc:  # collected, then asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    register_fonts()
    assert errors == []
    assert rl_config.ttfAsciiReadable == 0
    assert rl_config.useA85 == 0
    for face in (SANS, SERIF_BOLD):
        for name in (face.latin, face.bengali, face.fallback):
            font = pdfmetrics.getFont(name)
            assert font.shapable
            assert font._asciiReadable == 0


def test_every_glyph_has_a_code_point_before_any_shaping():
    register_fonts()
    for name in FONT_NAMES:
        font = pdfmetrics.getFont(name)
        assert set(range(font.hbFace.glyph_count)) <= set(font.face.glyphToChar)
