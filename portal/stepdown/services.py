"""A trainer's step-down trainings: where and what they may teach, and creating one from a course."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from portal.auth.services import CurrentUser
from portal.certificates.tables import PoolMember, PoolTrainerLink
from portal.certificates.trainer_access import trainer_course_ids
from portal.core.districts import find_district
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.events.access import participant_ids
from portal.events.forms import parse_event
from portal.events.management import services as events
from portal.trainings import services as trainings

KIND = "step_down"


async def pool_members(user: CurrentUser) -> list[dict[str, Any]]:
    """The active pool entries that are this user: the member they were invited as, and any directory
    entry with their email or phone."""
    linked = [row["member"] for row in await PoolTrainerLink.select(PoolTrainerLink.member).where(
        PoolTrainerLink.user == user.id)]
    people = await participant_ids(user)
    condition = None
    if linked:
        condition = PoolMember.id.is_in(linked)
    if people:
        by_person = PoolMember.participant.is_in(people)
        condition = by_person if condition is None else condition | by_person
    if condition is None:
        return []
    return await PoolMember.select(PoolMember.id, PoolMember.district, PoolMember.participant).where(
        condition & (PoolMember.status == "active"))


async def work_districts(user: CurrentUser) -> tuple[str, ...]:
    """Districts a trainer may run step-down trainings in: those of their pool entries."""
    return tuple(sorted({row["district"] for row in await pool_members(user) if row["district"]}))


async def teachable_courses(user: CurrentUser) -> list[dict[str, Any]]:
    """Courses a trainer in the pool may run a step-down training of, each with its modules."""
    if not await pool_members(user):
        return []
    courses = await trainings.list_courses(await trainer_course_ids(user))
    for course in courses:
        course["modules"] = await trainings.list_modules(course["id"])
    return courses


async def create_step_down(form: dict[str, Any], user: CurrentUser, tz: ZoneInfo, ip: str = "") -> int:
    """Create a step-down training (a draft, a session a day) of one of the trainer's courses, in one of
    their districts, run by them; every field is checked before anything is saved."""
    courses = {course["id"] for course in await teachable_courses(user)}
    districts = await work_districts(user)
    raw = str(form.get("course", "")).strip()
    course = int(raw) if raw.isdigit() and int(raw) < 2**31 else None
    event_form = {**form, "kind": KIND}
    errors: dict[str, str] = {}
    if course is None or course not in courses:
        errors["course"] = _("Choose one of the courses you teach.")
    try:
        parse_event(event_form, districts)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if "district" in errors and find_district(str(form.get("district", ""))) is not None:
        errors["district"] = _("You can run step-down trainings only in your own districts.")
    if errors:
        raise ValidationFailed(errors)
    return await events.create_event(event_form, user, tz, ip, districts=districts, course=course)
