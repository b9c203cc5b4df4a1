"""Fixtures for the trainings tests: a course taught by events, its materials, and the people around it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from portal.certificates.tables import PoolMember
from portal.trainings import services
from tests.factories import make_event, make_person, make_registration, ticket_token
from tests.trainings.uploads import latest_version, upload


async def _event(title: str, course_id: int | None, **values: Any) -> int:
    return await make_event(title=title, course=course_id, start_date=dt.date(2026, 12, 1),
                            end_date=dt.date(2026, 12, 2), **values)


async def register(event_id: int, person_id: int, **values: Any) -> str:
    """A registration; its ticket token."""
    return await ticket_token(await make_registration(event_id, person_id, **values))


@pytest.fixture
async def course_world(create_user, settings) -> dict[str, Any]:
    """A course with a ToT and a district training, one material per audience, and people:
    a pool trainer (certified at the ToT), an assigned trainer (of the district training), a trainer
    of nothing, an organizer, a coordinator, an admin, and participants' tickets."""
    coordinator = await create_user("coordinator")
    course_id = await services.create_course({"title": "Integrated Approach to Sustainable Reintegration"},
                                             coordinator.actor())
    module_id = await services.add_module(course_id, {"title": "Reintegration basics"}, coordinator.actor())
    tot = await _event("ToT Cumilla", course_id, kind="tot")
    training = await _event("District training Khulna", course_id)
    other_event = await _event("CSO meeting", None, kind="cso_meeting")
    pool_trainer = await create_user("trainer")
    assigned_trainer = await create_user("trainer")
    idle_trainer = await create_user("trainer")
    pool_person = await make_person("Pool Trainer", email=pool_trainer.email)
    await PoolMember(participant=pool_person, source_event=tot, status="active").save()
    await register(training, await make_person("Assigned Trainer", email=assigned_trainer.email), role="trainer")
    await make_person("Idle Trainer", email=idle_trainer.email)
    participant = await make_person("Rahima Begum")
    ids = {}
    for audience in ("trainers", "participants", "public"):
        material_id = await upload(settings, course_id, coordinator, title=f"{audience} file", audience=audience,
                                   file_name=f"{audience}.pdf", module_id=module_id)
        ids[audience] = {"material": material_id, "version": (await latest_version(material_id))["id"]}
    return {
        "course_id": course_id, "module_id": module_id, "materials": ids, "tot": tot, "training": training,
        "users": {
            "pool_trainer": pool_trainer, "assigned_trainer": assigned_trainer, "idle_trainer": idle_trainer,
            "organizer": await create_user("organizer", districts=("khulna",)), "coordinator": coordinator,
            "admin": await create_user("admin"),
        },
        "tickets": {
            "ticket": await register(training, participant),
            "ticket_cancelled": await register(tot, participant, status="cancelled"),
            "ticket_other_event": await register(other_event, participant),
        },
    }


@pytest.fixture
def as_user(client):
    """`await as_user(user)`: the client now carries that user's session (None: anonymous)."""

    async def switch(user) -> Any:
        client.cookies.clear()
        if user is not None:
            client.cookies[SESSION_COOKIE] = await auth_services.start_session(user.id)
        return client

    return switch
