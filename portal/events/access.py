"""The event staff guard: who may use the organizers' tools of an event.

- coordinators and admins: every event;
- organizers: the events of their districts (the services check the district and answer 404);
- a trainer: the events they run (a step-down training they created: its organizer is their account).
  On a route of one event (`/manage/events/{event_id}/...`) another event is a 404, as for an organizer
  of another district; on a route without an event, only where the handler says `opt={"trainers": True}`
  (the event list, which the services narrow to the trainer's own events). Anything else is a 403.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from portal.auth.guards import current_user, staff
from portal.auth.services import CurrentUser
from portal.events.participants import phones
from portal.events.tables import Event, Participant


async def participant_ids(user: CurrentUser) -> list[int]:
    """The directory entries that are this staff user: a staff account is the same person as a
    participant with the same email or phone, primary or another of theirs (how trainers reach their
    courses, tests and sessions)."""
    condition = None
    if user.email:
        condition = Participant.email == user.email.lower()
    if user.phone:
        by_phone = phones.has_number(Participant, user.phone)
        condition = by_phone if condition is None else condition | by_phone
    if condition is None:
        return []
    return [row["id"] for row in await Participant.select(Participant.id).where(condition)]


async def runs_event(user: CurrentUser, event_id: int) -> bool:
    """True when `user` is the organizer of the event (the trainer who runs it)."""
    return await Event.exists().where((Event.id == event_id) & (Event.organizer == user.id))


async def event_staff(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Coordinators and organizers; a trainer on the events they run (the rule of the module docstring)."""
    await staff(connection, handler)
    user = current_user(connection)
    assert user is not None
    if user.has_role("coordinator", "organizer"):
        return
    if user.role == "trainer":
        event_id = connection.path_params.get("event_id")
        if event_id is None:
            if handler.opt.get("trainers"):
                return
        elif await runs_event(user, int(event_id)):
            return
        else:
            raise NotFoundException("No such event.")
    raise PermissionDeniedException("Your role does not give access to this page.")


EVENT_STAFF = event_staff
