"""Copy an event to a new date: "the tenth district workshop takes a minute" (issue 17).

The copy takes the source's kind, text, district, venue, capacity, completion rule, walk-in and check-in
settings and course, and its sessions pattern: each session moves by the same number of days and keeps its
local times and name. It starts as a draft of the user who copied it, with nobody registered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.auth.services import CurrentUser
from portal.core import audit
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.db import write_transaction
from portal.events.access import EVENT_STAFF
from portal.events.forms import MAX_EVENT_DAYS, parse_event
from portal.events.management import services
from portal.events.tables import Event, Session
from portal.settings import Settings

COPIED = ("kind", "description", "district", "venue", "capacity", "completion_percent", "walk_ins",
          "checkin_opens_before", "checkin_closes_after")


def shifted_sessions(sessions: list[dict[str, Any]], days: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The sessions moved by `days` calendar days, each keeping its local start and end time and name."""
    def move(at: dt.datetime) -> dt.datetime:
        local = at.astimezone(tz)
        return dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time().replace(tzinfo=None),
                                   tzinfo=tz)

    return [{"title": s["title"], "starts_at": move(s["starts_at"]), "ends_at": move(s["ends_at"])}
            for s in sessions]


async def copy_event(source_id: int, form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = "") -> int:
    """A new draft event like `source_id`, starting on the form's `start_date` (and titled `title`); its id."""
    source = await services.get_event(user, source_id)
    errors: dict[str, str] = {}
    raw = str(form.get("start_date", "")).strip()
    try:
        start = dt.date.fromisoformat(raw)
    except ValueError:
        start = None
        errors["start_date"] = _("Enter the new start date (YYYY-MM-DD).")
    title = str(form.get("title", "")).strip() or source["title"]
    if errors:
        raise ValidationFailed(errors)
    assert start is not None
    days = (start - source["start_date"]).days
    values = {**{k: source[k] for k in COPIED}, "title": title, "start_date": start.isoformat(),
              "end_date": (source["end_date"] + dt.timedelta(days=days)).isoformat(),
              "capacity": "" if source["capacity"] is None else str(source["capacity"]),
              "walk_ins": "on" if source["walk_ins"] else ""}
    # The same checks as a new event; a trainer keeps the district of the training they ran.
    allowed = (source["district"],) if user.role == "trainer" else user.district_scope
    parsed = parse_event(values, allowed)
    assert (parsed.end_date - parsed.start_date).days < MAX_EVENT_DAYS
    sessions = shifted_sessions(await services.list_sessions(source_id), days, tz)
    async with write_transaction(Event._meta.db):
        event = Event(**parsed.as_row(), organizer=user.id, status="draft", course=source["course"])
        await event.save()
        if sessions:
            await Session.insert(*[Session(event=event.id, **s) for s in sessions])
        else:
            await Session.insert(*[Session(event=event.id, **s) for s in
                                   services.default_sessions(parsed.start_date, parsed.end_date, tz)])
        await audit.record(user.actor(ip), "event.copy", "event", event.id,
                           after={**parsed.as_row(), "course": source["course"], "copied_from": source_id})
    return event.id


class EventCopyController(Controller):
    """Copy an event to a new date (/manage/events/{id}/copy)."""

    path = "/manage/events/{event_id:int}/copy"
    guards = [EVENT_STAFF]

    async def _form(self, request: Request, event_id: int, values: dict, errors: dict, status: int = 200):
        event = await services.get_event(current_user(request), event_id)
        sessions = await services.list_sessions(event_id)
        return render(request, "events/manage/copy.html", {"event": event, "sessions": sessions,
                                                           "values": values, "errors": errors}, status_code=status)

    @get("/", name="events.manage.copy_form")
    async def copy_form(self, request: Request, event_id: FromPath[int]) -> Response:
        """The new date and title of the copy, with what is copied."""
        event = await services.get_event(current_user(request), event_id)
        return await self._form(request, event_id, {"title": event["title"]}, {})

    @post("/", name="events.manage.copy")
    async def copy(self, request: Request, event_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """Make the copy and open it."""
        form = form_dict(await request.form())
        try:
            new_id = await copy_event(event_id, form, current_user(request), settings.tz,
                                      client_ip(request))
        except ValidationFailed as exc:
            return await self._form(request, event_id, form, exc.errors, 422)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=new_id),
                        _("Copied as a draft. Check the dates and sessions, then publish it."))
