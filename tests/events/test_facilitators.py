"""Facilitators per session: assigning, refusing bad input, the home page and the sign-in sheet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.events.facilitators import services
from portal.events.tables import Participant, SessionFacilitator

pytestmark = pytest.mark.anyio
ACTOR = Actor(id=None, label="tests")


@pytest.fixture
async def event(create_event_with_sessions, clock):
    today = clock.now().date()
    return await create_event_with_sessions(3, today, title="Khulna district workshop")


async def test_assign_to_several_sessions_and_list_by_session(event, create_person):
    event_id, sessions = event
    speaker = await create_person(name="Farida Yasmin")
    added = await services.assign(event_id, {"participant_id": str(speaker), "role": "guest_speaker",
                                             "topic": "Remittances", "sessions": [str(s) for s in sessions[:2]]},
                                  ACTOR)
    assert added == 2
    by_session = await services.by_session(event_id)
    assert [r["name"] for r in by_session[sessions[0]]] == ["Farida Yasmin"]
    assert sessions[2] not in by_session
    assert await services.names(event_id) == ["Farida Yasmin"]
    again = {"participant_id": str(speaker), "role": "trainer", "sessions": [str(sessions[0])]}
    with pytest.raises(DomainError) as excinfo:
        await services.assign(event_id, again, ACTOR)
    assert excinfo.value.code == "already_assigned"


@pytest.mark.parametrize(("values", "field"), [
    ({"role": "boss"}, "role"), ({"sessions": []}, "sessions"), ({"sessions": ["999999"]}, "sessions"),
    ({"participant_id": "abc"}, "participant_id"), ({"participant_id": "999999"}, "participant_id"),
    ({"topic": "x" * 201}, "topic"),
])
async def test_bad_input_saves_nothing(event, create_person, values, field):
    event_id, sessions = event
    person = await create_person()
    form = {"participant_id": str(person), "role": "trainer", "sessions": [str(sessions[0])], **values}
    with pytest.raises(ValidationFailed) as excinfo:
        await services.assign(event_id, form, ACTOR)
    assert field in excinfo.value.errors
    assert await SessionFacilitator.count() == 0


async def test_a_session_of_another_event_is_refused(event, create_event_with_sessions, create_person):
    other_id, other_sessions = await create_event_with_sessions(1)
    with pytest.raises(ValidationFailed):
        await services.assign(event[0], {"participant_id": str(await create_person()), "role": "trainer",
                                         "sessions": [str(other_sessions[0])]}, ACTOR)
    with pytest.raises(NotFound):
        await services.remove(other_id, 1, ACTOR)


async def test_the_facilitator_sees_their_sessions_at_home_and_the_sheet_names_them(
        client, login, create_user, create_person, event):
    event_id, sessions = event
    trainer = await create_user("trainer", name="Rahim Uddin")
    person = await create_person(name="Rahim Uddin", email=trainer.email)
    await services.assign(event_id, {"participant_id": str(person), "role": "trainer", "topic": "Safe migration",
                                     "sessions": [str(sessions[1])]}, ACTOR)
    await login(client, trainer)
    home = await client.get("/manage")
    assert "Sessions you lead" in home.text and "Safe migration" in home.text and "Day 2" in home.text
    client.cookies.clear()
    client.headers.pop("x-csrftoken", None)
    await login(client, await create_user("coordinator"))
    sheet = await client.get(f"/manage/events/{event_id}/sessions/{sessions[1]}/sheet.pdf")
    text = PdfReader(io.BytesIO(sheet.content)).pages[0].extract_text()
    assert "Facilitators: Rahim Uddin (Trainer)" in text
    other = await client.get(f"/manage/events/{event_id}/sessions/{sessions[0]}/sheet.pdf")
    assert "Facilitators" not in PdfReader(io.BytesIO(other.content)).pages[0].extract_text()


async def test_the_page_assigns_and_removes(client, login, create_user, create_person, event):
    event_id, sessions = event
    await create_person(name="Nasreen Akter")
    await login(client, await create_user("organizer", districts=("khulna",)))
    page = await client.get(f"/manage/events/{event_id}/facilitators", params={"find": "Nasreen"})
    assert page.status_code == 200 and "Nasreen Akter" in page.text
    person = await Participant.select().where(Participant.name == "Nasreen Akter").first()
    bad = await client.post(f"/manage/events/{event_id}/facilitators", data={"participant_id": person["id"],
                                                                           "role": "trainer"})
    assert bad.status_code == 422 and "at least one session" in bad.text
    made = await client.post(f"/manage/events/{event_id}/facilitators", data={
        "participant_id": person["id"], "role": "resource_person", "sessions": [sessions[0], sessions[2]]})
    assert made.status_code == 303
    again = await client.post(f"/manage/events/{event_id}/facilitators", data={
        "participant_id": person["id"], "role": "trainer", "sessions": [sessions[0]]})
    assert again.status_code == 303 and again.headers["location"] == f"/manage/events/{event_id}/facilitators"
    assert "This person already leads the chosen sessions." in (await client.get(again.headers["location"])).text
    assert await SessionFacilitator.count() == 2
    row = await SessionFacilitator.select().first()
    assert await SessionFacilitator.count() == 2
    gone = await client.post(f"/manage/events/{event_id}/facilitators/{row['id']}/remove")
    assert gone.status_code == 303 and await SessionFacilitator.count() == 1
