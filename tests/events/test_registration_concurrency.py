"""Capacity under concurrency: simultaneous registrations and cancellations never overbook an
event or leave a free seat while people wait (on PostgreSQL through a row lock on the event)."""

import asyncio

import pytest

from portal.core.audit import Actor
from portal.events import imports, registrations
from portal.events.tables import Registration

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def _statuses(event_id: int) -> dict[str, int]:
    return await registrations.counts(event_id)


async def test_simultaneous_registrations_fill_exactly_the_capacity(create_event, create_person):
    event_id = await create_event(capacity="5")
    people = [await create_person(name=f"Person {n}") for n in range(20)]
    made = await asyncio.gather(*(registrations.register(event_id, p, ACTOR) for p in people))
    assert sorted(m["status"] for m in made).count("registered") == 5
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"]) == (5, 15)


async def test_simultaneous_cancellations_promote_one_waiting_person_each(create_event, create_registration):
    event_id = await create_event(capacity="5")
    seated = [await create_registration(event_id, name=f"Seated {n}") for n in range(5)]
    waiting = [await create_registration(event_id, name=f"Waiting {n}") for n in range(7)]
    assert {w["status"] for w in waiting} == {"waitlisted"}
    promoted = await asyncio.gather(*(registrations.cancel(s["id"], event_id, ACTOR) for s in seated))
    # The five longest-waiting people got the five seats, one each, in the order they joined.
    assert sorted(promoted) == [w["id"] for w in waiting[:5]]
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"], counts["cancelled"]) == (5, 2, 5)


async def test_cancellations_racing_registrations_never_overbook(create_event, create_registration, create_person):
    event_id = await create_event(capacity="5")
    seated = [await create_registration(event_id, name=f"Seated {n}") for n in range(5)]
    await create_registration(event_id, name="Waiting")
    newcomers = [await create_person(name=f"Newcomer {n}") for n in range(6)]
    await asyncio.gather(*(registrations.cancel(s["id"], event_id, ACTOR) for s in seated[:3]),
                         *(registrations.register(event_id, p, ACTOR) for p in newcomers))
    counts = await _statuses(event_id)
    assert counts["registered"] == 5
    assert counts["registered"] + counts["waitlisted"] + counts["cancelled"] == 5 + 1 + 6


async def test_simultaneous_promotions_take_only_the_free_seats(create_event, create_registration):
    event_id = await create_event(capacity="2")
    first = await create_registration(event_id, name="First")
    await create_registration(event_id, name="Second")
    waiting = [await create_registration(event_id, name=f"Waiting {n}") for n in range(8)]
    # Cancel without promoting anyone (as if the seat were freed by hand), then promote eight at once.
    await Registration.update({Registration.status: "cancelled"}).where(Registration.id == first["id"])
    results = await asyncio.gather(*(registrations.promote(w["id"], event_id, ACTOR) for w in waiting),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, registrations.RegistrationError)]
    assert len(refused) == 7 and {r.code for r in refused} == {"full"}
    assert (await _statuses(event_id))["registered"] == 2


async def test_import_racing_registrations_never_overbooks(create_event, create_person):
    event_id = await create_event(capacity="5")
    headers = ["Name", "Mobile", "District"]
    rows = [[f"Imported {n}", f"01912{n:06d}", "Khulna"] for n in range(4)]
    mapping = imports.guess_mapping(headers)
    people = [await create_person(name=f"Person {n}") for n in range(4)]
    await asyncio.gather(imports.commit(event_id, headers, rows, mapping, ACTOR),
                         *(registrations.register(event_id, p, ACTOR) for p in people))
    counts = await _statuses(event_id)
    assert (counts["registered"], counts["waitlisted"]) == (5, 3)
