"""Several phone numbers per person (issue 15): the primary in participant.phone, the others in participant_phone,
and every search, match and rule that finds people by phone counts them all."""

import pytest

from portal.core.tables import AuditEntry
from portal.events.checkin import services as checkin
from portal.events.participants import phones
from portal.events.participants import services as participants
from portal.events.participants.services import DuplicatePerson
from portal.events.registrations import services as registrations
from portal.events.tables import Participant, ParticipantPhone, Registration

pytestmark = pytest.mark.anyio


def form(**changes):
    return {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "gender": "female", "organisation": "WARBE",
            "stakeholder_type": "returnee", "district": "sylhet", "designation": "Field officer",
            "phone": "01711-234567", "email": "rahima@example.org",
            "other_phones": "01811 234567\n+880 1911-234567", **changes}


async def test_other_numbers_are_saved_normalised_and_the_first_stays_primary(coordinator):
    person_id = await participants.create_participant(form(), coordinator)
    row = await participants.get_participant(person_id)
    assert row["phone"] == "+8801711234567"
    assert await phones.others(person_id) == ["+8801811234567", "+8801911234567"]
    assert await ParticipantPhone.count() == 2


async def test_without_a_primary_the_first_other_number_becomes_it(coordinator):
    person_id = await participants.create_participant(form(phone="", other_phones="01811234567, 01911234567"),
                                                      coordinator)
    assert (await participants.get_participant(person_id))["phone"] == "+8801811234567"
    assert await phones.others(person_id) == ["+8801911234567"]


@pytest.mark.parametrize("number", ["01811-234567", "+8801811234567", "8801811234567"])
async def test_a_known_other_number_in_any_format_is_the_same_person(coordinator, number):
    first = await participants.create_participant(form(), coordinator)
    with pytest.raises(DuplicatePerson) as refused:
        await participants.create_participant(form(name="R. Begum", email="", phone=number, other_phones=""),
                                              coordinator)
    assert refused.value.existing["id"] == first
    # ...and as someone else's other number too
    with pytest.raises(DuplicatePerson) as refused:
        await participants.create_participant(form(name="R. Begum", email="", phone="01555123456",
                                                   other_phones=number), coordinator)
    assert refused.value.existing["id"] == first and refused.value.field == "other_phones"
    assert await Participant.count() == 1 and await ParticipantPhone.count() == 2


async def test_edit_adds_and_removes_numbers_with_an_audit_entry(coordinator):
    person_id = await participants.create_participant(form(), coordinator)
    await participants.update_participant(person_id, form(other_phones="01911-234567\n01312345678"), coordinator)
    assert await phones.others(person_id) == ["+8801911234567", "+8801312345678"]
    entry = await AuditEntry.select().where(AuditEntry.action == "participant.update").first()
    assert "other_phones" in str(entry["before"]) and "+8801312345678" in str(entry["after"])


@pytest.mark.parametrize(("others", "message"), [("01711 23", "“01711 23”"), ("abc", "“abc”"),
                                                 ("\n".join(f"0171100000{n}" for n in range(10)), "at most")])
async def test_a_bad_other_number_is_refused_and_nothing_saved(coordinator, others, message):
    person_id = await participants.create_participant(form(), coordinator)
    with pytest.raises(participants.ValidationFailed) as refused:
        await participants.update_participant(person_id, form(name="Changed", other_phones=others), coordinator)
    assert message in refused.value.errors["other_phones"]
    assert (await participants.get_participant(person_id))["name"] == "Rahima Begum"
    assert await phones.others(person_id) == ["+8801811234567", "+8801911234567"]


async def test_edit_refuses_a_number_of_someone_else_and_saves_nothing(coordinator):
    person_id = await participants.create_participant(form(), coordinator)
    other = await participants.create_participant(form(name="Karim", email="", phone="01555123456",
                                                       other_phones=""), coordinator)
    with pytest.raises(DuplicatePerson):
        await participants.update_participant(other, form(name="Karim 2", email="", phone="01555123456",
                                                          other_phones="01911234567"), coordinator)
    assert (await participants.get_participant(other))["name"] == "Karim"
    assert await phones.others(other) == [] and len(await phones.others(person_id)) == 2


@pytest.mark.parametrize("q", ["01911-234567", "1911234567", "০১৯১১২৩৪৫৬৭", "911234"])
async def test_the_one_person_search_finds_people_by_any_number(coordinator, event_id, session_id, q):
    person_id = await participants.create_participant(form(), coordinator)
    for n in range(30):  # others around, one with a primary that shares no digits run with the searches
        await participants.create_participant(form(name=f"Person {n}", email="", phone=f"0155500{n:04d}",
                                                   other_phones=""), coordinator)
    await registrations.register(event_id, person_id, coordinator.actor())
    assert [r["id"] for r in (await participants.list_participants(q))[0]] == [person_id]
    assert [r["name"] for r in await registrations.list_registrations(event_id, q)] == ["Rahima Begum"]
    assert [r["name"] for r in await checkin.attendance(session_id, event_id, q)] == ["Rahima Begum"]


async def test_self_check_in_by_another_number(coordinator, event_id, session_id):
    from portal.core import clock
    from portal.events.selfcheck import services as selfcheck

    secret, now = "a-secret-key-for-tests", clock.now().timestamp()
    person_id = await participants.create_participant(form(), coordinator)
    await registrations.register(event_id, person_id, coordinator.actor())
    result = await selfcheck.by_phone(secret, session_id, selfcheck.code_for(secret, session_id, now),
                                      "01911-234567", coordinator.actor())
    assert result.status == "ok"


async def test_public_registration_with_another_number_registers_once(client, coordinator, event_id):
    from portal.events.signup import services as signup

    person_id = await participants.create_participant(form(), coordinator)
    from portal.events.tables import Event

    await Event.update({Event.status: "published"}).where(Event.id == event_id)
    await signup.set_open(event_id, True, coordinator.actor())
    fields = {"name": "Rahima B.", "phone": "01911234567", "district": "sylhet", "consent": "on",
              "gender": "female", "stakeholder_type": "returnee"}
    for _attempt in range(2):
        assert await signup.sign_up(event_id, fields, "10.0.0.9", "en") == "done"
    assert await Participant.count() == 1
    assert await Registration.count().where(Registration.participant == person_id) == 1


async def test_sms_goes_to_the_primary_number(coordinator, event_id):
    from portal.events.tables import Event
    from portal.messages.tables import OutboxMessage

    await Event.update({Event.status: "published"}).where(Event.id == event_id)
    person_id = await participants.create_participant(form(), coordinator)
    await registrations.register(event_id, person_id, coordinator.actor())
    sent = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.channel == "sms")
    assert [m["to_address"] for m in sent] == ["+8801711234567"]


async def test_the_edit_page_adds_and_removes_numbers(staff_client, db):
    person_id = await factories_person()
    page = await staff_client.get(f"/manage/participants/{person_id}")
    assert page.status_code == 200 and 'name="other_phones"' in page.text
    saved = await staff_client.post(f"/manage/participants/{person_id}", data=form(other_phones="01911234567"))
    assert saved.status_code == 303 and await phones.others(person_id) == ["+8801911234567"]
    page = await staff_client.get(f"/manage/participants/{person_id}")
    assert "+8801911234567" in page.text
    bad = await staff_client.post(f"/manage/participants/{person_id}", data=form(other_phones="12"))
    assert bad.status_code == 422 and "“12”" in bad.text
    removed = await staff_client.post(f"/manage/participants/{person_id}", data=form(other_phones=""))
    assert removed.status_code == 303 and await phones.others(person_id) == []
    staff_client.cookies["lang"] = "bn"
    page = await staff_client.get(f"/manage/participants/{person_id}")
    assert page.status_code == 200 and "অন্যান্য ফোন নম্বর" in page.text


async def factories_person() -> int:
    from tests import factories

    return await factories.make_person(name="Rahima Begum", district="sylhet", phone="+8801711234567",
                                       email="rahima@example.org")


IMPORT = (
    "Name,Mobile,District\n"
    'Rahima Begum,"01711-234567, 01811234567",Khulna\n'
    "Karim Sheikh,01911-000111 / ০১৫৫৫০০০১১১,Khulna\n"
    '"Nasima Akter","01311000222\n01411000333\nnot a number",Khulna\n'
    "Jamal Uddin,01611000444,Khulna\n"
).encode()


async def test_an_import_cell_with_several_numbers_keeps_them_all(event_id):
    from portal.core.audit import Actor
    from portal.events.imports import services as imports

    found = imports.read_table("list.csv", IMPORT)
    mapping = imports.guess_mapping(found.headers)
    preview = await imports.preview(event_id, found, mapping)
    assert [r.ok for r in preview.results] == [True, True, True, True]
    assert "not a number" in " ".join(preview.results[2].notes)
    counts = await imports.commit(event_id, found, mapping, Actor.system("tests"))
    assert counts["created"] == 4
    people = {r["name"]: r for r in await Participant.select()}
    assert people["Rahima Begum"]["phone"] == "+8801711234567"
    assert await phones.others(people["Rahima Begum"]["id"]) == ["+8801811234567"]
    assert await phones.others(people["Karim Sheikh"]["id"]) == ["+8801555000111"]
    assert await phones.others(people["Nasima Akter"]["id"]) == ["+8801411000333"]
    assert await phones.others(people["Jamal Uddin"]["id"]) == []
    # The same list again, with Rahima's second number first: she is matched by it, not added twice.
    again = IMPORT.replace(b'"01711-234567, 01811234567"', b'"01811234567"')
    found = imports.read_table("list.csv", again)
    counts = await imports.commit(event_id, found, imports.guess_mapping(found.headers), Actor.system("tests"))
    assert counts["created"] == 0 and await Participant.count() == 4


async def test_an_other_number_can_become_the_primary(coordinator):
    person_id = await participants.create_participant(form(), coordinator)
    await participants.update_participant(person_id, form(phone="01811234567",
                                                          other_phones="01711234567\n01911234567"), coordinator)
    assert (await participants.get_participant(person_id))["phone"] == "+8801811234567"
    assert sorted(await phones.others(person_id)) == ["+8801711234567", "+8801911234567"]
    without_field = {k: v for k, v in form(phone="01811234567").items() if k != "other_phones"}
    await participants.update_participant(person_id, without_field, coordinator)  # the numbers stay
    assert sorted(await phones.others(person_id)) == ["+8801711234567", "+8801911234567"]


async def test_a_staff_account_is_the_directory_entry_with_its_phone_among_the_other_numbers(coordinator):
    from portal.auth.services import CurrentUser
    from portal.events.access import participant_ids

    person_id = await participants.create_participant(form(email=""), coordinator)
    await participants.create_participant(form(name="Someone Else", phone="01711-000111", email="", other_phones=""),
                                          coordinator)
    by_other = CurrentUser(id=7, name="Trainer", role="trainer", phone="+8801911234567")
    by_primary = CurrentUser(id=8, name="Trainer", role="trainer", phone="+8801711234567")
    stranger = CurrentUser(id=9, name="Trainer", role="trainer", phone="+8801555000000")
    assert await participant_ids(by_other) == [person_id]
    assert await participant_ids(by_primary) == [person_id]
    assert await participant_ids(stranger) == []
