import pytest

from portal.core.audit import Actor
from portal.core.errors import NotFound
from portal.core.tables import AuditEntry
from portal.events.registrations import services as registrations
from portal.events.registrations.services import RegistrationError
from portal.events.tables import Registration

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def test_registration_gets_a_128_bit_url_safe_token(registration):
    token = registration["ticket_token"]
    assert len(token) == 22 and all(c.isalnum() or c in "-_" for c in token)
    assert (await registrations.by_token(token))["id"] == registration["id"]


async def test_second_registration_of_the_same_person_is_refused(event_id, create_person):
    person = await create_person()
    await registrations.register(event_id, person, ACTOR)
    with pytest.raises(RegistrationError) as excinfo:
        await registrations.register(event_id, person, ACTOR)
    assert excinfo.value.code == "already_registered"
    assert await Registration.count() == 1


async def test_full_event_puts_newcomers_on_the_waitlist(plan_event, register_person):
    event_id = await plan_event(capacity="2")
    statuses = [(await register_person(event_id, name=f"P{n}"))["status"] for n in range(3)]
    assert statuses == ["registered", "registered", "waitlisted"]


async def test_cancelling_a_seat_promotes_the_first_person_waiting(plan_event, register_person):
    event_id = await plan_event(capacity="1")
    first = await register_person(event_id, name="First")
    waiting = await register_person(event_id, name="Waiting")
    promoted = await registrations.cancel(first["id"], event_id, ACTOR)
    assert promoted == waiting["id"]
    assert (await registrations.get_registration(waiting["id"]))["status"] == "registered"
    assert await AuditEntry.exists().where(AuditEntry.action == "registration.promote")


async def test_promote_is_refused_while_the_event_is_full(plan_event, register_person):
    event_id = await plan_event(capacity="1")
    await register_person(event_id, name="First")
    waiting = await register_person(event_id, name="Waiting")
    with pytest.raises(RegistrationError) as excinfo:
        await registrations.promote(waiting["id"], event_id, ACTOR)
    assert excinfo.value.code == "full"


async def test_cancel_twice_is_refused(event_id, registration):
    await registrations.cancel(registration["id"], event_id, ACTOR)
    with pytest.raises(RegistrationError) as excinfo:
        await registrations.cancel(registration["id"], event_id, ACTOR)
    assert excinfo.value.code == "already_cancelled"


@pytest.mark.parametrize("role", ["participant", "facilitator", "trainer", "guest"])
async def test_role_can_be_set(event_id, registration, role):
    await registrations.set_role(registration["id"], event_id, role, ACTOR)
    assert (await registrations.get_registration(registration["id"]))["role"] == role


async def test_unknown_role_is_refused(event_id, registration):
    with pytest.raises(RegistrationError) as excinfo:
        await registrations.set_role(registration["id"], event_id, "boss", ACTOR)
    assert excinfo.value.code == "bad_role"


async def test_registration_of_another_event_is_not_found(plan_event, registration):
    other = await plan_event(title="Other")
    with pytest.raises(NotFound):
        await registrations.cancel(registration["id"], other, ACTOR)


async def test_unknown_token_is_not_found(db):
    with pytest.raises(NotFound):
        await registrations.by_token("x" * 22)


async def test_search_finds_by_name_and_phone(event_id, register_person):
    await register_person(event_id, name="Rahima Begum", phone="+8801711234567")
    await register_person(event_id, name="Karim Sheikh")
    assert [r["name"] for r in await registrations.list_registrations(event_id, "rahima")] == ["Rahima Begum"]
    assert [r["name"] for r in await registrations.list_registrations(event_id, "01711234567")] == ["Rahima Begum"]
