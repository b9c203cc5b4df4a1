"""Helpers for tests that look at PDFs the way a person would: as rendered pages."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def can_rasterize() -> bool:
    """True when poppler's pdftoppm is installed (Debian package poppler-utils)."""
    return shutil.which("pdftoppm") is not None


def rasterize(pdf: bytes, page: int = 1, dpi: int = 150) -> Image.Image:
    """Render one page of a PDF to an RGB image with pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile"]
        subprocess.run([*command, str(source), str(Path(folder) / "out")], check=True)  # noqa: S603
        with Image.open(Path(folder) / "out.png") as image:
            return image.convert("RGB")  # a copy in memory, so the folder can go


def ink_box(image: Image.Image, threshold: int = 200) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of pixels darker than threshold, or None if blank."""
    mask = image.convert("L").point(lambda v: 255 if v < threshold else 0)
    return mask.getbbox()
