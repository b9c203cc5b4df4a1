"""Staff pages for check-in under an event (/manage/events/{id}/...): scanner, by hand, undo, sign-in sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core import clock
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import current_language, format_when
from portal.core.i18n import gettext as _
from portal.core.paging import page_number
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events import sheets
from portal.events.access import EVENT_STAFF
from portal.events.checkin import corrections, window
from portal.events.checkin import services as checkin
from portal.events.facilitators import services as facilitators
from portal.events.management import services
from portal.events.qr import qr_svg, token_from_scan
from portal.events.selfcheck import services as selfcheck
from portal.exports import CONTENT_TYPES, content_disposition
from portal.settings import Settings

MAX_OFFLINE_AGE = dt.timedelta(hours=24)
# The portal's CSP plus 'wasm-unsafe-eval', which the ZXing decoder (WebAssembly) needs.
SCANNER_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)


def _actor(request: Request):
    return current_user(request).actor(client_ip(request))


def _scanned_at(raw: Any) -> dt.datetime | None:
    """The time an offline scan was made, if the phone sent a believable one (not future, < 24 h)."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    now = clock.now()
    return when if now - MAX_OFFLINE_AGE <= when <= now + dt.timedelta(seconds=5) else None


class AttendanceController(Controller):
    """A session's attendance: the list, one-tap check-in and undo, the scanner, the venue screen."""

    path = "/manage/events/{event_id:int}/sessions/{session_id:int}"
    guards = [EVENT_STAFF]

    async def _context(self, request: Request, event_id: int, session_id: int) -> dict[str, Any]:
        user = current_user(request)
        event = await services.get_event(user, event_id)
        session = await services.get_session(user, event_id, session_id)
        session_window = window.window_of({**session, "checkin_opens_before": event["checkin_opens_before"],
                                           "checkin_closes_after": event["checkin_closes_after"]})
        tz = request.app.state.settings.tz
        return {"event": event, "session": session, "count": await checkin.present_count(session_id, event_id),
                "window": session_window, "closed": session_window.position(clock.now()) == "late",
                "undo_reasons": corrections.UNDO_REASONS, "late_reasons": corrections.LATE_REASONS,
                "now_value": corrections.default_time(tz), "form_row": None}

    @get("/attendance", name="events.attendance.list")
    async def attendance(self, request: Request, event_id: FromPath[int], session_id: FromPath[int]) -> Response:
        """Who is here: search, present/absent filter, counts; the rows alone for htmx."""
        context = await self._context(request, event_id, session_id)
        q = request.query_params.get("q", "").strip()[:100]
        show = request.query_params.get("show", "all")
        show = show if show in {"all", "present", "absent"} else "all"
        confirm = request.query_params.get("confirm", "")
        confirm_id = int(confirm) if confirm.isdigit() else None
        shown = await checkin.attendance_page(  # with confirm and no page: the page with the row that asks
            session_id, event_id, q, show, page_number(request.query_params),
            confirm_id=confirm_id if "page" not in request.query_params else None)
        return render(request, "events/attendance/list.html", {
            **context, **shown, "q": q, "show": show, "confirm_id": confirm_id},
            fragment="events/attendance/_rows.html")

    async def _row(self, request: Request, event_id: int, session_id: int, registration_id: int,
                   message: str = "", status: int = 200, confirm: bool = False,
                   form: dict[str, Any] | None = None) -> Response:
        context = await self._context(request, event_id, session_id)
        if form is not None:  # a correction form refused: the row again with the form open, its values and errors
            context["form_row"] = {"id": registration_id, **form}
        if form is not None and request.headers.get("hx-request") != "true":
            # Without htmx: the page of the list that holds this person, answered 422, with their form showing
            # what to correct.
            shown = await checkin.attendance_page(session_id, event_id, confirm_id=registration_id)
            return render(request, "events/attendance/list.html", {
                **context, **shown, "q": "", "show": "all", "confirm_id": None,
                "message_row": registration_id, "message": message}, status_code=status)
        if request.headers.get("hx-request") != "true":
            url = request.app.route_reverse("events.attendance.list", event_id=event_id, session_id=session_id)
            if confirm:  # without htmx: the list, with this person's row asking to confirm
                url += f"?confirm={registration_id}#att-{registration_id}"
            return redirect(request, url, message or None, "error" if status >= 400 else "success")
        rows = await checkin.attendance(session_id, event_id, registration_id=registration_id)  # htmx: the row alone
        return render(request, "events/attendance/_row_swap.html",
                      {**context, "row": rows[0] if rows else None, "message": message, "confirm": confirm},
                      status_code=status)

    @post("/attendance/{registration_id:int}", name="events.attendance.check_in")
    async def check_in(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                       registration_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """One-tap check-in by hand (method manual); outside the session's window only once confirmed, and after
        it closed only with a reason and the time the person came (a correction form: `reason`, `at`)."""
        context = await self._context(request, event_id, session_id)
        user = current_user(request)
        form = form_dict(await request.form())
        confirmed = form.get("confirm") == "1"
        correction = None
        if "reason" in form:
            try:
                correction = corrections.parse(form, corrections.LATE_REASONS, context["session"], settings.tz,
                                               time_required=True)
            except ValidationFailed as exc:
                return await self._row(request, event_id, session_id, registration_id, exc.message, 422,
                                       form={"kind": "late", "fields": form, "errors": exc.errors})
        try:
            result = await checkin.check_in(session_id, user.actor(client_ip(request)),
                                            registration_id=registration_id, method="manual", by_user=user.id,
                                            override=confirmed, correction=correction)
        except checkin.OutsideWindow as exc:
            message = window.describe(exc.window, exc.early, settings.tz)
            return await self._row(request, event_id, session_id, registration_id, message, 200, confirm=True)
        except checkin.CheckInError as exc:
            if exc.code == "reason_needed":
                return await self._row(request, event_id, session_id, registration_id, exc.message, 422,
                                       form={"kind": "late", "fields": form, "errors": {}})
            return await self._row(request, event_id, session_id, registration_id, exc.message, 422)
        message = (_("{name}: checked in.") if result.status == "ok" else _("{name}: already checked in.")).format(
            name=result.name)
        return await self._row(request, event_id, session_id, registration_id, message)

    @post("/attendance/{registration_id:int}/undo", name="events.attendance.undo")
    async def undo(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                   registration_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """Take back a check-in made by mistake, saying why (`reason`, `reason_note`, optional `at`; audited)."""
        context = await self._context(request, event_id, session_id)
        form = form_dict(await request.form())
        try:
            correction = corrections.parse(form, corrections.UNDO_REASONS, context["session"], settings.tz,
                                           time_required=False)
        except ValidationFailed as exc:
            return await self._row(request, event_id, session_id, registration_id, exc.message, 422,
                                   form={"kind": "undo", "fields": form, "errors": exc.errors})
        try:
            await checkin.undo(session_id, registration_id, _actor(request), event_id, correction=correction)
        except checkin.CheckInError as exc:
            return await self._row(request, event_id, session_id, registration_id, exc.message, 422)
        return await self._row(request, event_id, session_id, registration_id, _("Check-in undone."))

    @get("/scan", name="events.scan.page")
    async def scan_page(self, request: Request, event_id: FromPath[int], session_id: FromPath[int]) -> Response:
        """The scanner page for an organizer's phone (camera, offline queue, manual search)."""
        context = await self._context(request, event_id, session_id)
        response = render(request, "events/scan/page.html", context)
        # The wasm QR decoder needs 'wasm-unsafe-eval': allowed on this page only.
        response.headers["Content-Security-Policy"] = SCANNER_CSP
        return response

    @post("/scan", name="events.scan.submit")
    async def scan_submit(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                          settings: NamedDependency[Settings]) -> Response:
        """One scan as JSON {token, client_id, scanned_at}: green ok, amber already, red refused."""
        user = current_user(request)
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001 - any unreadable body is the same bad request
            body = None
        raw_token = body.get("token") if isinstance(body, dict) else None
        token = token_from_scan(raw_token) if isinstance(raw_token, str) else ""
        client_id = body.get("client_id") if isinstance(body, dict) and isinstance(body.get("client_id"), str) else None
        # One query reads the session, the ticket's registration and the count (scans are hot).
        found = await checkin.scan_lookup(event_id, session_id, token, client_id)
        if found is None or not user.sees_district(found.session["district"]):
            raise NotFound(_("No such session."))
        if not isinstance(raw_token, str):
            return Response({"status": "error", "code": "bad_request", "message": "Send {\"token\": ...}."},
                            status_code=400)
        tz = settings.tz
        try:
            result = await checkin.check_in(
                session_id, user.actor(client_ip(request)), token=token, method="ticket_scan",
                by_user=user.id, client_id=client_id, at=_scanned_at(body.get("scanned_at")), session=found.session,
                override=body.get("confirm") is True, registration=found.registration,
            )
        except checkin.OutsideWindow as exc:
            # Amber with a "Check in anyway" button: the scanner sends the same scan again with confirm.
            message = window.describe(exc.window, exc.early, tz)
            return Response({"status": "outside", "code": exc.code, "message": message, "count": found.count},
                            status_code=200)
        except checkin.CheckInError as exc:
            return Response({"status": "error", "code": exc.code, "message": exc.message, "count": found.count},
                            status_code=200)
        # The count read before this scan, with this scan's own check-in.
        count = {**found.count, "present": found.count["present"] + (result.status == "ok")}
        return Response({**result.as_json(), "local_time": format_when(result.at.astimezone(tz), "%H:%M"),
                         "count": count}, status_code=200)

    @get("/tickets", name="events.scan.tickets")
    async def tickets(self, request: Request, event_id: FromPath[int], session_id: FromPath[int]) -> Response:
        """token -> name of every seated registration, for offline scanning."""
        await self._context(request, event_id, session_id)
        return Response({"tickets": await checkin.tickets(event_id)}, headers={"Cache-Control": "no-store"})

    @get("/count", name="events.scan.count")
    async def count(self, request: Request, event_id: FromPath[int], session_id: FromPath[int]) -> Response:
        """The live "38 of 45 present" (a fragment for htmx polling)."""
        context = await self._context(request, event_id, session_id)
        return render(request, "events/attendance/_count.html", context, fragment="events/attendance/_count.html")

    @get("/display", name="events.display.page")
    async def display(self, request: Request,
                      settings: NamedDependency[Settings],
                      event_id: FromPath[int], session_id: FromPath[int]) -> Response:
        """The venue screen: a self check-in QR that changes every 30 seconds."""
        context = await self._context(request, event_id, session_id)
        return render(request, "events/display/page.html", {**context, **self._code(request, settings, session_id)},
                      fragment="events/display/_code.html")

    def _code(self, request: Request, settings: Settings, session_id: int) -> dict[str, Any]:
        shown = selfcheck.display(settings.secret_key, session_id, clock.now().timestamp())
        url = request.app.route_reverse("selfcheck.landing", session_id=session_id, code=shown.code)
        link = settings.base_url.rstrip("/") + url
        return {"code": shown, "link": link, "qr": qr_svg(link, label=_("Check-in code")),
                "short_url": settings.base_url.rstrip("/") + request.app.route_reverse("selfcheck.enter")}

    @get("/sheet.pdf", name="events.attendance.sheet")
    async def sheet(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                    settings: NamedDependency[Settings]) -> Response:
        """The printable sign-in sheet of the session."""
        context = await self._context(request, event_id, session_id)
        rows = await checkin.attendance(session_id, event_id)
        leaders = [{**f, "role_label": facilitators.ROLES[f["role"]]}
                   for f in (await facilitators.by_session(event_id)).get(session_id, [])]
        pdf = sheets.sign_in_sheet(context["event"], context["session"], rows,
                                   settings.base_url, settings.tz, leaders, current_language.get())
        return Response(pdf, media_type=CONTENT_TYPES["pdf"], headers={
            "Content-Disposition": content_disposition(f"sign-in-{event_id}-{session_id}.pdf", "inline")})
