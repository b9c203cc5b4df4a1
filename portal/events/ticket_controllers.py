"""Participant pages: the personal ticket (/t/{token}) and self check-in (/c/...)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath

from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import format_when
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, render
from portal.events import checkin, registrations, selfcheck, services, sheets, window
from portal.events.qr import qr_svg, ticket_url
from portal.exports import CONTENT_TYPES, content_disposition

TICKET_COOKIE = "ticket"
TICKET_COOKIE_AGE = 400 * 24 * 3600  # browsers cap cookies at about 400 days


def _refused(request: Request, exc: DomainError) -> Response:
    """The "scan again" page; outside the check-in window it says when check-in opens (or closed)."""
    message = exc.message
    if isinstance(exc, checkin.OutsideWindow):
        message = window.describe(exc.window, exc.early, request.app.state.settings.tz)
    return render(request, "events/selfcheck/refused.html", {"error": exc, "message": message},
                  status_code=exc.status_code)


def _ticket_cookie(request: Request, token: str) -> Cookie:
    return Cookie(key=TICKET_COOKIE, value=token, max_age=TICKET_COOKIE_AGE, path="/", httponly=True,
                  samesite="lax", secure=request.app.state.settings.secure_cookies)


async def _ticket_context(request: Request, token: str) -> dict[str, Any]:
    registration = await registrations.by_token(token)
    event = await services.get_event_public(registration["event"])
    sessions = await services.list_sessions(registration["event"])
    link = ticket_url(request.app.state.settings.base_url, token)
    context = {"registration": registration, "event": event, "sessions": sessions, "link": link,
               "attended": await checkin.attended(registration["id"]),
               "qr": qr_svg(link, label=_("Your ticket QR code")),
               "roles": registrations.ROLES, "reg_statuses": registrations.REG_STATUSES, "token": token}
    # Later features (certificates, materials) add their sections through app.state.ticket_extras,
    # so this feature never imports them (dependencies run trainings -> events -> certificates).
    for extra in request.app.state.get("ticket_extras", ()):
        context.update(await extra(token))
    return context


class TicketController(Controller):
    """A participant's personal page, reached only with their secret token."""

    path = "/t"

    @get("/{token:str}", name="tickets.show")
    async def show(self, request: Request, token: FromPath[str]) -> Response:
        """The QR ticket, the event and its sessions, the person's attendance; remembers the ticket."""
        try:
            context = await _ticket_context(request, token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        response = render(request, "events/ticket/page.html", context)
        response.cookies.append(_ticket_cookie(request, token))
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @get("/{token:str}/ticket.pdf", name="tickets.pdf")
    async def pdf(self, request: Request, token: FromPath[str]) -> Response:
        """The ticket as a PDF to print."""
        try:
            context = await _ticket_context(request, token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        data = sheets.ticket_pdf(context["registration"], context["event"], context["sessions"], context["link"],
                                 request.app.state.settings.tz)
        return Response(data, media_type=CONTENT_TYPES["pdf"], headers={
            "Content-Disposition": content_disposition("ticket.pdf", "inline"), "Cache-Control": "private, no-store"})


def _retry_after(response: Response, exc: Exception | None) -> Response:
    """A 429 says when to try again."""
    if isinstance(exc, selfcheck.TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


class SelfCheckInController(Controller):
    """Self check-in from the venue screen's rotating code."""

    path = "/c"

    @get("/", name="selfcheck.enter")
    async def enter(self, request: Request) -> Response:
        """Type the short code shown on the screen."""
        return render(request, "events/selfcheck/enter.html", {"errors": {}, "value": ""})

    @post("/", name="selfcheck.enter_submit")
    async def enter_submit(self, request: Request) -> Response:
        """Check a typed short code and continue as if the QR had been scanned."""
        form = form_dict(await request.form())
        value = str(form.get("code", ""))[:30]
        parsed = selfcheck.parse_short(value)
        error = _("Type the code exactly as the screen shows it, for example 17-482913.")
        status, wait = 422, None
        if parsed:
            session_id, code = parsed
            try:
                await selfcheck.check_code(request.app.state.settings.secret_key, session_id, code,
                                           client_ip(request))
                await selfcheck.session_info(session_id)
                await checkin.require_open(session_id)
            except checkin.OutsideWindow as exc:
                return _refused(request, exc)
            except DomainError as exc:
                error, status, wait = exc.message, exc.status_code, exc
            else:
                return await self._landing(request, session_id, code)
        return _retry_after(render(request, "events/selfcheck/enter.html",
                                   {"errors": {"code": error}, "value": value}, status_code=status), wait)

    async def _landing(self, request: Request, session_id: int, code: str, status: int = 200,
                       errors: dict | None = None, form: dict | None = None, message: str = "") -> Response:
        session = await selfcheck.session_info(session_id)
        token = request.cookies.get(TICKET_COOKIE, "")
        mine = None
        if token:
            try:
                mine = await registrations.by_token(token)
            except NotFound:
                mine = None
        if mine is not None and mine["event"] != session["event"]:
            mine = None
        return render(request, "events/selfcheck/landing.html", {
            "session": session, "code": code, "mine": mine, "errors": errors or {}, "form": form or {},
            "message": message}, status_code=status)

    @get("/{session_id:int}/{code:str}", name="selfcheck.landing")
    async def landing(self, request: Request, session_id: FromPath[int], code: FromPath[str]) -> Response:
        """What the venue QR opens: one tap checks in the ticket on this phone, or ask for a phone number."""
        try:
            await selfcheck.check_code(request.app.state.settings.secret_key, session_id, code, client_ip(request))
            await selfcheck.session_info(session_id)
            await checkin.require_open(session_id)
        except DomainError as exc:
            return _retry_after(_refused(request, exc), exc)
        return await self._landing(request, session_id, code)

    @post("/{session_id:int}/{code:str}", name="selfcheck.submit")
    async def submit(self, request: Request, session_id: FromPath[int], code: FromPath[str]) -> Response:
        """Check in: with the ticket cookie, by phone number, or as a walk-in."""
        form = form_dict(await request.form())
        secret = request.app.state.settings.secret_key
        ip = client_ip(request)
        actor = Actor(id=None, label="self check-in", ip=ip)
        how = str(form.get("how", ""))
        new_token = None
        try:
            if how == "ticket":
                result = await selfcheck.by_ticket(secret, session_id, code, request.cookies.get(TICKET_COOKIE, ""),
                                                   actor)
            elif how == "walk_in":
                result, new_token = await selfcheck.walk_in(secret, session_id, code, form, actor)
            else:
                result = await selfcheck.by_phone(secret, session_id, code, str(form.get("phone", ""))[:40],
                                                  actor)
        except ValidationFailed as exc:
            return await self._landing(request, session_id, code, 422, exc.errors, form)
        except DomainError as exc:
            if exc.code in {"expired_code", "forged_code", "session_not_found", "too_many_codes", "outside_window"}:
                return _retry_after(_refused(request, exc), exc)
            return _retry_after(await self._landing(request, session_id, code, exc.status_code,
                                                    {exc.field or "phone": exc.message}, form), exc)
        session = await selfcheck.session_info(session_id)
        first_name = result.name.split()[0] if how != "ticket" and result.name.split() else result.name
        response = render(request, "events/selfcheck/done.html", {
            "result": result, "session": session, "name": first_name,
            "local_time": format_when(result.at.astimezone(request.app.state.settings.tz), "%H:%M"),
            "ticket_link": request.app.route_reverse("tickets.show", token=new_token) if new_token else ""})
        if new_token:
            response.cookies.append(_ticket_cookie(request, new_token))
        return response
