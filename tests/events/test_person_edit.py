"""Editing a person (issue 15): every field, audited with before and after; the person's wish for no more
messages; bad input a 422 that saves nothing; organizers of other districts may only read."""

import json

import pytest

from portal.core.tables import AuditEntry
from portal.events.participants import phones
from portal.events.tables import Participant
from portal.messages.tables import Contact
from tests import factories

pytestmark = pytest.mark.anyio

FORM = {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "gender": "female", "organisation": "WARBE",
        "stakeholder_type": "returnee", "designation": "Member", "district": "khulna", "phone": "01711-234567",
        "email": "rahima@example.org", "other_phones": "", "messages_shown": "1"}


@pytest.fixture
async def person(db):
    return await factories.make_person(name="Rahima B.", district="khulna", phone="+8801711234567")


async def test_every_field_is_saved_and_audited_before_and_after(staff_client, person):
    changed = {**FORM, "name": "Rahima Khatun", "name_bn": "রহিমা খাতুন", "gender": "third_gender", "organisation": "BMET",
               "stakeholder_type": "government", "designation": "Officer", "district": "jashore",
               "email": "rk@example.org", "other_phones": "01811-234567"}
    response = await staff_client.post(f"/manage/participants/{person}", data=changed)
    assert response.status_code == 303
    row = await Participant.select().where(Participant.id == person).first()
    assert {k: row[k] for k in ("name", "name_bn", "gender", "organisation", "stakeholder_type", "designation",
                                "district", "email")} == {
        "name": "Rahima Khatun", "name_bn": "রহিমা খাতুন", "gender": "third_gender", "organisation": "BMET",
        "stakeholder_type": "government", "designation": "Officer", "district": "jashore", "email": "rk@example.org"}
    assert await phones.others(person) == ["+8801811234567"]
    entry = await AuditEntry.select().where(AuditEntry.action == "participant.update").first()
    before, after = (json.loads(v) if isinstance(v, str) else v for v in (entry["before"], entry["after"]))
    assert before["name"] == "Rahima B." and after["name"] == "Rahima Khatun"
    assert before["other_phones"] == [] and after["other_phones"] == ["+8801811234567"]
    assert "phone" not in after  # unchanged fields are not in the entry


@pytest.mark.parametrize(("field", "value"), [("name", ""), ("gender", "x"), ("district", "Mars"),
                                              ("email", "not-an-email"), ("phone", "12")])
async def test_bad_input_is_a_422_with_the_message_and_saves_nothing(staff_client, person, field, value):
    response = await staff_client.post(f"/manage/participants/{person}",
                                       data={**FORM, "name": "Changed", field: value})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text
    assert (await Participant.select().where(Participant.id == person).first())["name"] == "Rahima B."
    assert not await AuditEntry.exists().where(AuditEntry.action == "participant.update")


async def test_the_person_asked_for_no_more_messages(staff_client, person):
    response = await staff_client.post(f"/manage/participants/{person}", data={**FORM, "messages_stopped": "on"})
    assert response.status_code == 303
    stopped = {r["address"]: r["opted_out_at"] is not None for r in await Contact.select()}
    assert stopped == {"+8801711234567": True, "rahima@example.org": True}
    page = await staff_client.get(f"/manage/participants/{person}")
    assert "asked for no more messages" in page.text
    await staff_client.post(f"/manage/participants/{person}", data=FORM)  # unticked: messages again
    assert not any(r["opted_out_at"] for r in await Contact.select())
    assert await AuditEntry.count().where(AuditEntry.action.is_in(["contact.opt_out", "contact.opt_in"])) == 4


async def test_an_organizer_of_another_district_only_reads(client, create_user, login, person):
    await login(client, await create_user("organizer", districts=("sylhet",)))
    page = await client.get(f"/manage/participants/{person}")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text.replace(" disabled>", " disabled>")
    refused = await client.post(f"/manage/participants/{person}", data={**FORM, "name": "Changed"})
    assert refused.status_code == 404
    assert (await Participant.select().where(Participant.id == person).first())["name"] == "Rahima B."
