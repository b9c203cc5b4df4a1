"""Staff pages for events and their sessions (/manage/events)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core.districts import districts_in
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import format_number, ngettext
from portal.core.i18n import gettext as _
from portal.core.refusals import refused_to
from portal.core.validation import query_date
from portal.core.vocab import KINDS, STATUSES
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.management import services
from portal.events.management.services import TRANSITIONS, EventFilter
from portal.settings import Settings


def parse_filters(query: Any) -> tuple[EventFilter, dict[str, str]]:
    """Event list filters from the query string; bad values are reported, not fatal."""
    errors: dict[str, str] = {}

    def date(name: str) -> dt.date | None:
        return query_date(query, errors, name)

    page_raw = query.get("page", "1").strip() or "1"
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 100_000 else 1
    if page_raw != str(page):
        errors["page"] = _("No such page.")
    district, kind, status = (query.get(k, "").strip() for k in ("district", "kind", "status"))
    if kind and kind not in KINDS:
        errors["kind"], kind = "Unknown kind.", ""
    if status and status not in STATUSES:
        errors["status"], status = "Unknown status.", ""
    return EventFilter(
        q=query.get("q", "").strip()[:100], district=district[:40], kind=kind, status=status,
        date_from=date("date_from"), date_to=date("date_to"), page=page,
    ), errors


def _choices(request: Request, event: dict | None = None) -> dict[str, Any]:
    """The choices of the event forms: the user's own districts only (an organizer's); a trainer keeps the
    kind and district of the training they run."""
    user = current_user(request)
    if user.role == "trainer" and event:
        kind = event["kind"] if event.get("kind") in KINDS else "step_down"
        return {"kinds": {kind: KINDS[kind]}, "statuses": STATUSES,
                "districts": districts_in((event["district"],))}
    return {"kinds": KINDS, "statuses": STATUSES, "districts": districts_in(user.district_scope)}


class EventController(Controller):
    """Create, list, edit events; manage their sessions and status."""

    path = "/manage/events"
    guards = [EVENT_STAFF]

    @get("/", name="events.manage.list", opt={"trainers": True})
    async def list_events(self, request: Request) -> Response:
        """Events with filters and search; the rows alone for htmx."""
        filters, errors = parse_filters(request.query_params)
        rows, total = await services.list_events(current_user(request), filters)
        context = {
            "events": rows, "total": total, "filters": filters, "errors": errors,
            "pages": max(1, math.ceil(total / services.PAGE_SIZE)), **_choices(request),
        }
        return render(request, "events/manage/list.html", context, fragment="events/manage/_rows.html",
                      status_code=400 if errors else 200)

    def _form(self, request: Request, event: dict, errors: dict, status: int = 200) -> Response:
        return render(request, "events/manage/form.html",
                      {"event": event, "errors": errors, **_choices(request, event if event.get("id") else None)},
                      status_code=status)

    @get("/new", name="events.manage.new")
    async def new_event(self, request: Request) -> Response:
        """Empty event form."""
        user = current_user(request)
        district = user.districts[0] if user.role == "organizer" and len(user.districts) == 1 else ""
        return self._form(request, {"kind": "district_workshop", "completion_percent": 100, "district": district}, {})

    @post("/", name="events.manage.create")
    async def create_event(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Create the event with a session per day."""
        form = form_dict(await request.form())
        try:
            event_id = await services.create_event(
                form, current_user(request), settings.tz, client_ip(request)
            )
        except ValidationFailed as exc:
            return self._form(request, {**form, "walk_ins": "walk_ins" in form}, exc.errors, 422)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id),
                        _("Event created. Check its sessions below."))

    @get("/{event_id:int}", name="events.manage.detail")
    async def detail(self, request: Request, event_id: FromPath[int]) -> Response:
        """One event with its sessions and the status actions."""
        user = current_user(request)
        event = await services.get_event(user, event_id)
        sessions = await services.list_sessions(event_id)
        return render(request, "events/manage/detail.html", {
            "event": event, "sessions": sessions, "transitions": TRANSITIONS[event["status"]],
            **_choices(request, event),
        })

    @get("/{event_id:int}/edit", name="events.manage.edit")
    async def edit(self, request: Request, event_id: FromPath[int]) -> Response:
        """Edit form."""
        return self._form(request, await services.get_event(current_user(request), event_id), {})

    @post("/{event_id:int}/edit", name="events.manage.update")
    async def update(self, request: Request, event_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """Save the edited event."""
        form = form_dict(await request.form())
        user = current_user(request)
        try:
            promoted = await services.update_event(event_id, form, user, settings.tz,
                                                   client_ip(request))
        except ValidationFailed as exc:
            event = await services.get_event(user, event_id)
            return self._form(request, {**event, **form, "walk_ins": "walk_ins" in form}, exc.errors, 422)
        message = _("Event saved.")
        if promoted:
            message += " " + ngettext("%(count)s person moved from the waitlist.",
                                      "%(count)s people moved from the waitlist.", promoted) % {
                "count": format_number(promoted)}
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id), message)

    @post("/{event_id:int}/status", name="events.manage.status", opt=refused_to("events.manage.detail"))
    async def status(self, request: Request, event_id: FromPath[int]) -> Response:
        """Publish, complete, cancel or reopen."""
        form = form_dict(await request.form())
        url = request.app.route_reverse("events.manage.detail", event_id=event_id)
        await services.change_status(event_id, str(form.get("status", "")), current_user(request),
                                     client_ip(request))
        return redirect(request, url, _("Status changed to {status}.").format(status=STATUSES[form["status"]].lower()))

    def _session_form(self, request: Request, event: dict, session: dict, errors: dict, status: int = 200,
                      refusal: str = ""):
        context = {"event": event, "session": session, "errors": errors}
        if refusal:
            context["flashes"] = [("error", refusal)]
        return render(request, "events/manage/session_form.html", context, status_code=status)

    @get("/{event_id:int}/sessions/new", name="events.manage.session_new")
    async def session_new(self, request: Request, event_id: FromPath[int]) -> Response:
        """Form for an extra session."""
        event = await services.get_event(current_user(request), event_id)
        return self._session_form(request, event, {"date": event["start_date"].isoformat(),
                                                   "start": "09:00", "end": "13:00"}, {})

    @post("/{event_id:int}/sessions", name="events.manage.session_create")
    async def session_create(self, request: Request, event_id: FromPath[int],
                             settings: NamedDependency[Settings]) -> Response:
        """Add a session."""
        form, user = form_dict(await request.form()), current_user(request)
        try:
            await services.add_session(event_id, form, user, settings.tz, client_ip(request))
        except ValidationFailed as exc:
            return self._session_form(request, await services.get_event(user, event_id), form, exc.errors, 422)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id),
                        _("Session added."))

    @get("/{event_id:int}/sessions/{session_id:int}", name="events.manage.session_edit")
    async def session_edit(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                           settings: NamedDependency[Settings]) -> Response:
        """Edit a session's name and times."""
        user, tz = current_user(request), settings.tz
        event = await services.get_event(user, event_id)
        session = await services.get_session(user, event_id, session_id)
        return self._session_form(request, event, {"id": session_id, **services.session_form_values(session, tz)}, {})

    @post("/{event_id:int}/sessions/{session_id:int}", name="events.manage.session_update")
    async def session_update(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                             settings: NamedDependency[Settings]) -> Response:
        """Save a session."""
        form, user = form_dict(await request.form()), current_user(request)
        try:
            await services.update_session(event_id, session_id, form, user, settings.tz,
                                          client_ip(request))
        except ValidationFailed as exc:
            event = await services.get_event(user, event_id)
            return self._session_form(request, event, {"id": session_id, **form}, exc.errors, 422)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id),
                        _("Session saved."))

    @post("/{event_id:int}/sessions/{session_id:int}/delete", name="events.manage.session_delete")
    async def session_delete(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                             settings: NamedDependency[Settings]) -> Response:
        """Remove a session; a refusal (its check-ins, the last session) is shown on its page with a 409."""
        user = current_user(request)
        try:
            await services.delete_session(event_id, session_id, user, client_ip(request), settings.tz)
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            event = await services.get_event(user, event_id)
            session = await services.get_session(user, event_id, session_id)
            values = {"id": session_id, **services.session_form_values(session, settings.tz)}
            return self._session_form(request, event, values, {}, exc.status_code, refusal=exc.message)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id),
                        _("Session removed."))
