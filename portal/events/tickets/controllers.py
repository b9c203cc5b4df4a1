"""The participant's personal ticket (/t/{token}) and its PDF."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.core.errors import NotFound
from portal.core.i18n import current_language
from portal.core.i18n import gettext as _
from portal.core.web import render
from portal.events import sheets
from portal.events.checkin import services as checkin
from portal.events.management import services
from portal.events.qr import qr_svg, ticket_url
from portal.events.registrations import services as registrations
from portal.events.tickets import materials, sections
from portal.events.tickets.cookie import ticket_cookie
from portal.exports import CONTENT_TYPES, content_disposition
from portal.settings import Settings


async def _ticket_context(registration: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What the ticket page and its PDF show of a registration already looked up."""
    token = registration["ticket_token"]
    sessions = await services.list_sessions(registration["event"])
    link = ticket_url(settings.base_url, token)
    return {"registration": registration, "event": await services.get_event_public(registration["event"]),
            "sessions": sessions, "link": link, "attended": await checkin.attended(registration["id"]),
            "qr": qr_svg(link, label=_("Your ticket QR code")),
            "roles": registrations.ROLES, "reg_statuses": registrations.REG_STATUSES, "token": token}


class TicketController(Controller):
    """A participant's personal page, reached only with their secret token."""

    path = "/t"

    @get("/{token:str}", name="tickets.show")
    async def show(self, request: Request, token: FromPath[str], settings: NamedDependency[Settings]) -> Response:
        """The QR ticket, the event and its sessions, the person's attendance; remembers the ticket."""
        try:
            registration = await registrations.by_token(token)  # the one lookup; the sections get its result
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        context = await _ticket_context(registration, settings)
        # The sections: the materials (this feature's own) and those later features registered
        # (certificates, tests and feedback: portal/events/tickets/sections.py).
        context["materials"] = await materials.for_registration(registration)
        context.update(await sections.context_for(registration))
        response = render(request, "events/ticket/page.html", context)
        response.cookies.append(ticket_cookie(registration["ticket_token"],
                                              secure=settings.secure_cookies))
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @get("/{token:str}/ticket.pdf", name="tickets.pdf")
    async def pdf(self, request: Request, token: FromPath[str], settings: NamedDependency[Settings]) -> Response:
        """The ticket as a PDF to print."""
        try:
            context = await _ticket_context(await registrations.by_token(token), settings)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        data = sheets.ticket_pdf(context["registration"], context["event"], context["sessions"], context["link"],
                                 settings.tz, current_language.get())
        return Response(data, media_type=CONTENT_TYPES["pdf"], headers={
            "Content-Disposition": content_disposition("ticket.pdf", "inline"), "Cache-Control": "private, no-store"})
