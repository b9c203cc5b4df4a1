"""Who may see and run an event's tests, and who may edit a course's question bank.

- coordinators and admins: every event and every course;
- organizers: the events of their districts (all events when they have no district), as on the
  event pages; they change the pass mark (it is part of the certificate rule);
- trainers: the events where they are registered as trainer or facilitator (not cancelled): they
  open and close tests, release scores, enter paper answers and read results, but do not change
  the certificate rule.
- question banks: coordinators, admins and the course's trainers (the `viewer` the app builds: the
  master-trainer pool and the events they teach), as for the course's trainer materials.

A staff user is the same person as a directory entry with the same email or phone.
"""

from __future__ import annotations

from typing import Any

from portal.auth.services import CurrentUser
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import gettext as _
from portal.events.access import participant_ids
from portal.events.tables import Event, Registration
from portal.trainings.materials import Viewer

TEACHING_ROLES = ("trainer", "facilitator")


class Forbidden(DomainError):
    """The user may see the record but not make this change."""

    status_code = 403


async def taught_event_ids(user: CurrentUser) -> set[int]:
    """Events this user staffs as trainer or facilitator."""
    people = await participant_ids(user)
    if not people:
        return set()
    rows = await Registration.select(Registration.event).where(
        Registration.participant.is_in(people) & Registration.role.is_in(list(TEACHING_ROLES))
        & (Registration.status != "cancelled"))
    return {row["event"] for row in rows}


async def may_see_event(user: CurrentUser, event: dict[str, Any]) -> bool:
    """The rule of the module docstring for one event row."""
    if user.has_role("coordinator"):
        return True
    if user.role == "organizer":
        return user.sees_district(event["district"])
    return event["id"] in await taught_event_ids(user)


async def load_event(user: CurrentUser, event_id: int) -> dict[str, Any]:
    """The event, if this user may see its tests (NotFound otherwise, like a missing one)."""
    event = await Event.select(
        Event.id, Event.title, Event.kind, Event.district, Event.start_date, Event.end_date, Event.status,
        Event.course, Event.completion_percent, Event.course.title.as_alias("course_title"),
    ).where(Event.id == event_id).first()
    if event is None or not await may_see_event(user, event):
        raise NotFound(_("No such event."))
    return event


def require_certificate_rule(user: CurrentUser) -> None:
    """Only event staff (organizers, coordinators, admins) change what a certificate needs."""
    if not user.has_role("coordinator", "organizer"):
        raise Forbidden("certificate_rule", _("Only organizers and coordinators change the certificate rule."))


def may_edit_bank(viewer: Viewer, course_id: int) -> bool:
    """Coordinators, admins and the course's trainers build its question bank and tests."""
    return viewer.sees_all or course_id in viewer.trainer_courses


def require_bank(viewer: Viewer, course_id: int) -> None:
    """NotFound unless this viewer may edit the course's bank."""
    if not may_edit_bank(viewer, course_id):
        raise NotFound(_("No such course."))


async def visible_events(user: CurrentUser, limit: int = 40) -> list[dict[str, Any]]:
    """Recent events this user may see tests of (not cancelled), newest first."""
    query = Event.select(Event.id, Event.title, Event.kind, Event.district, Event.start_date, Event.end_date,
                         Event.status, Event.course, Event.course.title.as_alias("course_title")).where(
        Event.status != "cancelled")
    if not user.has_role("coordinator"):
        if user.role == "organizer":
            if user.districts:
                query = query.where(Event.district.is_in(list(user.districts)))
        else:
            ids = await taught_event_ids(user)
            if not ids:
                return []
            query = query.where(Event.id.is_in(list(ids)))
    return await query.order_by(Event.start_date, ascending=False).order_by(Event.id, ascending=False).limit(limit)
