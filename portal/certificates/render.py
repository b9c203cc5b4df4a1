"""Certificate PDFs: A4 landscape, English with Bangla, a verification QR code. Pure: facts in, bytes out.

The captions ("This is to certify that", the details, the footer) are in the holder's language
(`CertificateFacts.language`): a Bangla certificate leads with the Bangla title and gives dates, counts and
times in Bangla with Bangla digits; the English title stays under it. Each page is drawn in its own holder's
language, so a merged print file may mix both.

Images (logo, signatures) arrive as bytes. An unreadable image raises ValueError naming the image,
rather than printing an official certificate without its signature: uploads should be checked when
they are made (`portal.pdf.check_image`), so this only fires on data that slipped past.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from portal.core.i18n import N_, speaking
from portal.core.i18n import gettext as _
from portal.pdf import (
    SANS,
    SANS_BOLD,
    SERIF,
    SERIF_BOLD,
    Face,
    PdfDocument,
    bangla_date,
    bangla_date_range,
    bangla_digits,
    draw_centred,
    draw_fitted,
    draw_image,
    draw_left,
    draw_qr,
    english_date,
    english_date_range,
    fit_font_size,
    load_image,
    points_to_pixels,
    text_width,
    wrap_text,
)

Kind = Literal["participation", "completion", "master_trainer"]

# kind -> (English title, Bangla heading, the phrase that leads into the event title)
TITLES: dict[str, tuple[str, str, str]] = {
    "participation": ("Certificate of Participation", "অংশগ্রহণ সনদপত্র", N_("has participated in")),
    "completion": ("Certificate of Completion", "সমাপনী সনদপত্র", N_("has successfully completed")),
    "master_trainer": (
        "Master Trainer Certificate",
        "মাস্টার ট্রেইনার সনদপত্র",
        N_("has qualified as a Master Trainer by completing"),
    ),
}

PAGE = landscape(A4)
INK = HexColor("#1d2733")
MUTED = HexColor("#55606b")
GREEN = HexColor("#0b5d3f")
GOLD = HexColor("#b08a3e")
LOGO_BOX = (160, 44)  # points
SIGNATURE_BOX = (150, 42)
BODY_WIDTH = 660.0  # the widest a line of the body may be, in points
NAME_WRAP_SIZES = (20.0, 19.0, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0)  # a name too long for one line
NAME_MAX_LINES = 3
ELLIPSIS = "\u2026"


@dataclass(frozen=True, slots=True)
class Signatory:
    """A person who signs: name, title and an optional signature image (PNG or JPEG bytes)."""

    name: str
    title: str
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """Everything printed on one certificate, already decided (no lookups happen while drawing)."""

    serial: str
    kind: Kind
    name_en: str
    event_title: str
    event_kind: str
    district: str
    start: dt.date
    end: dt.date
    days_attended: int
    sessions_total: int
    verification_url: str
    issued_on: dt.date
    programme_name: str
    name_bn: str | None = None
    hours_attended: float | None = None
    logo: bytes | None = None
    signatories: tuple[Signatory, ...] = field(default=())
    district_bn: str | None = None
    revoked_on: dt.date | None = None  # a revoked certificate says so on its face, with the date
    facilitators: tuple[str, ...] = ()  # who led the sessions (issue 17): a "Facilitated by" line
    language: str = "en"  # the holder's language: the captions, dates and digits ("en" or "bn")

    def __post_init__(self) -> None:
        if self.kind not in TITLES:
            raise ValueError(f"unknown certificate kind: {self.kind!r}")
        signatories = tuple(s if isinstance(s, Signatory) else Signatory(*s) for s in self.signatories)
        if len(signatories) > 3:
            raise ValueError("a certificate has at most 3 signatories")
        object.__setattr__(self, "signatories", signatories)  # accept (name, title, image) tuples too
        if self.end < self.start:
            raise ValueError("end date is before start date")
        if self.days_attended < 0 or self.sessions_total < 0:
            raise ValueError("attendance counts cannot be negative")
        if not self.name_en.strip():
            raise ValueError("name_en is required")


def render_certificate(facts: CertificateFacts) -> bytes:
    """Render one certificate as a one-page PDF."""
    title, title_bn, _lead_in = TITLES[facts.kind]
    name = f"{facts.name_en} ({facts.name_bn})" if facts.name_bn else facts.name_en
    document = CertificateDocument(
        title=f"{title_bn if facts.language == 'bn' else title}: {name}", lang=facts.language,
        author=facts.programme_name,
        subject=f"{facts.event_title}, {facts.serial}"
        + (f", REVOKED on {english_date(facts.revoked_on)}" if facts.revoked_on else ""),
        keywords=[facts.serial, facts.name_en, *filter(None, [facts.name_bn]), facts.verification_url],
    )
    return document.render([facts])


def render_certificates(facts: Sequence[CertificateFacts]) -> bytes:
    """Render many certificates into one PDF for printing, one page each, background stored once."""
    events = sorted({f.event_title for f in facts})
    label = events[0] if len(events) == 1 else f"{len(events)} events"
    languages = {f.language for f in facts}
    document = CertificateDocument(
        lang=languages.pop() if len(languages) == 1 else "en",
        title=f"Certificates ({len(facts)}): {label}",
        author=facts[0].programme_name if facts else "",
        subject="Certificates for printing",
        keywords=[f.serial for f in facts],
    )
    return document.render(facts)


class CertificateDocument(PdfDocument[CertificateFacts]):
    """A4 landscape certificate pages; the border, logo and programme name are a shared form."""

    pagesize = PAGE

    def draw_page(self, canvas: Canvas, page: CertificateFacts) -> None:
        """Draw one certificate."""
        key = hashlib.sha256(page.programme_name.encode() + b"\0" + (page.logo or b"")).hexdigest()[:16]
        self.use_form(canvas, f"bg_{key}", lambda c: _draw_background(c, page))
        with speaking(page.language):
            _draw_body(canvas, page)
            _draw_signatories(canvas, page.signatories)
            _draw_footer(canvas, page)
            if page.revoked_on:
                _draw_revoked(canvas, page.revoked_on, page.language)


REVOKED = HexColor("#cf222e")


def _date(day: dt.date, lang: str) -> str:
    return bangla_date(day) if lang == "bn" else english_date(day)


def _draw_revoked(canvas: Canvas, revoked_on: dt.date, lang: str = "en") -> None:
    """A red band across the page: the certificate is void, and since when (drawn last, over everything)."""
    canvas.saveState()
    canvas.translate(PAGE[0] / 2, PAGE[1] / 2)
    canvas.rotate(18)
    canvas.setFillColor(Color(1, 1, 1, alpha=0.85))
    canvas.setStrokeColor(REVOKED)
    canvas.setLineWidth(4)
    canvas.rect(-330, -52, 660, 104, stroke=1, fill=1)
    canvas.setFillColor(REVOKED)
    draw_centred(canvas, 0, 4, _("REVOKED"), SANS_BOLD, 54)
    draw_centred(canvas, 0, -36, _("This certificate was revoked on {date}.").format(date=_date(revoked_on, lang)),
                 SANS_BOLD, 16)
    canvas.restoreState()


def _header_baseline(facts: CertificateFacts) -> float:
    """Baseline of the programme name: under the logo, or higher up when there is none."""
    return PAGE[1] - 106 if facts.logo else PAGE[1] - 66


def _draw_background(canvas: Canvas, facts: CertificateFacts) -> None:
    width, height = PAGE
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(3)
    canvas.rect(18, 18, width - 36, height - 36)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(26, 26, width - 52, height - 52)
    for x, y in ((26, 26), (26, height - 26), (width - 26, 26), (width - 26, height - 26)):
        _diamond(canvas, x, y, 5, GOLD)
    if facts.logo:
        logo = load_image(facts.logo, "logo", points_to_pixels(*LOGO_BOX))
        draw_image(canvas, logo, width / 2 - LOGO_BOX[0] / 2, height - 90, *LOGO_BOX)
    canvas.setFillColor(GREEN)
    baseline = _header_baseline(facts)
    draw_fitted(canvas, width / 2, baseline, facts.programme_name, SANS_BOLD, 12, 620, min_size=8)


def _diamond(canvas: Canvas, x: float, y: float, r: float, color: Color) -> None:
    path = canvas.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    canvas.setFillColor(color)
    canvas.drawPath(path, stroke=0, fill=1)


Step = tuple[float, Callable[[Canvas, float], object]]  # (distance down from the previous baseline, draw)


def _draw_body(canvas: Canvas, facts: CertificateFacts) -> None:
    steps = _body_steps(facts)
    # Centre the block between the header and the signatures, so optional lines leave no hole.
    top = _header_baseline(facts) - 22
    bottom = _body_floor(facts.signatories)
    height = sum(gap for gap, _ in steps[1:]) + 24 + 6  # cap height of the title, descent of the last line
    y = min(top, (top + bottom + height) / 2) - 24
    for i, (gap, draw) in enumerate(steps):
        y -= gap if i else 0
        draw(canvas, y)


def _body_floor(signatories: tuple[Signatory, ...]) -> float:
    """Lowest point the body may reach: above the signature images, the signature lines, or the footer."""
    if any(person.signature for person in signatories):
        return 172.0
    return 132.0 if signatories else 84.0


def _body_steps(facts: CertificateFacts) -> list[Step]:
    centre = PAGE[0] / 2
    title, heading_bn, lead_in = TITLES[facts.kind]
    if facts.language == "bn":  # the Bangla title leads, the English one under it
        title, heading_bn = heading_bn, title
    name_lines, name_size = _name_lines(facts.name_en)
    widest = max(text_width(line, SERIF_BOLD, name_size) for line in name_lines)
    rule = min(BODY_WIDTH, max(300.0, widest + 60))

    def text(color: Color, value: str, face: Face, size: float, min_size: float | None = None) -> Step:
        def draw(c: Canvas, y: float) -> None:
            c.setFillColor(color)
            draw_fitted(c, centre, y, value, face, size, BODY_WIDTH, min_size=min_size or size * 0.6)

        return draw

    def ornament(c: Canvas, y: float) -> None:
        c.setStrokeColor(GOLD)
        c.setLineWidth(0.8)
        c.line(centre - 60, y, centre - 10, y)
        c.line(centre + 10, y, centre + 60, y)
        _diamond(c, centre, y, 3.5, GOLD)

    def underline(c: Canvas, y: float) -> None:
        c.setStrokeColor(GOLD)
        c.setLineWidth(0.8)
        c.line(centre - rule / 2, y, centre + rule / 2, y)

    steps: list[Step] = [
        (0, text(GREEN, title, SERIF_BOLD, 30)),
        (28, text(GREEN, heading_bn, SERIF_BOLD, 17)),
        (15, ornament),
        (23, text(MUTED, _("This is to certify that"), SERIF, 12.5)),
        (8 + name_size * 0.88, text(INK, name_lines[0], SERIF_BOLD, name_size, name_size)),
        *((name_size * 1.15, text(INK, line, SERIF_BOLD, name_size, name_size)) for line in name_lines[1:]),
        (12, underline),
    ]
    if facts.name_bn:
        steps.append((25, text(INK, facts.name_bn, SERIF_BOLD, 20, 11)))
    steps.append((26, text(MUTED, _(lead_in), SERIF, 12.5)))
    for i, (line, size) in enumerate(_event_title_lines(facts.event_title)):
        steps.append((size + (8 if i == 0 else 4), text(INK, line, SANS_BOLD, size, 9)))
    steps.extend((17, text(MUTED, line, SANS, 11.5, 7)) for line in _detail_lines(facts))
    return steps


def _name_lines(name: str) -> tuple[list[str], float]:
    """The name and its size: one line, 34 pt down to 16 pt; a longer name on up to three lines, 20 pt down
    to 13 pt; one that does not fit even so is cut short with an ellipsis (the PDF's metadata keeps it whole).
    A name is never condensed into an unreadable bar, nor drawn past the border."""
    size = fit_font_size(name, SERIF_BOLD, 34, BODY_WIDTH, 16)
    if text_width(name, SERIF_BOLD, size) <= BODY_WIDTH:
        return [name], size
    for size in NAME_WRAP_SIZES:
        lines = wrap_text(name, SERIF_BOLD, size, BODY_WIDTH)
        if len(lines) <= NAME_MAX_LINES and all(text_width(line, SERIF_BOLD, size) <= BODY_WIDTH for line in lines):
            return lines, size
    size = NAME_WRAP_SIZES[-1]
    lines = wrap_text(name, SERIF_BOLD, size, BODY_WIDTH)
    kept = [_shorten(line, size) for line in lines[:NAME_MAX_LINES - 1]]
    return [*kept, _shorten(" ".join(lines[NAME_MAX_LINES - 1:]), size, always=len(lines) > NAME_MAX_LINES)], size


def _shorten(line: str, size: float, *, always: bool = False) -> str:
    """The line, or its longest beginning that fits BODY_WIDTH with an ellipsis after it."""
    if not always and text_width(line, SERIF_BOLD, size) <= BODY_WIDTH:
        return line
    low, high = 0, len(line)  # binary search: shaping a 5,000-letter line a character at a time would crawl
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(line[:middle].rstrip() + ELLIPSIS, SERIF_BOLD, size) <= BODY_WIDTH:
            low = middle
        else:
            high = middle - 1
    return line[:low].rstrip() + ELLIPSIS


def _event_title_lines(title: str) -> list[tuple[str, float]]:
    """One line at 18 pt if it fits, else up to two lines at 15 pt (the second condensed if need be)."""
    if text_width(title, SANS_BOLD, 18) <= BODY_WIDTH:
        return [(title, 18)]
    lines = wrap_text(title, SANS_BOLD, 15, BODY_WIDTH)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [(line, 15) for line in lines]


def _detail_lines(facts: CertificateFacts) -> list[str]:
    if facts.language == "bn":
        return _detail_lines_bn(facts)
    days = f"{facts.days_attended} day{'s' if facts.days_attended != 1 else ''}"
    attendance = [f"Attended {days}"]
    attendance_bn = [f"উপস্থিতি {bangla_digits(facts.days_attended)} দিন"]
    if facts.hours_attended is not None:
        hours = f"{facts.hours_attended:.2f}".rstrip("0").rstrip(".")
        attendance.append(f"{hours} hour{'s' if hours != '1' else ''}")
        attendance_bn.append(f"{bangla_digits(hours)} ঘণ্টা")
    if facts.sessions_total:
        attendance.append(f"{facts.sessions_total} session{'s' if facts.sessions_total != 1 else ''} in all")
        attendance_bn.append(f"মোট {bangla_digits(facts.sessions_total)}টি সেশন")
    dates_bn = bangla_date_range(facts.start, facts.end)
    where_bn = f"{facts.district_bn}, " if facts.district_bn else ""
    lines = [
        f"{facts.event_kind}  ·  {facts.district}  ·  {english_date_range(facts.start, facts.end)}",
        "  ·  ".join(attendance),
        f"{where_bn}{dates_bn}  ·  " + "  ·  ".join(attendance_bn),
    ]
    if facts.facilitators:
        lines.append("Facilitated by " + ", ".join(facts.facilitators))
    return lines


def _detail_lines_bn(facts: CertificateFacts) -> list[str]:
    """The details in Bangla: what, where and when, then attendance, then who led it."""
    where = facts.district_bn or facts.district
    attendance = [f"উপস্থিতি {bangla_digits(facts.days_attended)} দিন"]
    if facts.hours_attended is not None:
        attendance.append(f"{bangla_digits(f'{facts.hours_attended:.2f}'.rstrip('0').rstrip('.'))} ঘণ্টা")
    if facts.sessions_total:
        attendance.append(f"মোট {bangla_digits(facts.sessions_total)}টি সেশন")
    lines = [f"{_(facts.event_kind)}  ·  {where}  ·  {bangla_date_range(facts.start, facts.end)}",
             "  ·  ".join(attendance)]
    if facts.facilitators:
        lines.append(_("Facilitated by {names}").format(names=", ".join(facts.facilitators)))
    return lines


def _draw_signatories(canvas: Canvas, signatories: tuple[Signatory, ...]) -> None:
    spacing = 205
    first = PAGE[0] / 2 - spacing * (len(signatories) - 1) / 2
    for i, person in enumerate(signatories):
        cx = first + i * spacing
        if person.signature:
            what = f"signature of {person.name}"
            image = load_image(person.signature, what, points_to_pixels(*SIGNATURE_BOX))
            draw_image(canvas, image, cx - SIGNATURE_BOX[0] / 2, 116, *SIGNATURE_BOX, anchor="s")
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.line(cx - 82, 113, cx + 82, 113)
        canvas.setFillColor(INK)
        draw_fitted(canvas, cx, 100, person.name, SANS_BOLD, 10, 175, min_size=7)
        canvas.setFillColor(MUTED)
        lines = wrap_text(person.title, SANS, 8.5, 175)
        for j, line in enumerate(lines[:2] if len(lines) <= 2 else [lines[0], " ".join(lines[1:])]):
            draw_fitted(canvas, cx, 88 - j * 10.5, line, SANS, 8.5, 175, min_size=6)


def _draw_footer(canvas: Canvas, facts: CertificateFacts) -> None:
    width = PAGE[0]
    canvas.setFillColor(INK)
    draw_left(canvas, 46, 60, _("Certificate No. {serial}").format(serial=facts.serial), SANS_BOLD, 9)
    canvas.setFillColor(MUTED)
    draw_left(canvas, 46, 47, _("Issued on {date}").format(date=_date(facts.issued_on, facts.language)), SANS, 8.5)
    qr_size = 80
    draw_qr(canvas, facts.verification_url, width - 34 - qr_size, 44, qr_size)
    draw_fitted(
        canvas, width - 40, 34, _("Verify: {url}").format(url=facts.verification_url), SANS, 7, 300, min_size=5,
        align="right",
    )
