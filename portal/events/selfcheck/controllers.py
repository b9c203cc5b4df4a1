"""Self check-in pages (/c/...): the typed code, the venue QR's landing page, and the check-in."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import format_when
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, render
from portal.events.checkin import services as checkin
from portal.events.checkin import window
from portal.events.registrations import services as registrations
from portal.events.selfcheck import services as selfcheck
from portal.events.tickets.cookie import TICKET_COOKIE, ticket_cookie
from portal.settings import Settings


def _refused(request: Request, settings: Settings, exc: DomainError) -> Response:
    """The "scan again" page; outside the check-in window it says when check-in opens (or closed)."""
    message = exc.message
    if isinstance(exc, checkin.OutsideWindow):
        message = window.describe(exc.window, exc.early, settings.tz)
    return render(request, "events/selfcheck/refused.html", {"error": exc, "message": message},
                  status_code=exc.status_code)


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
    async def enter_submit(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Check a typed short code and continue as if the QR had been scanned."""
        form = form_dict(await request.form())
        value = str(form.get("code", ""))[:30]
        parsed = selfcheck.parse_short(value)
        error = _("Type the code exactly as the screen shows it, for example 17-482913.")
        status, wait = 422, None
        if parsed:
            session_id, code = parsed
            try:
                await selfcheck.check_code(settings.secret_key, session_id, code,
                                           client_ip(request))
                await selfcheck.session_info(session_id)
                await checkin.require_open(session_id)
            except checkin.OutsideWindow as exc:
                return _refused(request, settings, exc)
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
    async def landing(self, request: Request, session_id: FromPath[int], code: FromPath[str],
                      settings: NamedDependency[Settings]) -> Response:
        """What the venue QR opens: one tap checks in the ticket on this phone, or ask for a phone number."""
        try:
            await selfcheck.check_code(settings.secret_key, session_id, code, client_ip(request))
            await selfcheck.session_info(session_id)
            await checkin.require_open(session_id)
        except DomainError as exc:
            return _retry_after(_refused(request, settings, exc), exc)
        return await self._landing(request, session_id, code)

    @post("/{session_id:int}/{code:str}", name="selfcheck.submit")
    async def submit(self, request: Request, session_id: FromPath[int], code: FromPath[str],
                     settings: NamedDependency[Settings]) -> Response:
        """Check in: with the ticket cookie, by phone number, or as a walk-in."""
        form = form_dict(await request.form())
        secret = settings.secret_key
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
                return _retry_after(_refused(request, settings, exc), exc)
            return _retry_after(await self._landing(request, session_id, code, exc.status_code,
                                                    {exc.field or "phone": exc.message}, form), exc)
        session = await selfcheck.session_info(session_id)
        first_name = result.name.split()[0] if how != "ticket" and result.name.split() else result.name
        response = render(request, "events/selfcheck/done.html", {
            "result": result, "session": session, "name": first_name,
            "local_time": format_when(result.at.astimezone(settings.tz), "%H:%M"),
            "ticket_link": request.app.route_reverse("tickets.show", token=new_token) if new_token else ""})
        if new_token:
            response.cookies.append(ticket_cookie(new_token, secure=settings.secure_cookies))
        return response
