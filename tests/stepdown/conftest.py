"""A master trainer of the pool with a trainer account: the world of the step-down tests."""

from __future__ import annotations

import pytest

from portal.events.tables import Event
from portal.trainings.tables import Course, Module
from tests import factories


async def make_master_trainer(create_user, district: str = "khulna", name: str = ""):
    """A ToT of a course with two modules, a person certified by it who is in the pool in `district`, and
    their trainer account (same email): (user, course id, pool member id, participant id)."""
    user = await create_user("trainer", name=name)
    course = Course(title="Safe migration basics")
    await course.save()
    await Module.insert(Module(course=course.id, position=1, title="Rights of migrants"),
                        Module(course=course.id, position=2, title="Remittances"))
    tot = await factories.make_event(kind="tot", course=course.id, district="dhaka", status="completed")
    person = await factories.make_person(name=user.name, email=user.email, district=district)
    member = await factories.make_pool_member(person, district=district, source_event=tot)
    return user, course.id, member, person


@pytest.fixture
async def master_trainer(create_user):
    """(user, course id, pool member id, participant id) of a Khulna master trainer."""
    return await make_master_trainer(create_user)


async def organizer_of(event_id: int) -> int | None:
    """The account that runs an event."""
    return (await Event.select(Event.organizer).where(Event.id == event_id).first())["organizer"]
