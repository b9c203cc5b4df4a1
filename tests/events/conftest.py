"""Fixtures of the registration and check-in tests: event -> session -> registration."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import pytest

from portal.core import clock
from portal.core.audit import Actor
from portal.events.management import services
from portal.events.registrations import services as registrations
from portal.events.tables import Session
from tests import factories
from tests.helpers import session_around_now

DHAKA = ZoneInfo("Asia/Dhaka")


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
def plan_event(coordinator):
    """Factory: an event planned through the events service, of two days from today (two sessions, the first
    under way) in `district`; its id."""

    async def make(district: str = "khulna", capacity: str = "", walk_ins: bool = False,
                   title: str = "Khulna workshop") -> int:
        today = clock.today(DHAKA)
        form = {"kind": "district_workshop", "title": title, "district": district, "venue": "Hall",
                "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=1)).isoformat(),
                "capacity": capacity}
        if walk_ins:
            form["walk_ins"] = "on"
        event_id = await services.create_event(form, coordinator, DHAKA)
        # Day 1 is under way (check-in to it is open); Day 2 is tomorrow, 09:00 to 17:00.
        first = await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id).first()
        starts, ends = session_around_now(DHAKA)
        await Session.update({Session.starts_at: starts, Session.ends_at: ends}).where(Session.id == first["id"])
        return event_id

    return make


@pytest.fixture
def set_capacity(coordinator):
    """Factory: save an event's edit form unchanged but for its capacity ("" for no limit) and `changes`;
    returns how many people moved up from the waitlist."""

    async def change(event_id: int, capacity: str, **changes: str) -> int:
        event = await services.get_event(coordinator, event_id)
        form = {key: str(event[key]) for key in ("kind", "title", "district", "venue", "start_date", "end_date",
                                                 "completion_percent")}
        if event["walk_ins"]:
            form["walk_ins"] = "on"
        return await services.update_event(event_id, {**form, "capacity": capacity, **changes}, coordinator, DHAKA)

    return change


@pytest.fixture
def create_person(db):
    """`await create_person(**columns)` -> participant id (tests.factories.make_person), Rahima Begum of WARBE
    unless told."""
    return functools.partial(factories.make_person, name="Rahima Begum", organisation="WARBE")


@pytest.fixture
def register_person(create_person):
    """Factory: register a new person for `event_id` through the registrations service (capacity, waiting
    list); returns {"id", "status", "ticket_token"}."""

    async def make(event_id: int, name: str = "Rahima Begum", **kwargs) -> dict:
        phone = kwargs.pop("phone", None)
        person_id = await create_person(name=name, **({"phone": phone} if phone else {}))
        return await registrations.register(event_id, person_id, Actor.system("tests"), **kwargs)

    return make


@pytest.fixture
async def event_id(plan_event):
    return await plan_event()


@pytest.fixture
async def session_id(event_id):
    return (await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id).first())["id"]


@pytest.fixture
async def registration(register_person, event_id):
    return await register_person(event_id)
