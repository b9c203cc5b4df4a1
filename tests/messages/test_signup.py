"""Public registration: only for events opened for it; validation next to the fields in the page's language;
one number registers once; the same answer whether the number was known, new or already registered (the
ticket goes to the phone, never onto the page); a honeypot and a limit per address."""

from __future__ import annotations

import pytest

from portal.core import audit
from portal.events.signup import services as signup
from portal.events.tables import Participant, Registration, SignupAttempt
from portal.messages.tables import Contact, OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")
FORM = {"name": "Shirin Akter", "phone": "01711-555123", "district": "sylhet", "organisation": "Union Parishad",
        "gender": "female", "stakeholder_type": "government", "consent": "on"}


async def _open_event(**values) -> int:
    event_id = await factories.make_event(title="CSO platform meeting", capacity=values.pop("capacity", None),
                                          **values)
    await signup.set_open(event_id, True, ACTOR)
    return event_id


async def _submit(client, event_id: int, form: dict):
    if "csrftoken" not in client.cookies:
        await client.get(f"/r/{event_id}")
    return await client.post(f"/r/{event_id}", data={**form, "_csrf_token": client.cookies["csrftoken"]})


async def test_closed_and_draft_events_have_no_public_page(client):
    closed = await factories.make_event()
    assert (await client.get(f"/r/{closed}")).status_code == 404
    draft = await factories.make_event(status="draft")
    await signup.set_open(draft, True, ACTOR)
    assert (await client.get(f"/r/{draft}")).status_code == 404
    assert (await client.get("/r/999999")).status_code == 404


async def test_registering_creates_the_person_and_queues_the_ticket_in_the_pages_language(client):
    event_id = await _open_event()
    client.cookies["lang"] = "bn"
    page = await client.get(f"/r/{event_id}")
    assert page.status_code == 200 and "নিবন্ধন" in page.text
    assert "<script" not in page.text
    done = await _submit(client, event_id, FORM)
    assert done.status_code == 200 and "ধন্যবাদ" in done.text
    person = await Participant.select().where(Participant.phone == "+8801711555123").first()
    assert person["name"] == "Shirin Akter" and person["district"] == "sylhet"
    registration = await Registration.select().where(Registration.participant == person["id"]).first()
    assert registration["status"] == "registered"
    assert registration["ticket_token"] not in done.text  # the ticket goes to the phone, not onto the page
    (message,) = await OutboxMessage.select()
    assert (message["kind"], message["channel"], message["language"]) == ("ticket", "sms", "bn")
    contact = await Contact.select().first()
    assert contact["consent_source"] == "public registration form" and contact["language"] == "bn"


async def test_the_same_answer_for_a_known_number_and_a_second_registration(client):
    event_id = await _open_event()
    known = await factories.make_person(name="Known Person", phone="+8801711555124")
    first = await _submit(client, event_id, {**FORM, "name": "Someone Else", "phone": "01711555124"})
    again = await _submit(client, event_id, {**FORM, "name": "Someone Else", "phone": "+880 1711-555124"})
    new = await _submit(client, event_id, {**FORM, "phone": "01711555125"})
    assert first.status_code == again.status_code == new.status_code == 200
    strip = lambda text: text.replace("01711555125", "").replace("01711555124", "")  # noqa: E731
    assert strip(first.text.split("<main")[1]) == strip(again.text.split("<main")[1]) == strip(
        new.text.split("<main")[1])
    assert (await Participant.select().where(Participant.id == known).first())["name"] == "Known Person"
    assert await Registration.count().where((Registration.event == event_id) & (Registration.participant == known)) == 1
    assert await OutboxMessage.count().where(OutboxMessage.to_address == "+8801711555124") == 1


async def test_bad_input_is_shown_next_to_the_fields_and_saves_nothing(client):
    event_id = await _open_event()
    bad = await _submit(client, event_id, {**FORM, "phone": "12345", "name": "", "consent": ""})
    assert bad.status_code == 422
    assert "Enter a Bangladeshi mobile number" in bad.text and "Enter your name." in bad.text
    assert "agree to receive messages" in bad.text
    assert await Participant.count() == 0 and await Registration.count() == 0


async def test_capacity_puts_later_people_on_the_waitlist(client):
    event_id = await _open_event(capacity=1)
    await _submit(client, event_id, FORM)
    await _submit(client, event_id, {**FORM, "phone": "01711555126"})
    statuses = sorted(r["status"] for r in await Registration.select(Registration.status))
    assert statuses == ["registered", "waitlisted"]


async def test_honeypot_and_rate_limit(client):
    event_id = await _open_event()
    trapped = await _submit(client, event_id, {**FORM, "website": "http://spam.example"})
    assert trapped.status_code == 200 and await Participant.count() == 0
    for n in range(signup.MAX_PER_ADDRESS - 1):
        await _submit(client, event_id, {**FORM, "phone": f"0171155{n:04d}"})
    refused = await _submit(client, event_id, {**FORM, "phone": "01711559999"})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "3600"
    assert await SignupAttempt.count() == signup.MAX_PER_ADDRESS


async def test_organizer_opens_and_closes_the_page(client, create_user, login):
    event_id = await factories.make_event()
    await login(client, await create_user("organizer", districts=("khulna",)))
    page = await client.get(f"/manage/events/{event_id}/messages")
    assert "Open public registration" in page.text
    opened = await client.post(f"/manage/events/{event_id}/public-registration", data={"open": "1"})
    assert opened.status_code == 303
    assert await signup.is_open(event_id)
    page = await client.get(f"/manage/events/{event_id}/messages")
    assert f"/r/{event_id}" in page.text
    await client.post(f"/manage/events/{event_id}/public-registration", data={"open": "0"})
    assert not await signup.is_open(event_id)
