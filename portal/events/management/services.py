"""Events and their sessions: scheduling rules, without HTTP."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from portal.auth.services import CurrentUser
from portal.core import audit, clock
from portal.core.districts import find_district
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import format_number, ngettext
from portal.core.i18n import gettext as _
from portal.core.vocab import STATUSES
from portal.db import icontains, is_foreign_key_violation, write_transaction
from portal.events import notify
from portal.events.forms import EventInput, SessionInput, parse_event, parse_session
from portal.events.registrations import services as registrations
from portal.events.tables import CheckIn, Event, Session
from portal.messages import outbox

DAY_START = dt.time(9, 0)
DAY_END = dt.time(17, 0)
PAGE_SIZE = 20
PICK_LIMIT = 15
# Which status may follow which; anything else is refused with code `bad_transition`.
TRANSITIONS = {
    "draft": ("published", "cancelled"),
    "published": ("completed", "cancelled", "draft"),
    "completed": ("published",),
    "cancelled": ("draft",),
}


@dataclass(frozen=True)
class EventFilter:
    """What the event list is narrowed to."""

    q: str = ""
    district: str = ""
    kind: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


def _scope(query: Any, user: CurrentUser) -> Any:
    if user.role == "trainer":  # a trainer: the events they run (portal/events/access.py)
        return query.where(Event.organizer == user.id)
    if user.district_scope is not None:  # an organizer: their districts, none without one
        return query.where(Event.district.is_in(list(user.district_scope) or [""]))
    return query


def _filtered(query: Any, filters: EventFilter, user: CurrentUser) -> Any:
    query = _scope(query, user)
    if filters.q:
        q = filters.q.strip()
        query = query.where(icontains(Event.title, q) | icontains(Event.venue, q))
    if filters.district:
        query = query.where(Event.district == filters.district)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.status:
        query = query.where(Event.status == filters.status)
    if filters.date_from:
        query = query.where(Event.end_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Event.start_date <= filters.date_to)
    return query


async def list_events(user: CurrentUser, filters: EventFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of events the user may see, newest first, and the total count."""
    total = await _filtered(Event.count(), filters, user)
    rows = await (
        _filtered(Event.select(*Event.all_columns(), Event.organizer.name.as_alias("organizer_name")), filters, user)
        .order_by(Event.start_date, ascending=False)
        .order_by(Event.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    )
    return rows, total


async def find_events(user: CurrentUser, text: str = "", limit: int = PICK_LIMIT) -> list[dict[str, Any]]:
    """The short list of an event picker: events the user may see whose title or venue contains `text`,
    whose number it is, or in the district it names; newest first, at most `limit`."""
    query = _scope(Event.select(Event.id, Event.title, Event.start_date, Event.district), user)
    text = text.strip()[:100]
    if text:
        condition = icontains(Event.title, text) | icontains(Event.venue, text)
        number = text.removeprefix("#")
        if number.isdigit() and int(number) < 2**31:
            condition = condition | (Event.id == int(number))
        district = find_district(text)
        if district is not None:
            condition = condition | (Event.district == district.code)
        query = query.where(condition)
    return await query.order_by(Event.start_date, ascending=False).order_by(Event.id, ascending=False).limit(limit)


async def get_event(user: CurrentUser, event_id: int) -> dict[str, Any]:
    """One event the user may see; NotFound for a missing one and for one outside their districts."""
    row = await Event.select(*Event.all_columns(), Event.organizer.name.as_alias("organizer_name"),
                             Event.course.title.as_alias("course_title")).where(Event.id == event_id).first()
    if row is None or not user.sees_district(row["district"]):
        raise NotFound(_("No such event."))
    return row


async def list_sessions(event_id: int) -> list[dict[str, Any]]:
    """Sessions of an event in time order."""
    return await Session.select().where(Session.event == event_id).order_by(Session.starts_at).order_by(Session.id)


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def default_sessions(start: dt.date, end: dt.date, tz: ZoneInfo) -> list[dict[str, Any]]:
    """One session a day, 09:00 to 17:00 local time, named Day 1, Day 2, ..."""
    days = (end - start).days + 1
    return [
        {"title": f"Day {n + 1}", "starts_at": _at(start + dt.timedelta(days=n), DAY_START, tz),
         "ends_at": _at(start + dt.timedelta(days=n), DAY_END, tz)}
        for n in range(days)
    ]


def _allowed_districts(user: CurrentUser, event: dict[str, Any] | None = None) -> tuple[str, ...] | None:
    if user.role == "trainer":  # a trainer's districts come from the pool (portal/stepdown); an edit keeps it
        return (event["district"],) if event else ()
    return user.district_scope


def _trainer_form(user: CurrentUser, form: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """A trainer edits their own event, but it stays a step-down training."""
    return {**form, "kind": event["kind"]} if user.role == "trainer" else form


async def create_event(form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = "", *,
                       districts: tuple[str, ...] | None = None, course: int | None = None) -> int:
    """Create an event (status draft) with one session per day; returns its id. `districts` narrows where
    (a trainer's, decided by the pool); `course` is the course it teaches, saved in the same transaction."""
    allowed = districts if districts is not None else _allowed_districts(user)
    values = parse_event(form, allowed)
    async with write_transaction(Event._meta.db):
        event = Event(**values.as_row(), organizer=user.id, status="draft", course=course)
        await event.save()
        sessions = [Session(event=event.id, **s) for s in default_sessions(values.start_date, values.end_date, tz)]
        await Session.insert(*sessions)
        await audit.record(user.actor(ip), "event.create", "event", event.id, after={**values.as_row(),
                                                                                      "course": course})
    return event.id


async def update_event(event_id: int, form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = "") -> int:
    """Save an edited event; days added to the range get a default session. A raised (or removed) capacity
    gives the new seats to the waitlist in order; returns how many people that moved. A capacity below the
    seats already taken is refused (`capacity_below_seats`)."""
    current = await get_event(user, event_id)  # the district check; the audit's "before" is read under the lock
    values: EventInput = parse_event(_trainer_form(user, form, current), _allowed_districts(user, current))
    sessions = await list_sessions(event_id)
    outside = [s for s in sessions if not values.start_date <= s["starts_at"].astimezone(tz).date() <= values.end_date]
    if outside:
        names = ", ".join(s["title"] for s in outside)
        raise ValidationFailed({"end_date": f"Sessions outside these dates: {names}. Move or delete them first."})
    covered = {s["starts_at"].astimezone(tz).date() for s in sessions}
    new = [s for s in default_sessions(values.start_date, values.end_date, tz) if s["starts_at"].date() not in covered]
    actor = user.actor(ip)
    async with write_transaction(Event._meta.db):
        # The same lock as registering and cancelling: seats are counted and given out one change at a time.
        locked = await registrations.lock_event(event_id)
        if locked is None:
            raise NotFound(_("No such event."))
        await registrations.check_capacity(locked, values.capacity)
        # Read under the lock: an edit that committed since the first read is what this one replaces.
        before = await Event.select(*Event.all_columns()).where(Event.id == event_id).first()
        await Event.update({**values.as_row(), Event.updated_at: clock.now()}).where(Event.id == event_id)
        if new:
            await Session.insert(*[Session(event=event_id, **s) for s in new])
        old, changed = audit.diff(before, values.as_row())
        await audit.record(actor, "event.update", "event", event_id, before=old, after=changed)
        promoted = await registrations.fill_free_seats({**locked, "capacity": values.capacity}, actor,
                                                       note="capacity raised")
        moved = "venue" in changed and (before["venue"] or "").strip() != (values.venue or "").strip()
        told = await notify.changed("event_moved", event_id) if moved else []
    if told:
        await outbox.kick()
    return len(promoted)


async def change_status(event_id: int, status: str, user: CurrentUser, ip: str = "") -> None:
    """Move an event to another status; only the transitions in TRANSITIONS are allowed."""
    event = await get_event(user, event_id)
    if status not in STATUSES:
        raise DomainError("bad_status", _("Unknown status."))
    if status not in TRANSITIONS[event["status"]]:
        raise DomainError(
            "bad_transition",
            f"A {STATUSES[event['status']].lower()} event cannot become {STATUSES[status].lower()}.",
        )
    async with write_transaction(Event._meta.db):
        # Told before the status changes: only a published event sends (its people hold tickets).
        told = await notify.changed("event_cancelled", event_id) if status == "cancelled" else []
        await Event.update({Event.status: status, Event.updated_at: clock.now()}).where(Event.id == event_id)
        await audit.record(user.actor(ip), "event.status", "event", event_id,
                           before={"status": event["status"]}, after={"status": status})
    if told:
        await outbox.kick()


def _session_row(values: SessionInput, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "title": values.title,
        "starts_at": _at(values.date, values.start, tz),
        "ends_at": _at(values.date, values.end, tz),
    }


async def add_session(event_id: int, form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = "") -> int:
    """Add a sitting (a half day, an extra evening) to an event."""
    event = await get_event(user, event_id)
    row = _session_row(parse_session(form, event["start_date"], event["end_date"]), tz)
    async with write_transaction(Event._meta.db):
        session = Session(event=event_id, **row)
        await session.save()
        await audit.record(user.actor(ip), "session.create", "session", session.id, after=row)
    return session.id


async def get_session(user: CurrentUser, event_id: int, session_id: int) -> dict[str, Any]:
    """One session of an event the user may see."""
    await get_event(user, event_id)
    row = await Session.select().where((Session.id == session_id) & (Session.event == event_id)).first()
    if row is None:
        raise NotFound(_("No such session."))
    return row


async def update_session(
    event_id: int, session_id: int, form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = ""
) -> None:
    """Change a session's name or times."""
    event = await get_event(user, event_id)
    before = await get_session(user, event_id, session_id)
    row = _session_row(parse_session(form, event["start_date"], event["end_date"]), tz)
    moved = (row["starts_at"], row["ends_at"]) != (before["starts_at"], before["ends_at"])
    async with write_transaction(Event._meta.db):
        await Session.update(row).where(Session.id == session_id)
        old, new = audit.diff(before, row)
        await audit.record(user.actor(ip), "session.update", "session", session_id, before=old, after=new)
        told = await notify.changed("session_moved", event_id, session=row, when=row["starts_at"], tz=tz) \
            if moved else []
    if told:
        await outbox.kick()


def _has_checkins(count: int) -> DomainError:
    message = ngettext("This session has %(count)s check-in; it cannot be deleted.",
                       "This session has %(count)s check-ins; it cannot be deleted.", count)
    return DomainError("session_has_checkins", message % {"count": format_number(count)})


async def delete_session(event_id: int, session_id: int, user: CurrentUser, ip: str = "",
                         tz: ZoneInfo | None = None) -> None:
    """Remove (cancel) a session; an event keeps at least one, and attendance is never deleted with it.
    Everyone registered is told, in the same transaction."""
    before = await get_session(user, event_id, session_id)
    try:
        async with write_transaction(Event._meta.db):
            # Counted inside the transaction, so a scan that lands meanwhile is seen (SQLite) or
            # makes the delete fail on the foreign key (PostgreSQL), answered below the same way.
            if await Session.count().where(Session.event == event_id) <= 1:
                raise DomainError("last_session", _("An event needs at least one session."))
            checkins = await CheckIn.count().where(CheckIn.session == session_id)
            if checkins:
                raise _has_checkins(checkins)
            await Session.delete().where(Session.id == session_id)
            await audit.record(user.actor(ip), "session.delete", "session", session_id, before=before)
            told = await notify.changed("session_cancelled", event_id, session=before, when=before["starts_at"],
                                        tz=tz)
    except DomainError:
        raise
    except Exception as exc:
        if not is_foreign_key_violation(exc):
            raise
        raise _has_checkins(await CheckIn.count().where(CheckIn.session == session_id)) from None
    if told:
        await outbox.kick()


def session_form_values(session: dict[str, Any], tz: ZoneInfo) -> dict[str, str]:
    """A stored session as the strings its edit form shows."""
    start, end = session["starts_at"].astimezone(tz), session["ends_at"].astimezone(tz)
    return {"title": session["title"], "date": start.date().isoformat(), "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}"}




async def get_event_public(event_id: int) -> dict[str, Any]:
    """An event as its participants see it (reached through their own ticket, no district check)."""
    row = await Event.select(
        Event.id, Event.kind, Event.title, Event.description, Event.district, Event.venue, Event.start_date,
        Event.end_date, Event.status, Event.walk_ins,
    ).where(Event.id == event_id).first()
    if row is None:
        raise NotFound(_("No such event."))
    return row
