"""Copying an event to a new date: text, rules, course and the sessions pattern come along; people do not."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.core.errors import NotFound, ValidationFailed
from portal.events.management.copying import copy_event
from portal.events.tables import Event, Registration, Session
from portal.trainings.tables import Course

pytestmark = pytest.mark.anyio
DHAKA = ZoneInfo("Asia/Dhaka")


@pytest.fixture
async def source(create_event, create_session, create_registration):
    course = Course(title="Migration governance")
    await course.save()
    event_id = await create_event(title="Khulna workshop 9", description="Agenda: rights, remittances.",
                                  start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 11, 3), capacity=30,
                                  completion_percent=80, walk_ins=True, venue="Circuit house", course=course.id,
                                  status="completed", checkin_opens_before=30)
    await create_session(event_id, dt.date(2026, 11, 2), "Day 1 morning", hours=(9, 13))
    await create_session(event_id, dt.date(2026, 11, 2), "Day 1 afternoon", hours=(14, 17))
    await create_session(event_id, dt.date(2026, 11, 3), "Day 2", hours=(10, 16))
    for _ in range(3):
        await create_registration(event_id)
    return event_id, course.id


async def test_the_copy_takes_the_pattern_to_the_new_date(source, create_user):
    event_id, course = source
    organizer = await create_user("organizer", districts=("khulna",))
    new_id = await copy_event(event_id, {"start_date": "2027-01-10", "title": "Khulna workshop 10"}, organizer, DHAKA)
    new = await Event.select().where(Event.id == new_id).first()
    assert (new["title"], new["start_date"], new["end_date"], new["status"], new["organizer"]) == (
        "Khulna workshop 10", dt.date(2027, 1, 10), dt.date(2027, 1, 11), "draft", organizer.id)
    assert (new["capacity"], new["completion_percent"], new["walk_ins"], new["course"], new["venue"],
            new["description"], new["checkin_opens_before"], new["kind"], new["district"]) == (
        30, 80, True, course, "Circuit house", "Agenda: rights, remittances.", 30, "district_workshop", "khulna")
    sessions = await Session.select().where(Session.event == new_id).order_by(Session.starts_at)
    assert [(s["title"], s["starts_at"].astimezone(DHAKA).strftime("%Y-%m-%d %H:%M"),
             s["ends_at"].astimezone(DHAKA).strftime("%H:%M")) for s in sessions] == [
        ("Day 1 morning", "2027-01-10 09:00", "13:00"), ("Day 1 afternoon", "2027-01-10 14:00", "17:00"),
        ("Day 2", "2027-01-11 10:00", "16:00")]
    assert await Registration.count().where(Registration.event == new_id) == 0
    assert await Session.count().where(Session.event == event_id) == 3  # the source is untouched


async def test_an_organizer_of_another_district_cannot_copy_it(source, create_user):
    outsider = await create_user("organizer", districts=("sylhet",))
    with pytest.raises(NotFound):
        await copy_event(source[0], {"start_date": "2027-01-10"}, outsider, DHAKA)


@pytest.mark.parametrize("start", ["", "10/01/2027", "2027-02-30"])
async def test_a_bad_date_is_refused_and_nothing_saved(source, create_user, start):
    coordinator = await create_user("coordinator")
    before = await Event.count()
    with pytest.raises(ValidationFailed) as excinfo:
        await copy_event(source[0], {"start_date": start}, coordinator, DHAKA)
    assert "start_date" in excinfo.value.errors
    assert await Event.count() == before


async def test_the_copy_route_full_cycle(client, login, create_user, source):
    await login(client, await create_user("coordinator"))
    page = await client.get(f"/manage/events/{source[0]}/copy")
    assert page.status_code == 200 and "Day 1 afternoon" in page.text
    bad = await client.post(f"/manage/events/{source[0]}/copy", data={"start_date": "soon"})
    assert bad.status_code == 422
    made = await client.post(f"/manage/events/{source[0]}/copy", data={"start_date": "2027-03-01", "title": ""})
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert (await Event.select(Event.title).where(Event.id == new_id).first())["title"] == "Khulna workshop 9"
