"""Which courses may a staff user see trainer materials for? Answered here, where events and the
master-trainer pool are known, and handed to the trainings feature as plain course ids.

A staff user is the same person as a Participant with the same email or phone (events.access). Their courses are
those of the ToTs that put them in the pool (while active), and those of events where they are
registered as trainer or facilitator (not cancelled).
"""

from __future__ import annotations

from litestar import Request

from portal.auth.guards import current_user
from portal.auth.services import CurrentUser
from portal.certificates.tables import PoolMember
from portal.events.access import participant_ids
from portal.events.tables import Registration
from portal.trainings.materials import Viewer

TEACHING_ROLES = ("trainer", "facilitator")


async def trainer_course_ids(user: CurrentUser) -> set[int]:
    """Courses this user teaches: through the pool (the ToT's course) or an event they staff."""
    people = await participant_ids(user)
    if not people:
        return set()
    pool = await PoolMember.select(PoolMember.source_event.course.as_alias("course")).where(
        PoolMember.participant.is_in(people) & (PoolMember.status == "active")
    )
    staffed = await Registration.select(Registration.event.course.as_alias("course")).where(
        Registration.participant.is_in(people) & Registration.role.is_in(list(TEACHING_ROLES))
        & (Registration.status != "cancelled")
    )
    return {row["course"] for row in [*pool, *staffed] if row["course"] is not None}


async def provide_viewer(request: Request) -> Viewer:
    """Litestar dependency `viewer`: the materials viewer for the signed-in user (or anonymous)."""
    user = current_user(request)
    if user is None:
        return Viewer()
    if user.has_role("coordinator"):
        return Viewer(user_id=user.id, sees_all=True)
    return Viewer(user_id=user.id, trainer_courses=frozenset(await trainer_course_ids(user)))
