"""PDFs of the check-in feature: a participant's ticket and a session's sign-in sheet.

Names are drawn as text runs with portal.pdf (shaped Bangla, no reportlab markup), so a name
like "<b>Rahim</b>" prints literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from portal.core.districts import district_name
from portal.core.phone import mask_phone
from portal.events.qr import ticket_url
from portal.pdf import SANS, SANS_BOLD, PdfDocument, draw_fitted, draw_qr, draw_text

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
        draw_fitted(canvas, width / 2, 8 * mm, "Show this code at the door.", SANS, 8, width - 2 * margin,
                    min_size=6)


def _when_where(event: dict[str, Any]) -> str:
    when = f"{event['start_date']:%d %b %Y}"
    if event["end_date"] != event["start_date"]:
        when += f" – {event['end_date']:%d %b %Y}"
    where = ", ".join(part for part in (event.get("venue") or "", district_name(event["district"])) if part)
    return f"{when} · {where}"


def ticket_pdf(registration: dict[str, Any], event: dict[str, Any], sessions: list[dict[str, Any]], link: str,
               tz: ZoneInfo) -> bytes:
    """The printable ticket of one registration."""
    page = {"event_title": event["title"], "when_where": _when_where(event), "link": link,
            "name": registration["name"], "name_bn": registration.get("name_bn") or "",
            "organisation": registration.get("organisation") or ""}
    return TicketPdf(title=f"Ticket: {event['title']}", subject=registration["name"]).render([page])


@dataclass(frozen=True)
class SheetPage:
    """One page of a sign-in sheet."""

    heading: str
    subheading: str
    rows: list[dict[str, Any]]
    first_number: int
    page: int
    pages: int
    facilitators: str = ""  # "Led by: name (role), ..." under the subheading


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
        top = height - 30 * mm
        row_height = (top - 14 * mm) / ROWS_PER_PAGE
        columns = {"no": margin, "qr": margin + 8 * mm, "name": margin + 30 * mm, "phone": margin + 110 * mm,
                   "sign": margin + 140 * mm}
        for key, label in (("no", "#"), ("qr", "QR"), ("name", "Name / organisation"), ("phone", "Phone"),
                           ("sign", "Signature")):
            draw_text(canvas, columns[key], top + 2 * mm, label, SANS_BOLD, 8)
        canvas.setLineWidth(0.4)
        canvas.line(margin, top, width - margin, top)
        for index, row in enumerate(page.rows):
            y = top - (index + 1) * row_height
            draw_text(canvas, columns["no"], y + row_height / 2, str(page.first_number + index), SANS, 9)
            draw_qr(canvas, row["link"], columns["qr"], y + 1 * mm, row_height - 2 * mm)
            draw_fitted(canvas, columns["name"], y + row_height / 2 + 1.5 * mm, row["name"], SANS_BOLD, 10,
                        78 * mm, min_size=6, align="left")
            draw_fitted(canvas, columns["name"], y + row_height / 2 - 3.5 * mm, row["organisation"], SANS, 8,
                        78 * mm, min_size=5, align="left")
            draw_text(canvas, columns["phone"], y + row_height / 2, row["phone"], SANS, 8)
            canvas.line(margin, y, width - margin, y)
        draw_text(canvas, width - margin, 8 * mm, f"Page {page.page} of {page.pages}", SANS, 8, align="right")


def sign_in_sheet(event: dict[str, Any], session: dict[str, Any], rows: list[dict[str, Any]], base_url: str,
                  tz: ZoneInfo, facilitators: list[dict[str, Any]] = ()) -> bytes:
    """The sign-in sheet of a session, ROWS_PER_PAGE people a page (an empty page when nobody is registered),
    naming who leads the session (`facilitators`: name and role label)."""
    start = session["starts_at"].astimezone(tz)
    heading = f"{event['title']} · {session['title']}"
    subheading = f"Sign-in sheet · {start:%a %d %b %Y %H:%M} · {_when_where(event)}"
    people = [{"name": r["name"], "organisation": r.get("organisation") or "", "phone": mask_phone(r.get("phone")),
               "link": ticket_url(base_url, r["ticket_token"])} for r in rows]
    chunks = [people[i:i + ROWS_PER_PAGE] for i in range(0, len(people), ROWS_PER_PAGE)] or [[]]
    led_by = ", ".join(f"{f['name']} ({f['role_label']})" for f in facilitators)
    led_by = f"Facilitators: {led_by}" if led_by else ""
    pages = [SheetPage(heading, subheading, chunk, i * ROWS_PER_PAGE + 1, i + 1, len(chunks), led_by)
             for i, chunk in enumerate(chunks)]
    return SignInSheet(title=heading, subject="Sign-in sheet").render(pages)

