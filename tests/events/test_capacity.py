"""Changing an event's capacity: a raise (or no limit) seats the waitlist in the order people joined, in
the same transaction and audited; a capacity below the seats already taken is refused by the field."""

import datetime as dt

import pytest

from portal.core import clock
from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.registrations import services as registrations
from portal.events.registrations.services import CapacityBelowSeats
from portal.events.tables import Event, Registration
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def _status(registration: dict) -> str:
    return (await registrations.get_registration(registration["id"]))["status"]


async def _capacity(event_id: int) -> int | None:
    return (await Event.select(Event.capacity).where(Event.id == event_id).first())["capacity"]


@pytest.fixture
async def full_event(plan_event, register_person):
    """Capacity 2, two seats taken, four people waiting (in the order they joined)."""
    event_id = await plan_event(capacity="2")
    seated = [await register_person(event_id, name=f"Seated {n}") for n in range(2)]
    waiting = [await register_person(event_id, name=f"Waiting {n}") for n in range(4)]
    assert {w["status"] for w in waiting} == {"waitlisted"}
    return {"id": event_id, "seated": seated, "waiting": waiting}


async def test_raising_the_capacity_seats_the_longest_waiting_first(full_event, set_capacity):
    assert await set_capacity(full_event["id"], "4") == 2
    assert [await _status(w) for w in full_event["waiting"]] == ["registered", "registered", "waitlisted",
                                                                 "waitlisted"]


async def test_each_promotion_by_a_capacity_raise_is_audited(full_event, set_capacity):
    await set_capacity(full_event["id"], "3")
    rows = await AuditEntry.select().where(AuditEntry.action == "registration.promote").output(load_json=True)
    assert [(r["record_id"], r["after"], r["note"]) for r in rows] == [
        (str(full_event["waiting"][0]["id"]), {"status": "registered"}, "capacity raised")]
    change = await AuditEntry.select().where(AuditEntry.action == "event.update").output(load_json=True).first()
    assert (change["before"], change["after"]) == ({"capacity": 2}, {"capacity": 3})


async def test_removing_the_capacity_seats_everyone_waiting(full_event, set_capacity):
    assert await set_capacity(full_event["id"], "") == 4
    assert (await registrations.counts(full_event["id"]))["waitlisted"] == 0


async def test_invited_people_keep_their_seats_and_count_against_the_capacity(plan_event, register_person,
                                                                             set_capacity):
    event_id = await plan_event(capacity="2")
    await register_person(event_id, name="Invited", status="invited")
    await register_person(event_id, name="Registered")
    waiting = [await register_person(event_id, name=f"Waiting {n}") for n in range(2)]
    assert await set_capacity(event_id, "3") == 1
    assert [await _status(w) for w in waiting] == ["registered", "waitlisted"]


async def test_a_capacity_below_the_seats_taken_is_refused_and_nothing_is_saved(full_event, set_capacity):
    with pytest.raises(CapacityBelowSeats) as excinfo:
        await set_capacity(full_event["id"], "1", title="Renamed")
    assert excinfo.value.code == "capacity_below_seats"
    assert excinfo.value.errors == {"capacity": "2 people are already registered or invited; cancel some "
                                                "registrations first or set at least 2."}
    event = await Event.select(Event.capacity, Event.title).where(Event.id == full_event["id"]).first()
    assert event == {"capacity": 2, "title": "Khulna workshop"}
    assert not await AuditEntry.exists().where(AuditEntry.action == "event.update")


async def test_one_seat_taken_is_named_in_the_singular(plan_event, register_person, set_capacity):
    event_id = await plan_event(capacity="5")
    await register_person(event_id)
    with pytest.raises(CapacityBelowSeats) as excinfo:
        await set_capacity(event_id, "0")
    assert excinfo.value.errors["capacity"] == ("1 person is already registered or invited; cancel a registration "
                                                "first or set at least 1.")


async def test_cancelled_registrations_free_their_seats_for_a_lower_capacity(plan_event, register_person,
                                                                            set_capacity):
    event_id = await plan_event(capacity="3")
    made = [await register_person(event_id, name=f"P{n}") for n in range(3)]
    await registrations.cancel(made[0]["id"], event_id, ACTOR)
    assert await set_capacity(event_id, "2") == 0
    assert await _capacity(event_id) == 2


async def test_an_event_overbooked_before_the_rule_can_still_be_edited(full_event, set_capacity):
    """Data from before the rule (or set by hand): saving other fields must not be blocked by the capacity."""
    await Registration.update({Registration.status: "registered"}).where(
        Registration.id == full_event["waiting"][0]["id"])
    assert await set_capacity(full_event["id"], "2", title="Renamed") == 0
    with pytest.raises(CapacityBelowSeats):
        await set_capacity(full_event["id"], "1")


# Through the edit form.

def _form(event_id: int, capacity: str) -> dict[str, str]:
    today = clock.today(PORTAL_TZ)  # the dates the plan_event fixture gave the event
    return {"kind": "district_workshop", "title": "Khulna workshop", "district": "khulna", "venue": "Hall",
            "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=1)).isoformat(),
            "capacity": capacity, "completion_percent": "100"}


@pytest.mark.parametrize(("capacity", "message"), [
    ("3", "Event saved. 1 person moved from the waitlist."),
    ("5", "Event saved. 3 people moved from the waitlist."),
    ("2", "Event saved."),
])
async def test_the_event_page_says_how_many_moved_from_the_waitlist(staff_client, full_event, capacity, message):
    url = f"/manage/events/{full_event['id']}"
    response = await staff_client.post(f"{url}/edit", data=_form(full_event["id"], capacity))
    assert response.status_code == 303 and response.headers["location"] == url
    page = (await staff_client.get(url)).text
    assert f"{message}<" in page


async def test_the_form_refuses_a_capacity_below_the_seats_taken_by_the_field(staff_client, full_event):
    response = await staff_client.post(f"/manage/events/{full_event['id']}/edit", data=_form(full_event["id"], "1"))
    assert response.status_code == 422
    assert ('<p class="field-error" id="capacity-error">2 people are already registered or invited; cancel some '
            'registrations first or set at least 2.</p>') in response.text
    assert 'name="capacity"' in response.text and 'value="1"' in response.text
    assert await _capacity(full_event["id"]) == 2


async def test_the_refusal_is_in_bangla_with_bangla_digits(staff_client, full_event):
    staff_client.cookies["lang"] = "bn"
    response = await staff_client.post(f"/manage/events/{full_event['id']}/edit", data=_form(full_event["id"], "1"))
    assert response.status_code == 422 and "২ জন" in response.text


@pytest.mark.parametrize("status", ["completed", "cancelled"])
async def test_raising_the_capacity_of_a_finished_event_seats_nobody(full_event, set_capacity, status):
    # A completed or cancelled event has no seats to give: the waitlist stays as it was.
    await Event.update({Event.status: status}).where(Event.id == full_event["id"])
    assert await set_capacity(full_event["id"], "6") == 0
    assert {await _status(w) for w in full_event["waiting"]} == {"waitlisted"}
    assert await _capacity(full_event["id"]) == 6


async def test_the_audited_before_is_read_under_the_events_lock(full_event, set_capacity, monkeypatch):
    # Another edit commits between this edit's first read and its transaction: the audit's "before"
    # must be the state this edit replaced (the other edit's title), not the stale first read.
    from portal.events.management import services

    original = services.list_sessions

    async def meanwhile(event_id: int):
        await Event.update({Event.title: "Renamed meanwhile"}).where(Event.id == event_id)
        return await original(event_id)

    monkeypatch.setattr(services, "list_sessions", meanwhile)
    await set_capacity(full_event["id"], "2", title="Final title")
    change = await AuditEntry.select().where(AuditEntry.action == "event.update").output(load_json=True).first()
    assert change["before"]["title"] == "Renamed meanwhile"
    assert change["after"]["title"] == "Final title"
