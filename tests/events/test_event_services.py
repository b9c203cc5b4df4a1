import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.tables import AuditEntry
from portal.events.management import services
from portal.events.management.services import EventFilter
from portal.events.tables import Event, Session

pytestmark = pytest.mark.anyio
DHAKA = ZoneInfo("Asia/Dhaka")


def tot_form(**changes):
    form = {"kind": "tot", "title": "ToT on reintegration", "district": "cumilla", "venue": "BARD, Kotbari",
            "start_date": "2026-12-01", "end_date": "2026-12-03", "capacity": "30", "completion_percent": "100"}
    return {**form, **changes}


async def test_three_day_tot_in_cumilla_gets_one_session_a_day(create_user):
    user = await create_user("coordinator")
    event_id = await services.create_event(tot_form(), user, DHAKA)
    event = await services.get_event(user, event_id)
    assert event["status"] == "draft" and event["district"] == "cumilla" and event["organizer"] == user.id
    sessions = await services.list_sessions(event_id)
    assert [s["title"] for s in sessions] == ["Day 1", "Day 2", "Day 3"]
    first = sessions[0]["starts_at"].astimezone(DHAKA)
    assert (first.date(), first.hour) == (dt.date(2026, 12, 1), 9)
    assert sessions[2]["ends_at"].astimezone(DHAKA).hour == 17
    assert await AuditEntry.exists().where(AuditEntry.action == "event.create")


@pytest.mark.parametrize(("changes", "field"), [
    ({"end_date": "2026-11-30"}, "end_date"),
    ({"capacity": "-1"}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"district": "Atlantis"}, "district"),
    ({"kind": "party"}, "kind"),
    ({"title": "  "}, "title"),
    ({"start_date": "01/12/2026"}, "start_date"),
    ({"completion_percent": "150"}, "completion_percent"),
    ({"end_date": "2027-06-01"}, "end_date"),
    ({"title": "x" * 201}, "title"),
])
async def test_bad_event_input_names_the_field_and_saves_nothing(create_user, changes, field):
    user = await create_user("coordinator")
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_event(tot_form(**changes), user, DHAKA)
    assert field in excinfo.value.errors
    assert await Event.count() == 0 and await Session.count() == 0


async def test_organizer_schedules_only_in_own_districts(create_user):
    organizer = await create_user("organizer", districts=("sylhet",))
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_event(tot_form(district="khulna"), organizer, DHAKA)
    assert "district" in excinfo.value.errors
    assert await services.create_event(tot_form(district="sylhet"), organizer, DHAKA)


async def test_organizer_cannot_see_another_districts_event(create_user):
    coordinator = await create_user("coordinator")
    khulna = await services.create_event(tot_form(district="khulna"), coordinator, DHAKA)
    sylhet_organizer = await create_user("organizer", districts=("sylhet",))
    with pytest.raises(NotFound):
        await services.get_event(sylhet_organizer, khulna)
    rows, total = await services.list_events(sylhet_organizer, EventFilter())
    assert (rows, total) == ([], 0)


async def test_list_filters_and_search(create_user):
    user = await create_user("coordinator")
    await services.create_event(tot_form(title="ToT Cumilla"), user, DHAKA)
    await services.create_event(tot_form(kind="cso_meeting", title="CSO meeting", district="dhaka",
                                         start_date="2027-01-10", end_date="2027-01-11"), user, DHAKA)
    assert (await services.list_events(user, EventFilter(district="dhaka")))[1] == 1
    assert (await services.list_events(user, EventFilter(kind="tot")))[1] == 1
    assert (await services.list_events(user, EventFilter(q="cso")))[0][0]["title"] == "CSO meeting"
    assert (await services.list_events(user, EventFilter(q="kotbari")))[1] == 2
    assert (await services.list_events(user, EventFilter(date_from=dt.date(2027, 1, 1))))[1] == 1
    assert (await services.list_events(user, EventFilter(date_to=dt.date(2026, 12, 31))))[1] == 1


async def test_list_is_paginated(create_user):
    user = await create_user("coordinator")
    for n in range(services.PAGE_SIZE + 3):
        await services.create_event(tot_form(title=f"Workshop {n}", end_date="2026-12-01"), user, DHAKA)
    first, total = await services.list_events(user, EventFilter(page=1))
    second, _ = await services.list_events(user, EventFilter(page=2))
    assert total == services.PAGE_SIZE + 3
    assert len(first) == services.PAGE_SIZE and len(second) == 3
    assert not {r["id"] for r in first} & {r["id"] for r in second}


async def test_extending_the_dates_adds_sessions_and_shrinking_past_sessions_is_refused(create_user):
    user = await create_user("coordinator")
    event_id = await services.create_event(tot_form(), user, DHAKA)
    await services.update_event(event_id, tot_form(end_date="2026-12-04"), user, DHAKA)
    assert [s["title"] for s in await services.list_sessions(event_id)][-1] == "Day 4"
    with pytest.raises(ValidationFailed) as excinfo:
        await services.update_event(event_id, tot_form(end_date="2026-12-02"), user, DHAKA)
    assert "Day 3" in excinfo.value.errors["end_date"]
    assert len(await services.list_sessions(event_id)) == 4


async def test_status_transitions(create_user):
    user = await create_user("coordinator")
    event_id = await services.create_event(tot_form(), user, DHAKA)
    with pytest.raises(DomainError) as excinfo:
        await services.change_status(event_id, "completed", user)
    assert excinfo.value.code == "bad_transition"
    await services.change_status(event_id, "published", user)
    await services.change_status(event_id, "completed", user)
    assert (await services.get_event(user, event_id))["status"] == "completed"
    with pytest.raises(DomainError) as excinfo:
        await services.change_status(event_id, "exploded", user)
    assert excinfo.value.code == "bad_status"
    audit_rows = await AuditEntry.select().where(AuditEntry.action == "event.status")
    assert len(audit_rows) == 2


async def test_half_day_sessions_can_be_added_edited_and_removed(create_user):
    user = await create_user("coordinator")
    event_id = await services.create_event(tot_form(end_date="2026-12-01"), user, DHAKA)
    extra = await services.add_session(event_id, {"title": "Day 1 evening", "date": "2026-12-01",
                                                  "start": "18:00", "end": "20:00"}, user, DHAKA)
    await services.update_session(event_id, extra, {"title": "Evening", "date": "2026-12-01", "start": "18:30",
                                                    "end": "20:00"}, user, DHAKA)
    session = await services.get_session(user, event_id, extra)
    assert session["title"] == "Evening"
    assert services.session_form_values(session, DHAKA)["start"] == "18:30"
    await services.delete_session(event_id, extra, user)
    [only] = await services.list_sessions(event_id)
    with pytest.raises(DomainError) as excinfo:
        await services.delete_session(event_id, only["id"], user)
    assert excinfo.value.code == "last_session"


@pytest.mark.parametrize(("form", "field"), [
    ({"title": "X", "date": "2026-12-09", "start": "09:00", "end": "10:00"}, "date"),
    ({"title": "X", "date": "2026-12-01", "start": "11:00", "end": "10:00"}, "end"),
    ({"title": "X", "date": "2026-12-01", "start": "noon", "end": "10:00"}, "start"),
    ({"title": "", "date": "2026-12-01", "start": "09:00", "end": "10:00"}, "title"),
])
async def test_bad_session_input(create_user, form, field):
    user = await create_user("coordinator")
    event_id = await services.create_event(tot_form(), user, DHAKA)
    with pytest.raises(ValidationFailed) as excinfo:
        await services.add_session(event_id, form, user, DHAKA)
    assert field in excinfo.value.errors


async def test_session_of_another_event_is_not_found(create_user):
    user = await create_user("coordinator")
    first = await services.create_event(tot_form(), user, DHAKA)
    second = await services.create_event(tot_form(), user, DHAKA)
    other_session = (await services.list_sessions(second))[0]["id"]
    with pytest.raises(NotFound):
        await services.get_session(user, first, other_session)
