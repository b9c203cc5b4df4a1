"""Certificate PDFs, checked by parsing them, decoding their QR code and looking at their pixels."""

import dataclasses
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pypdf
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw

from portal.certificates.render import (
    PAGE,
    TITLES,
    CertificateFacts,
    Signatory,
    render_certificate,
    render_certificates,
)
from portal.pdf.testing import can_rasterize, ink_box, rasterize

needs_pdftoppm = pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")


def _png(width: int, height: int, transparent: bool = True) -> bytes:
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (255, 255, 255, 0))
    stroke = [(5, height - 10), (width // 2, 8), (width - 5, height - 12)]
    ImageDraw.Draw(image).line(stroke, fill="navy", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def create_facts():
    """Factory for certificate facts with sensible defaults; keyword arguments override them."""

    def create(**overrides) -> CertificateFacts:
        facts = {
            "serial": "TOT-2026-0042",
            "kind": "participation",
            "name_en": "Rahima Begum",
            "name_bn": "রহিমা বেগম",
            "event_title": "Training of Trainers on Safe Migration",
            "event_kind": "Training of Trainers (ToT)",
            "district": "Cumilla",
            "district_bn": "কুমিল্লা",
            "start": dt.date(2026, 11, 23),
            "end": dt.date(2026, 11, 25),
            "days_attended": 3,
            "sessions_total": 6,
            "hours_attended": 18.5,
            "verification_url": "https://portal.example.org/verify/TOT-2026-0042-8F3K2Q",
            "issued_on": dt.date(2026, 11, 26),
            "programme_name": "Safe Migration and Governance Programme",
            "logo": _png(300, 80, transparent=False),
            "signatories": (
                Signatory("Dr. Farhana Rahman", "Programme Director", _png(240, 70)),
                Signatory("Anisul Haque", "District Coordinator, Cumilla"),
            ),
        }
        facts.update(overrides)
        return CertificateFacts(**facts)

    return create


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return _reader(pdf).pages[0].extract_text()


def test_one_page_with_name_serial_event_and_people(create_facts):
    text = _text(render_certificate(create_facts()))
    for expected in [
        "Certificate of Participation",
        "This is to certify that",
        "Rahima Begum",
        "Training of Trainers on Safe Migration",
        "Training of Trainers (ToT)",
        "Cumilla",
        "23–25 November 2026",
        "Attended 3 days",
        "18.5 hours",
        "Certificate No. TOT-2026-0042",
        "Issued on 26 November 2026",
        "Dr. Farhana Rahman",
        "District Coordinator, Cumilla",
        "Verify: https://portal.example.org/verify/TOT-2026-0042-8F3K2Q",
    ]:
        assert expected in text


def test_metadata_carries_the_unicode_bangla_name(create_facts):
    reader = _reader(render_certificate(create_facts()))
    assert len(reader.pages) == 1
    assert "রহিমা বেগম" in reader.metadata.title
    assert "Rahima Begum" in reader.metadata.title
    assert "TOT-2026-0042" in reader.metadata.subject
    assert reader.metadata.author == "Safe Migration and Governance Programme"


def test_bangla_line_uses_bangla_digits(create_facts):
    text = _text(render_certificate(create_facts()))
    assert "২০২৬" in text  # digits are single glyphs, so they extract cleanly even when shaped
    assert "১৮.৫" in text


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_each_kind_has_its_title(create_facts, kind):
    pdf = render_certificate(create_facts(kind=kind))
    title, _, lead_in = TITLES[kind]
    assert title in _text(pdf)
    assert lead_in in _text(pdf)
    assert _reader(pdf).metadata.title.startswith(title)


def test_same_facts_give_identical_bytes(create_facts):
    assert render_certificate(create_facts()) == render_certificate(create_facts())


def test_english_only_certificate_without_optional_parts(create_facts):
    facts = create_facts(
        name_bn=None, hours_attended=None, logo=None, signatories=(), district_bn=None, days_attended=1
    )
    pdf = render_certificate(facts)
    assert _reader(pdf).metadata.title == "Certificate of Participation: Rahima Begum"
    text = _text(pdf)
    assert "Attended 1 day " in text
    assert "hours" not in text


@pytest.mark.parametrize(
    "name",
    ["<script>alert('x')</script>", "Tom & Jerry", 'Rahima "Rina" Begum', "O'Neil <b>bold</b> &amp;"],
)
def test_names_print_as_typed(create_facts, name):
    pdf = render_certificate(create_facts(name_en=name))
    assert name in _text(pdf)
    assert name in _reader(pdf).metadata.title


def test_very_long_names_still_fit_on_one_page(create_facts):
    name_en = " ".join(["Mohammad Abdullah Al Mamun Chowdhury"] * 6)
    name_bn = " ".join(["মোহাম্মদ আব্দুল্লাহ আল মামুন চৌধুরী"] * 6)
    pdf = render_certificate(create_facts(name_en=name_en, name_bn=name_bn, event_title="Workshop " * 40))
    assert len(_reader(pdf).pages) == 1
    assert name_bn in _reader(pdf).metadata.title


@needs_pdftoppm
def test_very_long_name_stays_inside_the_border(create_facts):
    name = " ".join(["Mohammad Abdullah Al Mamun Chowdhury"] * 6)
    pdf = render_certificate(create_facts(name_en=name, logo=None, signatories=()))
    image = rasterize(pdf, dpi=72)  # one pixel a point
    width, height = image.size
    band = image.crop((30, 100, width - 30, height - 100))  # inside the inner gold border
    assert ink_box(image.crop((0, 100, 17, height - 100))) is None  # nothing left of the outer border
    assert ink_box(image.crop((width - 17, 100, width, height - 100))) is None
    assert ink_box(band) is not None


def test_merged_pdf_has_one_page_each_and_one_background(create_facts):
    facts = [create_facts(serial=f"TOT-2026-{i:04d}", name_en=f"Person {i}") for i in range(5)]
    merged = render_certificates(facts)
    reader = _reader(merged)
    assert len(reader.pages) == 5
    assert [f"Person {i}" in page.extract_text() for i, page in enumerate(reader.pages)] == [True] * 5
    forms = {
        ref.idnum
        for page in reader.pages
        for ref in page["/Resources"]["/XObject"].values()
        if ref.get_object()["/Subtype"] == "/Form"
    }
    assert len(forms) == 1
    assert len(merged) < sum(len(render_certificate(f)) for f in facts) / 2


def test_merged_pdf_keeps_each_programme_background(create_facts):
    facts = [create_facts(programme_name="Programme A"), create_facts(programme_name="Programme B")]
    reader = _reader(render_certificates(facts))
    assert ["Programme A" in p.extract_text() for p in reader.pages] == [True, False]
    assert ["Programme B" in p.extract_text() for p in reader.pages] == [False, True]


@needs_pdftoppm
@pytest.mark.parametrize(
    "url",
    [
        "https://portal.example.org/verify/TOT-2026-0042-8F3K2Q",
        "https://migration-portal.example.gov.bd/verify/MT-2027-1234-ABCDEFGHJKLMNPQR",
    ],
)
def test_qr_code_decodes_to_the_verification_url(create_facts, url):
    image = rasterize(render_certificate(create_facts(verification_url=url)), dpi=150)
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [url]


@needs_pdftoppm
@pytest.mark.parametrize("name", ["Rahima Begum", "রহিমা বেগম (Rahima)", "W"])
def test_name_is_centred(create_facts, name):
    # Only the name differs between the two pages, so the changed pixels are the name.
    with_name = rasterize(render_certificate(create_facts(name_en=name, name_bn=None)), dpi=72)
    without = rasterize(render_certificate(create_facts(name_en=".", name_bn=None)), dpi=72)
    changed = ImageChops.difference(with_name, without).convert("L")
    # Dark ink only: the gold rule under the name also changes length, but it is drawn centred by
    # the canvas itself and would hide an error in the measured text width.
    left, _, right, _ = changed.point(lambda v: 255 if v > 160 else 0).getbbox()
    assert (left + right) / 2 == pytest.approx(PAGE[0] / 2, abs=2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "attendance"}, "unknown certificate kind"),
        ({"signatories": [("A", "a"), ("B", "b"), ("C", "c"), ("D", "d")]}, "at most 3 signatories"),
        ({"end": dt.date(2026, 11, 1)}, "end date is before start date"),
        ({"days_attended": -1}, "cannot be negative"),
        ({"name_en": "  "}, "name_en is required"),
    ],
)
def test_invalid_facts_are_refused(create_facts, overrides, message):
    with pytest.raises(ValueError, match=message):
        create_facts(**overrides)


def test_signatories_may_be_given_as_tuples(create_facts):
    facts = create_facts(signatories=[("Dr. Farhana Rahman", "Programme Director", None)])
    assert facts.signatories == (Signatory("Dr. Farhana Rahman", "Programme Director", None),)
    assert "Programme Director" in _text(render_certificate(facts))


def test_unreadable_signature_is_refused_by_name(create_facts):
    facts = create_facts(signatories=[Signatory("Anisul Haque", "Coordinator", b"\x89PNG broken")])
    with pytest.raises(ValueError, match="signature of Anisul Haque is not a readable PNG or JPEG image"):
        render_certificate(facts)


def test_facts_are_frozen(create_facts):
    with pytest.raises(dataclasses.FrozenInstanceError):
        create_facts().name_en = "Someone else"


def test_threads_render_the_same_bytes(create_facts):
    facts = [create_facts(serial=f"T-{i}", name_en=f"Person {i}", name_bn=f"থ্রেড {i}") for i in range(24)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(render_certificate, facts))
    assert parallel == [render_certificate(f) for f in facts]
