"""Certificates of a step-down training: participation, issued by the trainer where the programme allows it,
signed by the trainer, naming the facilitators."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.certificates.tables import Certificate, ProgrammeSettings, Signatory
from portal.core.audit import Actor
from portal.events.facilitators import services as facilitators
from portal.events.tables import Registration
from tests import factories
from tests.stepdown.conftest import make_master_trainer

pytestmark = pytest.mark.anyio


async def step_down_with_people(user, course: int, people: int = 6) -> tuple[int, list[int]]:
    event_id, sessions = await factories.make_event_with_sessions(2, kind="step_down", organizer=user.id,
                                                                  course=course, status="completed")
    for n in range(people):
        await factories.make_registration(event_id, attend=sessions if n % 3 else sessions[:1])
    return event_id, sessions


async def test_the_trainer_issues_and_signs(client, login, create_user):
    user, course, _, person = await make_master_trainer(create_user, name="Salma Khatun")
    event_id, sessions = await step_down_with_people(user, course)
    await ProgrammeSettings.insert(ProgrammeSettings(step_down_issuer="trainer"))
    await Signatory.insert(Signatory(position=1, name="Programme Director", title="IOM Bangladesh"),
                           Signatory(position=2, name="Deputy Secretary", title="Ministry"),
                           Signatory(position=3, name="Third Person", title="Not printed here"))
    guest = await factories.make_person(name="Guest Speaker Rina")
    await facilitators.assign(event_id, {"participant_id": str(guest), "role": "guest_speaker",
                                         "sessions": [str(sessions[0])]}, Actor(id=None, label="tests"))
    await login(client, user)
    for registration in await Registration.select(Registration.id).where(Registration.event == event_id):
        issued = await client.post(f"/manage/events/{event_id}/certificates/{registration['id']}/issue")
        assert issued.status_code == 303
    rows = await Certificate.select(Certificate.kind)
    assert len(rows) == 4 and {r["kind"] for r in rows} == {"participation"}  # 2 of 6 came on one day only
    pdf = await client.get(f"/manage/events/{event_id}/certificates/print")
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Salma Khatun" in text and "Master trainer" in text
    assert "Programme Director" in text and "Deputy Secretary" in text and "Third Person" not in text
    assert "Facilitated by Guest Speaker Rina" in text


async def test_other_events_keep_the_programme_signatories(create_user):
    from portal.certificates.delivery import signatories_for
    from portal.certificates.programme import load

    await Signatory.insert(Signatory(position=1, name="Programme Director", title="IOM"))
    programme = await load()
    assert [s.name for s in signatories_for({"event_kind": "district_workshop", "organizer_name": "X"},
                                            programme)] == ["Programme Director"]
    assert [s.name for s in signatories_for({"event_kind": "step_down", "organizer_name": "Salma"},
                                            programme)] == ["Salma", "Programme Director"]


async def test_the_admin_setting_is_saved_and_checked(client, login, create_user):
    await login(client, await create_user("admin"))
    bad = await client.post("/manage/certificate-settings", data={"programme_name": "P", "step_down_issuer": "x"})
    assert bad.status_code == 422
    good = await client.post("/manage/certificate-settings", data={"programme_name": "P",
                                                                   "step_down_issuer": "trainer"})
    assert good.status_code == 303
    assert (await ProgrammeSettings.select(ProgrammeSettings.step_down_issuer).first())["step_down_issuer"] == \
        "trainer"
