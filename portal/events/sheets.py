"""PDFs of the check-in feature: a participant's ticket and a session's sign-in sheet.

Names are drawn as text runs with portal.pdf (shaped Bangla, no reportlab markup), so a name
like "<b>Rahim</b>" prints literally. Labels, dates, times and numbers are in the reader's language (`lang`:
the participant's for a ticket, the staff member's for a sheet), Bangla with Bangla digits; the PDF's /Lang
and title say which, since shaped Bangla does not extract as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from portal.core.districts import district_name
from portal.core.i18n import format_number, format_when, speaking
from portal.core.i18n import gettext as _
from portal.core.phone import mask_phone
from portal.events.qr import ticket_url
from portal.pdf import SANS, SANS_BOLD, PdfDocument, draw_fitted, draw_qr, draw_text
from portal.templating import session_title

ROWS_PER_PAGE = 14


class TicketPdf(PdfDocument[dict]):
    """One A6 ticket: event, person, QR of the personal link."""

    pagesize = A6

    def draw_page(self, canvas: Canvas, page: dict) -> None:
        """Draw the ticket."""
        width, height = self.pagesize
        margin = 8 * mm
        draw_fitted(canvas, width / 2, height - 16 * mm, page["event_title"], SANS_BOLD, 13, width - 2 * margin,
                    min_size=8)
        draw_fitted(canvas, width / 2, height - 22 * mm, page["when_where"], SANS, 9, width - 2 * margin,
                    min_size=6)
        size = 62 * mm
        draw_qr(canvas, page["link"], (width - size) / 2, height - 26 * mm - size, size)
        y = height - 32 * mm - size
        draw_fitted(canvas, width / 2, y, page["name"], SANS_BOLD, 14, width - 2 * margin, min_size=8)
        if page["name_bn"]:
            draw_fitted(canvas, width / 2, y - 7 * mm, page["name_bn"], SANS, 12, width - 2 * margin, min_size=8)
        draw_fitted(canvas, width / 2, y - 13 * mm, page["organisation"], SANS, 9, width - 2 * margin, min_size=6)
        draw_fitted(canvas, width / 2, 8 * mm, page["show"], SANS, 8, width - 2 * margin, min_size=6)


def _when_where(event: dict[str, Any], lang: str) -> str:
    when = format_when(event["start_date"], "%d %b %Y", lang)
    if event["end_date"] != event["start_date"]:
        when += f" – {format_when(event['end_date'], '%d %b %Y', lang)}"
    where = ", ".join(part for part in (event.get("venue") or "", district_name(event["district"], lang)) if part)
    return f"{when} · {where}"


def ticket_pdf(registration: dict[str, Any], event: dict[str, Any], sessions: list[dict[str, Any]], link: str,
               tz: ZoneInfo, lang: str = "en") -> bytes:
    """The printable ticket of one registration, its labels in `lang` (the participant's language)."""
    with speaking(lang):
        page = {"event_title": event["title"], "when_where": _when_where(event, lang), "link": link,
                "name": registration["name"], "name_bn": registration.get("name_bn") or "",
                "organisation": registration.get("organisation") or "", "show": _("Show this code at the door.")}
        title = _("Ticket: {event}").format(event=event["title"])
        return TicketPdf(title=title, subject=registration["name"], lang=lang).render([page])


@dataclass(frozen=True)
class SheetPage:
    """One page of a sign-in sheet."""

    heading: str
    subheading: str
    rows: list[dict[str, Any]]
    first_number: int
    page: int
    pages: int
    facilitators: str = ""  # "Facilitators: name (role), ..." under the subheading
    labels: tuple[str, ...] = ("#", "QR", "Name / organisation", "Phone", "Signature")
    footer: str = ""  # "Page 1 of 3", in the sheet's language


class SignInSheet(PdfDocument[SheetPage]):
    """A4 sign-in sheet: number, QR (scannable on the scanner page), name, organisation, phone, signature."""

    pagesize = A4

    def draw_page(self, canvas: Canvas, page: SheetPage) -> None:
        """Draw one page of the sheet."""
        width, height = self.pagesize
        margin = 12 * mm
        draw_fitted(canvas, margin, height - 16 * mm, page.heading, SANS_BOLD, 14, width - 2 * margin,
                    min_size=8, align="left")
        draw_fitted(canvas, margin, height - 22 * mm, page.subheading, SANS, 9, width - 2 * margin,
                    min_size=6, align="left")
        if page.facilitators:
            draw_fitted(canvas, margin, height - 26.5 * mm, page.facilitators, SANS, 8, width - 2 * margin,
                        min_size=5, align="left")
        top = height - (34 if page.facilitators else 30) * mm  # the facilitators' line must not touch the labels
        row_height = (top - 14 * mm) / ROWS_PER_PAGE
        columns = {"no": margin, "qr": margin + 8 * mm, "name": margin + 30 * mm, "phone": margin + 110 * mm,
                   "sign": margin + 140 * mm}
        for key, label in zip(("no", "qr", "name", "phone", "sign"), page.labels, strict=True):
            draw_text(canvas, columns[key], top + 2 * mm, label, SANS_BOLD, 8)
        canvas.setLineWidth(0.4)
        canvas.line(margin, top, width - margin, top)
        for index, row in enumerate(page.rows):
            y = top - (index + 1) * row_height
            draw_text(canvas, columns["no"], y + row_height / 2, format_number(page.first_number + index), SANS, 9)
            draw_qr(canvas, row["link"], columns["qr"], y + 1 * mm, row_height - 2 * mm)
            draw_fitted(canvas, columns["name"], y + row_height / 2 + 1.5 * mm, row["name"], SANS_BOLD, 10,
                        78 * mm, min_size=6, align="left")
            draw_fitted(canvas, columns["name"], y + row_height / 2 - 3.5 * mm, row["organisation"], SANS, 8,
                        78 * mm, min_size=5, align="left")
            draw_text(canvas, columns["phone"], y + row_height / 2, row["phone"], SANS, 8)
            canvas.line(margin, y, width - margin, y)
        draw_text(canvas, width - margin, 8 * mm, page.footer, SANS, 8, align="right")


def sign_in_sheet(event: dict[str, Any], session: dict[str, Any], rows: list[dict[str, Any]], base_url: str,
                  tz: ZoneInfo, facilitators: list[dict[str, Any]] = (), lang: str = "en") -> bytes:
    """The sign-in sheet of a session, ROWS_PER_PAGE people a page (an empty page when nobody is registered),
    naming who leads the session (`facilitators`: name and role label), its labels in `lang`."""
    with speaking(lang):
        start = session["starts_at"].astimezone(tz)
        heading = f"{event['title']} · {session_title(session['title'])}"
        when = format_when(start, "%a %d %b %Y, %H:%M")
        subheading = " · ".join((_("Sign-in sheet"), when, _when_where(event, lang)))
        people = [{"name": r["name"], "organisation": r.get("organisation") or "",
                   "phone": mask_phone(r.get("phone")), "link": ticket_url(base_url, r["ticket_token"])} for r in rows]
        chunks = [people[i:i + ROWS_PER_PAGE] for i in range(0, len(people), ROWS_PER_PAGE)] or [[]]
        led_by = ", ".join(f"{f['name']} ({_(f['role_label'])})" for f in facilitators)
        led_by = _("Facilitators: {names}").format(names=led_by) if led_by else ""
        labels = ("#", "QR", _("Name / organisation"), _("Phone"), _("Signature"))
        pages = [SheetPage(heading, subheading, chunk, i * ROWS_PER_PAGE + 1, i + 1, len(chunks), led_by, labels,
                           _("Page %(page)s of %(pages)s") % {"page": format_number(i + 1),
                                                               "pages": format_number(len(chunks))})
                 for i, chunk in enumerate(chunks)]
        return SignInSheet(title=heading, subject=_("Sign-in sheet"), lang=lang).render(pages)
