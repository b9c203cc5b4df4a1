"""Uploaded images (logos, signatures): checked once, compressed once, placed into any number of PDFs.

`canvas.drawImage` decodes, hashes and zlib-compresses an image's pixels again in every document:
with a logo and two signatures that was about 2 ms of a 10 ms certificate. Here the PDF image
object is built once per image and each document gets a shallow copy (its own PDF object, the same
compressed bytes). That uses a little of reportlab's document internals (`canvas._doc`), pinned to
reportlab 5.1 and covered by tests that render the images.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageOps
from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas

from portal.pdf.fonts import register_fonts

FORMATS = ("PNG", "JPEG")
_ORIENTATION = 0x0112  # EXIF tag: phone photos of a signature are often stored sideways


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """An image ready for PDFs: its pixel size and a never-registered PDF object to copy."""

    name: str
    width: int
    height: int
    xobject: PDFImageXObject
    soft_mask: PDFImageXObject | None  # the alpha channel, for transparent PNGs


def points_to_pixels(width: float, height: float, dpi: int = 300) -> tuple[int, int]:
    """Pixel size of a box of width x height points at dpi (what a printer can use)."""
    return round(width * dpi / 72), round(height * dpi / 72)


@lru_cache(maxsize=64)
def load_image(data: bytes, what: str, max_pixels: tuple[int, int]) -> PreparedImage:
    """Prepare PNG or JPEG bytes for drawing, or raise ValueError naming `what`.

    Cached, because a batch repeats the same logo and signatures. Larger images are scaled down to
    max_pixels: a 4000-pixel scan would otherwise be embedded, and compressed, in full.
    """
    register_fonts()  # sets reportlab's options, which decide how the pixels are encoded
    reader = _reader(data, what, max_pixels)
    name = "img" + hashlib.sha256(data + repr(max_pixels).encode()).hexdigest()[:32]
    xobject = PDFImageXObject(name, reader, mask="auto")  # compresses the pixels (JPEG: kept as is)
    soft_mask = xobject.__dict__.pop("_smask", None)  # drawImage attaches it per document; so do we
    return PreparedImage(name, *reader.getSize(), xobject, soft_mask)


def _reader(data: bytes, what: str, max_pixels: tuple[int, int]) -> ImageReader:
    try:
        image = Image.open(BytesIO(data))
        image.load()
    except Exception as exc:  # Pillow raises many types for bad data; callers need one
        raise ValueError(f"{what} is not a readable PNG or JPEG image") from exc
    if image.format not in FORMATS:
        raise ValueError(f"{what} is a {image.format} image; use PNG or JPEG")
    upright = image.getexif().get(_ORIENTATION, 1) == 1
    fits = image.width <= max_pixels[0] and image.height <= max_pixels[1]
    if image.format == "JPEG" and upright and fits and image.mode in ("L", "RGB"):
        return ImageReader(BytesIO(data))  # embedded as is (DCTDecode): nothing to recompress
    if not upright:
        image = ImageOps.exif_transpose(image)
    if image.mode not in ("L", "RGB", "LA", "RGBA"):
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if not fits:
        image.thumbnail(max_pixels, Image.Resampling.LANCZOS)
    return ImageReader(image)


def check_image(data: bytes, what: str = "image") -> None:
    """Raise ValueError unless data is a PNG or JPEG that PDFs can show (for checking uploads)."""
    _reader(data, what, (100_000, 100_000))


def draw_image(
    canvas: Canvas, image: PreparedImage, x: float, y: float, width: float, height: float, anchor: str = "c"
) -> None:
    """Draw image inside the box at (x, y), keeping its proportions, placed by anchor (c, s, n, sw, ...)."""
    document = canvas._doc
    registered = document.getXObjectName(image.name)
    if registered not in document.idToObject:  # first use in this PDF: add a copy of the object
        xobject = copy.copy(image.xobject)
        if image.soft_mask is not None:
            # Named by a digest of the alpha channel, so two signatures may share one mask.
            mask_name = document.getXObjectName(image.soft_mask.name)
            if mask_name in document.idToObject:
                xobject.smask = PDFObjectReference(mask_name)
            else:
                xobject.smask = document.Reference(copy.copy(image.soft_mask), mask_name)
        document.Reference(xobject, registered)
        document.addForm(image.name, xobject)
    x, y, width, height, _ = aspectRatioFix(True, anchor, x, y, width, height, image.width, image.height)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas.doForm(image.name)  # "Do" places an image XObject just as it places a form
    canvas.restoreState()
