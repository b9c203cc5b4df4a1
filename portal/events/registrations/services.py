"""Registrations: who takes part in an event, in which role, with a secret ticket token.

Capacity counts the registrations that hold a seat (invited or registered). When the event is
full a new person goes on the waitlist; cancelling a seat promotes the first person waiting, and
raising the capacity (or removing it) promotes as many as the new seats allow, in the same order.
A capacity below the seats already taken is refused: nobody loses a seat they were given.

Every change that takes or frees a seat counts the seats and writes inside one transaction that
first locks the event (`lock_event`), so two of them for the same event run one after the other:
without it, two people registering at once could both take the last seat on PostgreSQL.
"""

from __future__ import annotations

import secrets
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_, format_number, ngettext
from portal.core.i18n import gettext as _
from portal.core.paging import PAGE_SIZE, window
from portal.core.vocab import Labels
from portal.db import is_sqlite, is_unique_violation, write_transaction
from portal.events import notify
from portal.events.registrations.filters import RegistrationFilter
from portal.events.tables import Event, Participant, Registration
from portal.messages import outbox

ROLES = Labels({"participant": N_("Participant"), "facilitator": N_("Facilitator"), "trainer": N_("Trainer"),
                "guest": N_("Guest")})
REG_STATUSES = {"invited": N_("Invited"), "registered": N_("Registered"), "waitlisted": N_("Waitlisted"),
                "cancelled": N_("Cancelled")}
SEATED = ("invited", "registered")
CLOSED = ("completed", "cancelled")  # event statuses that give out no seats


class RegistrationError(DomainError):
    """A registration was refused; `code` says why."""


class CapacityBelowSeats(ValidationFailed):
    """A capacity lower than the seats already taken: refused next to the capacity field."""

    def __init__(self, taken: int) -> None:
        message = ngettext(
            "%(count)s person is already registered or invited; cancel a registration first or set at least "
            "%(count)s.",
            "%(count)s people are already registered or invited; cancel some registrations first or set at least "
            "%(count)s.", taken) % {"count": format_number(taken)}
        super().__init__({"capacity": message})
        self.code = "capacity_below_seats"
        self.taken = taken


TOKEN_MAX = 32  # the ticket_token column's length; new_token() makes 22 characters


def new_token() -> str:
    """A ticket token: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def clean_token(token: str | None) -> str | None:
    """The one length rule for a ticket token from a URL, cookie or scan: stripped, 1 to TOKEN_MAX
    characters, else None (no query is made; nothing is cut, so no prefix of a long string matches)."""
    token = (token or "").strip()
    return token if 0 < len(token) <= TOKEN_MAX else None


async def lock_event(event_id: int) -> dict[str, Any] | None:
    """The event's id, capacity and status, read inside the caller's write transaction with its row
    locked until the transaction ends: seat changes of one event queue behind each other.

    PostgreSQL: SELECT ... FOR NO KEY UPDATE (the strength an UPDATE of the row takes, so it still
    lets other tables insert rows that refer to the event). SQLite has no row locks and needs none:
    `write_transaction` begins IMMEDIATE, which already admits one writer at a time."""
    query = Event.select(Event.id, Event.capacity, Event.status).where(Event.id == event_id)
    if not is_sqlite(Event._meta.db):
        query = query.lock_rows("NO KEY UPDATE")
    return await query.first()


def _full(event: dict[str, Any], taken: int) -> bool:
    return event["capacity"] is not None and taken >= event["capacity"]


async def seats_taken(event_id: int) -> int:
    """How many registrations of the event hold a seat (invited or registered)."""
    return await Registration.count().where(
        (Registration.event == event_id) & Registration.status.is_in(list(SEATED)))


async def register(event_id: int, participant_id: int, actor: audit.Actor, *, role: str = "participant",
                   status: str = "registered", language: str = "", consent: str = notify.STAFF_CONSENT
                   ) -> dict[str, Any]:
    """Register (or invite, `status="invited"`) a person; waitlisted when the event is full. Their ticket or
    invitation is queued in the same transaction (`language`, `consent`: portal/events/notify.py)."""
    if role not in ROLES:
        raise RegistrationError("bad_role", _("Choose a role from the list."), "role")
    if status not in SEATED:
        raise RegistrationError("bad_status", _("A new registration is invited or registered."))
    if not await Participant.exists().where(Participant.id == participant_id):
        raise NotFound(_("No such participant."))
    try:
        async with write_transaction(Registration._meta.db):
            event = await lock_event(event_id)
            if event is None:
                raise NotFound(_("No such event."))
            if event["status"] == "cancelled":
                raise RegistrationError("event_cancelled", _("This event is cancelled."))
            if await Registration.exists().where(
                    (Registration.event == event_id) & (Registration.participant == participant_id)):
                raise RegistrationError("already_registered", _("This person is already registered for the event."))
            if _full(event, await seats_taken(event_id)):
                status = "waitlisted"
            row = Registration(event=event_id, participant=participant_id, role=role, status=status,
                               ticket_token=new_token())
            await row.save()
            await audit.record(actor, "registration.create", "registration", row.id,
                               after={"event": event_id, "participant": participant_id, "role": role,
                                      "status": status})
            await notify.registered(row.id, status, language=language, consent=consent)
    except DomainError:
        raise
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        raise RegistrationError("already_registered", _("This person is already registered for the event.")) from None
    await outbox.kick()
    return {"id": row.id, "status": status, "ticket_token": row.ticket_token}


async def get_registration(registration_id: int, event_id: int | None = None) -> dict[str, Any]:
    """One registration with the person's name; NotFound if missing or of another event."""
    query = Registration.select(
        *Registration.all_columns(), Registration.participant.name.as_alias("name"),
        Registration.participant.organisation.as_alias("organisation"),
    ).where(Registration.id == registration_id)
    if event_id is not None:
        query = query.where(Registration.event == event_id)
    row = await query.first()
    if row is None:
        raise NotFound(_("No such registration."))
    return row


async def set_role(registration_id: int, event_id: int, role: str, actor: audit.Actor) -> None:
    """Change what the person does at the event."""
    if role not in ROLES:
        raise RegistrationError("bad_role", _("Choose a role from the list."), "role")
    before = await get_registration(registration_id, event_id)
    async with write_transaction(Registration._meta.db):
        await Registration.update({Registration.role: role, Registration.updated_at: clock.now()}).where(
            Registration.id == registration_id)
        await audit.record(actor, "registration.role", "registration", registration_id,
                           before={"role": before["role"]}, after={"role": role})


async def fill_free_seats(event: dict[str, Any], actor: audit.Actor, *, most: int | None = None,
                          note: str = "") -> list[int]:
    """Give the free seats (at most `most`) to the people waiting longest, in the order they joined; returns
    their registration ids. Inside the caller's write transaction, after `lock_event`: `event` carries the
    capacity that now applies. A completed or cancelled event seats nobody: its waitlist stays as it was."""
    if event.get("status") in CLOSED:
        return []
    free = None if event["capacity"] is None else event["capacity"] - await seats_taken(event["id"])
    if most is not None:
        free = most if free is None else min(free, most)
    if free is not None and free <= 0:
        return []
    query = Registration.select(Registration.id).where(
        (Registration.event == event["id"]) & (Registration.status == "waitlisted")
    ).order_by(Registration.created_at).order_by(Registration.id)
    if free is not None:
        query = query.limit(free)
    ids = [row["id"] for row in await query]
    if not ids:
        return []
    await Registration.update({Registration.status: "registered", Registration.updated_at: clock.now()}).where(
        Registration.id.is_in(ids))
    for registration_id in ids:
        await audit.record(actor, "registration.promote", "registration", registration_id,
                           before={"status": "waitlisted"}, after={"status": "registered"}, note=note)
    await notify.promoted(ids)
    return ids


async def _promote_next(event: dict[str, Any], actor: audit.Actor) -> int | None:
    """Give a free seat to the longest-waiting person (inside the caller's transaction, event locked)."""
    promoted = await fill_free_seats(event, actor, most=1)
    return promoted[0] if promoted else None


async def check_capacity(event: dict[str, Any], capacity: int | None) -> None:
    """Refuse a new capacity below the seats already taken (inside the caller's transaction, after
    `lock_event`). A capacity left as it was passes, so an event overbooked before this rule can still be
    edited."""
    if capacity is None or capacity == event["capacity"]:
        return
    taken = await seats_taken(event["id"])
    if capacity < taken:
        raise CapacityBelowSeats(taken)


async def _status_now(registration_id: int) -> str:
    # Read again under the event's lock: the status read before it may have changed meanwhile.
    return (await Registration.select(Registration.status).where(Registration.id == registration_id).first())["status"]


async def cancel(registration_id: int, event_id: int, actor: audit.Actor) -> int | None:
    """Cancel a registration; returns the id of the person promoted from the waitlist, if any."""
    await get_registration(registration_id, event_id)
    async with write_transaction(Registration._meta.db):
        event = await lock_event(event_id)
        status = await _status_now(registration_id)
        if status == "cancelled":
            raise RegistrationError("already_cancelled", _("This registration is already cancelled."))
        await Registration.update({Registration.status: "cancelled", Registration.updated_at: clock.now()}).where(
            Registration.id == registration_id)
        await audit.record(actor, "registration.cancel", "registration", registration_id,
                           before={"status": status}, after={"status": "cancelled"})
        promoted = await _promote_next(event, actor) if status in SEATED else None
    if promoted is not None:
        await outbox.kick()
    return promoted


async def promote(registration_id: int, event_id: int, actor: audit.Actor) -> None:
    """Move one waitlisted person to registered, if a seat is free."""
    await get_registration(registration_id, event_id)
    async with write_transaction(Registration._meta.db):
        event = await lock_event(event_id)
        if await _status_now(registration_id) != "waitlisted":
            raise RegistrationError("not_waitlisted", _("Only a waitlisted person can be promoted."))
        if _full(event, await seats_taken(event_id)):
            raise RegistrationError("full", _("The event is full: raise its capacity or cancel a seat first."))
        await Registration.update({Registration.status: "registered", Registration.updated_at: clock.now()}).where(
            Registration.id == registration_id)
        await audit.record(actor, "registration.promote", "registration", registration_id,
                           before={"status": "waitlisted"}, after={"status": "registered"})
        await notify.promoted([registration_id])
    await outbox.kick()


def _listed(event_id: int, where: RegistrationFilter) -> Any:
    return where.apply(Registration.select(
        *Registration.all_columns(), Registration.participant.name.as_alias("name"),
        Registration.participant.name_bn.as_alias("name_bn"),
        Registration.participant.organisation.as_alias("organisation"),
        Registration.participant.phone.as_alias("phone"),
        Registration.participant.district.as_alias("district"),
    ).where(Registration.event == event_id)).order_by(Registration.participant.name).order_by(Registration.id)


async def list_registrations(event_id: int, q: str = "", limit: int = 500,
                             where: RegistrationFilter | None = None) -> list[dict[str, Any]]:
    """Registrations of an event with the person's details, by name: those matching the search text `q`, or
    the whole filter `where` (portal/events/registrations/filters.py)."""
    return await _listed(event_id, where or RegistrationFilter(q=q)).limit(limit)


async def registrations_page(event_id: int, where: RegistrationFilter | None = None, page: int = 1,
                             size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of `list_registrations` and the pager's figures over every match (paging.window), counted and
    cut in SQL: the page of an event of 1,000 reads 100 rows."""
    where = where or RegistrationFilter()
    shown = window(await where.apply(Registration.count().where(Registration.event == event_id)), page, size)
    rows = await _listed(event_id, where).limit(size).offset(shown["offset"])
    return {"rows": rows, "page": shown["page"], "pages": shown["pages"], "total": shown["total"]}


async def counts(event_id: int) -> dict[str, int]:
    """How many registrations are in each status."""
    rows = await Registration.raw(
        "SELECT status, count(*) AS n FROM registration WHERE event = {} GROUP BY status", event_id)
    result = dict.fromkeys(REG_STATUSES, 0)
    for row in rows:
        result[row["status"]] = result.get(row["status"], 0) + int(row["n"])
    return result


async def by_token(token: str | None) -> dict[str, Any]:
    """The one ticket lookup: the registration a ticket token belongs to (any status), with the person's
    name and organisation and the event's title and course; NotFound otherwise."""
    token = clean_token(token)
    row = None if token is None else await Registration.select(
        *Registration.all_columns(), Registration.participant.name.as_alias("name"),
        Registration.participant.name_bn.as_alias("name_bn"),
        Registration.participant.organisation.as_alias("organisation"),
        Registration.event.title.as_alias("event_title"), Registration.event.course.as_alias("course"),
    ).where(Registration.ticket_token == token).first()
    if row is None:
        raise NotFound(_("This ticket does not exist."))
    return row
