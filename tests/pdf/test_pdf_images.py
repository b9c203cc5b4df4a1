"""Uploaded images: PNG and JPEG accepted, prepared once, drawn with their transparency."""

import io

import pypdf
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from portal.pdf.images import check_image, draw_image, load_image
from portal.pdf.testing import can_rasterize, rasterize


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def _signature(color: str = "black") -> bytes:
    image = Image.new("RGBA", (200, 60), (255, 255, 255, 0))
    ImageDraw.Draw(image).rectangle([0, 20, 199, 39], fill=color)
    return _encode(image, "PNG")


def _page(*images, background: str | None = None) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 200), invariant=1)
    if background:
        canvas.setFillColor(background)
        canvas.rect(0, 0, 200, 200, stroke=0, fill=1)
    for i, image in enumerate(images):
        draw_image(canvas, image, 0, 100 - 60 * i, 200, 60)
    canvas.save()
    return out.getvalue()


def test_small_jpeg_is_embedded_as_is():
    data = _encode(Image.new("RGB", (40, 20), "navy"), "JPEG")
    image = load_image(data, "logo", (100, 100))
    assert image.xobject.streamContent == data
    assert image.soft_mask is None


def test_large_image_is_scaled_down_keeping_its_shape():
    data = _encode(Image.new("RGBA", (4000, 1000), (0, 0, 0, 0)), "PNG")
    image = load_image(data, "signature", (600, 600))
    assert (image.width, image.height) == (600, 150)


def test_sideways_phone_photo_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    data = _encode(Image.new("RGB", (40, 20), "white"), "JPEG", exif=exif.tobytes())
    image = load_image(data, "signature", (100, 100))
    assert (image.width, image.height) == (20, 40)


def test_palette_png_with_transparency_keeps_its_alpha():
    image = Image.new("P", (10, 10), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    assert load_image(_encode(image, "PNG", transparency=0), "signature", (100, 100)).soft_mask is not None


def test_one_image_object_per_pdf_however_often_it_is_drawn():
    image = load_image(_signature(), "signature", (400, 400))
    for pdf in (_page(image, image), _page(image)):  # and again in a second document
        images = {
            obj.idnum
            for obj in pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"].values()
            if obj.get_object()["/Subtype"] == "/Image"
        }
        assert len(images) == 1


@pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")
def test_transparent_parts_show_the_page_behind():
    # Two signatures with the same alpha channel share one soft mask.
    black = load_image(_signature("black"), "first", (400, 400))
    blue = load_image(_signature("blue"), "second", (400, 400))
    page = rasterize(_page(black, blue, background="red"), dpi=72)
    assert page.getpixel((100, 70))[:3] == (0, 0, 0)  # ink of the first signature
    assert page.getpixel((100, 130))[2] > 200  # ink of the second, blue
    assert page.getpixel((100, 50)) == (255, 0, 0)  # transparent margin of the first: the red page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image", "logo is not a readable PNG or JPEG image"),
        (_encode(Image.new("RGB", (4, 4)), "PNG")[:30], "logo is not a readable PNG or JPEG image"),
        (_encode(Image.new("RGB", (4, 4)), "GIF"), "logo is a GIF image; use PNG or JPEG"),
    ],
)
def test_unusable_data_is_refused(data, message):
    with pytest.raises(ValueError, match=message):
        check_image(data, "logo")
    with pytest.raises(ValueError, match=message):
        load_image(data, "logo", (100, 100))
