"""Capacity under concurrency: simultaneous registrations, cancellations and capacity changes never
overbook an event or leave a free seat while people wait (on PostgreSQL through a row lock on the event)."""

import asyncio

import pytest

from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.imports import services as imports
from portal.events.registrations import services as registrations
from portal.events.registrations.services import CapacityBelowSeats
from portal.events.tables import Event, Registration

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def _statuses(event_id: int) -> dict[str, int]:
    return await registrations.counts(event_id)


async def _assert_seats_match_the_capacity(event_id: int) -> None:
    """Never more seats than the capacity, and nobody waiting while a seat is free."""
    capacity = (await Event.select(Event.capacity).where(Event.id == event_id).first())["capacity"]
    counts = await _statuses(event_id)
    seated = counts["registered"] + counts["invited"]
    assert capacity is None or seated <= capacity, (capacity, counts)
    assert counts["waitlisted"] == 0 or seated == capacity, (capacity, counts)


async def test_simultaneous_registrations_fill_exactly_the_capacity(plan_event, create_person):
    event_id = await plan_event(capacity="5")
    people = [await create_person(name=f"Person {n}") for n in range(20)]
    made = await asyncio.gather(*(registrations.register(event_id, p, ACTOR) for p in people))
    assert sorted(m["status"] for m in made).count("registered") == 5
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"]) == (5, 15)


async def test_simultaneous_cancellations_promote_one_waiting_person_each(plan_event, register_person):
    event_id = await plan_event(capacity="5")
    seated = [await register_person(event_id, name=f"Seated {n}") for n in range(5)]
    waiting = [await register_person(event_id, name=f"Waiting {n}") for n in range(7)]
    assert {w["status"] for w in waiting} == {"waitlisted"}
    promoted = await asyncio.gather(*(registrations.cancel(s["id"], event_id, ACTOR) for s in seated))
    # The five longest-waiting people got the five seats, one each, in the order they joined.
    assert sorted(promoted) == [w["id"] for w in waiting[:5]]
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"], counts["cancelled"]) == (5, 2, 5)


async def test_cancellations_racing_registrations_never_overbook(plan_event, register_person, create_person):
    event_id = await plan_event(capacity="5")
    seated = [await register_person(event_id, name=f"Seated {n}") for n in range(5)]
    await register_person(event_id, name="Waiting")
    newcomers = [await create_person(name=f"Newcomer {n}") for n in range(6)]
    await asyncio.gather(*(registrations.cancel(s["id"], event_id, ACTOR) for s in seated[:3]),
                         *(registrations.register(event_id, p, ACTOR) for p in newcomers))
    counts = await _statuses(event_id)
    assert counts["registered"] == 5
    assert counts["registered"] + counts["waitlisted"] + counts["cancelled"] == 5 + 1 + 6


async def test_simultaneous_promotions_take_only_the_free_seats(plan_event, register_person):
    event_id = await plan_event(capacity="2")
    first = await register_person(event_id, name="First")
    await register_person(event_id, name="Second")
    waiting = [await register_person(event_id, name=f"Waiting {n}") for n in range(8)]
    # Cancel without promoting anyone (as if the seat were freed by hand), then promote eight at once.
    await Registration.update({Registration.status: "cancelled"}).where(Registration.id == first["id"])
    results = await asyncio.gather(*(registrations.promote(w["id"], event_id, ACTOR) for w in waiting),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, registrations.RegistrationError)]
    assert len(refused) == 7 and {r.code for r in refused} == {"full"}
    assert (await _statuses(event_id))["registered"] == 2


async def test_import_racing_registrations_never_overbooks(plan_event, create_person):
    event_id = await plan_event(capacity="5")
    headers = ["Name", "Mobile", "District"]
    rows = [[f"Imported {n}", f"01912{n:06d}", "Khulna"] for n in range(4)]
    mapping = imports.guess_mapping(headers)
    people = [await create_person(name=f"Person {n}") for n in range(4)]
    table = imports.Table(1, headers, [(n + 2, row) for n, row in enumerate(rows)])
    await asyncio.gather(imports.commit(event_id, table, mapping, ACTOR),
                         *(registrations.register(event_id, p, ACTOR) for p in people))
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"]) == (5, 3)


async def test_capacity_raise_racing_registrations_and_cancellations_never_overbooks(
        plan_event, register_person, create_person, set_capacity):
    event_id = await plan_event(capacity="5")
    seated = [await register_person(event_id, name=f"Seated {n}") for n in range(5)]
    waiting = [await register_person(event_id, name=f"Waiting {n}") for n in range(10)]
    newcomers = [await create_person(name=f"Newcomer {n}") for n in range(4)]
    await asyncio.gather(set_capacity(event_id, "8"),
                         *(registrations.cancel(s["id"], event_id, ACTOR) for s in seated[:3]),
                         *(registrations.register(event_id, p, ACTOR) for p in newcomers))
    await _assert_seats_match_the_capacity(event_id)
    counts = await _statuses(event_id)
    # Whatever the order, 16 people still want a seat and 8 have one.
    assert (counts["registered"], counts["waitlisted"], counts["cancelled"]) == (8, 8, 3)
    # The people who waited longest were seated first: nobody who joined later overtook them.
    statuses = [(await registrations.get_registration(w["id"]))["status"] for w in waiting]
    assert statuses == sorted(statuses, key=lambda status: status != "registered")


async def test_capacity_changes_racing_each_other_end_at_the_highest_with_its_seats_filled(
        plan_event, register_person, set_capacity):
    event_id = await plan_event(capacity="2")
    for n in range(2):
        await register_person(event_id, name=f"Seated {n}")
    for n in range(12):
        await register_person(event_id, name=f"Waiting {n}")
    results = await asyncio.gather(set_capacity(event_id, "6"), set_capacity(event_id, "9"),
                                   set_capacity(event_id, "4"), return_exceptions=True)
    # Once 9 seats are given, a lower capacity is below the seats taken and refused: whatever the order,
    # the event ends at 9 with 7 people moved up, each once.
    moved = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if not isinstance(r, int)]
    assert all(isinstance(r, CapacityBelowSeats) for r in refused), refused
    assert sum(moved) == 7
    assert (await Event.select(Event.capacity).where(Event.id == event_id).first())["capacity"] == 9
    assert (await _statuses(event_id))["registered"] == 9
    await _assert_seats_match_the_capacity(event_id)
    promotions = await AuditEntry.select(AuditEntry.record_id).where(AuditEntry.action == "registration.promote")
    assert len(promotions) == len({p["record_id"] for p in promotions}) == 7


async def test_capacity_cut_racing_registrations_never_overbooks(plan_event, register_person, create_person,
                                                                 set_capacity):
    event_id = await plan_event(capacity="10")
    for n in range(5):
        await register_person(event_id, name=f"Seated {n}")
    newcomers = [await create_person(name=f"Newcomer {n}") for n in range(4)]
    results = await asyncio.gather(set_capacity(event_id, "6"),
                                   *(registrations.register(event_id, p, ACTOR) for p in newcomers),
                                   return_exceptions=True)
    cut = results[0]
    # Either the cut came first (one newcomer seated, three waiting) or it came after at least two
    # newcomers had taken seats and was refused: never an event with more seats given than it holds.
    assert cut == 0 or (isinstance(cut, CapacityBelowSeats) and cut.code == "capacity_below_seats"), cut
    assert not [r for r in results[1:] if isinstance(r, BaseException)]
    await _assert_seats_match_the_capacity(event_id)
