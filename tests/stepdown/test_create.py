"""A trainer of the pool opens a step-down training from a course, in their districts only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.core.errors import ValidationFailed
from portal.events.tables import Event, Session
from portal.stepdown import services
from tests.stepdown.conftest import make_master_trainer

pytestmark = pytest.mark.anyio
DHAKA = ZoneInfo("Asia/Dhaka")


def form(course: int, **values) -> dict:
    return {"course": str(course), "title": "Step-down: safe migration", "district": "khulna",
            "venue": "Upazila hall", "start_date": "2026-12-14", "end_date": "2026-12-15", **values}


async def test_a_pool_trainer_creates_a_step_down_training_of_their_course(master_trainer):
    user, course, _, _ = master_trainer
    event_id = await services.create_step_down(form(course), user, DHAKA)
    event = await Event.select().where(Event.id == event_id).first()
    assert (event["kind"], event["course"], event["organizer"], event["district"], event["status"]) == (
        "step_down", course, user.id, "khulna", "draft")
    assert await Session.count().where(Session.event == event_id) == 2


async def test_the_form_offers_the_courses_with_their_modules(master_trainer):
    user, course, _, _ = master_trainer
    courses = await services.teachable_courses(user)
    assert [c["id"] for c in courses] == [course]
    assert [m["title"] for m in courses[0]["modules"]] == ["Rights of migrants", "Remittances"]
    assert await services.work_districts(user) == ("khulna",)


@pytest.mark.parametrize(("values", "field"), [
    ({"district": "sylhet"}, "district"), ({"district": "nowhere"}, "district"), ({"course": "999"}, "course"),
    ({"course": "x"}, "course"), ({"end_date": "2026-12-01"}, "end_date"), ({"title": ""}, "title"),
])
async def test_bad_input_is_refused_and_nothing_is_saved(master_trainer, values, field):
    user, course, _, _ = master_trainer
    before = await Event.count()
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_step_down({**form(course), **values}, user, DHAKA)
    assert field in excinfo.value.errors
    assert await Event.count() == before


async def test_a_trainer_outside_the_pool_gets_no_course(create_user):
    user = await create_user("trainer")
    assert await services.teachable_courses(user) == []
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_step_down(form(1), user, DHAKA)
    assert "course" in excinfo.value.errors


async def test_an_inactive_member_may_not_run_one(master_trainer):
    from portal.certificates.tables import PoolMember

    user, course, member, _ = master_trainer
    await PoolMember.update({PoolMember.status: "inactive"}).where(PoolMember.id == member)
    assert await services.teachable_courses(user) == []


async def test_routes_create_and_refuse(client, login, create_user):
    user, course, _, _ = await make_master_trainer(create_user)
    await login(client, user)
    page = await client.get("/manage/step-down/new")
    assert page.status_code == 200 and "Rights of migrants" in page.text
    bad = await client.post("/manage/step-down", data=form(course, district="sylhet"))
    assert bad.status_code == 422 and "only in your own districts" in bad.text
    made = await client.post("/manage/step-down", data=form(course))
    assert made.status_code == 303
    event = await Event.select(Event.id).where(Event.kind == "step_down").first()
    assert made.headers["location"] == f"/manage/events/{event['id']}"
    detail = await client.get(made.headers["location"])
    assert detail.status_code == 200 and "Safe migration basics" in detail.text
    home = await client.get("/manage")
    assert "Step-down: safe migration" in home.text
    assert dt.date(2026, 12, 14)  # the dates of the form above


async def test_the_pool_page_lists_the_step_down_trainings_the_member_ran(client, login, create_user):
    from portal.certificates.tables import PoolTrainerLink
    from tests import factories

    user, course, member, _ = await make_master_trainer(create_user)
    await PoolTrainerLink.insert(PoolTrainerLink(member=member, user=user.id))
    event_id, sessions = await factories.make_event_with_sessions(
        1, dt.date(2026, 12, 1), kind="step_down", organizer=user.id, title="Dumuria step-down")
    for _ in range(3):
        await factories.make_registration(event_id, attend=sessions)
    await login(client, await create_user("coordinator"))
    page = await client.get(f"/manage/pool/{member}")
    assert "Dumuria step-down" in page.text and "3 participants attended" in page.text
