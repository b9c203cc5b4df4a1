"""The ticket page carries the later features' sections: the participant's certificate and the
participant materials of the event's course, each downloadable with the ticket token alone."""

import pytest

from portal.certificates import eligibility, issue
from portal.events.tables import Registration
from tests.factories import make_event_with_sessions, make_registration
from tests.trainings.uploads import make_course_with_material, upload

pytestmark = pytest.mark.anyio


async def test_ticket_page_shows_certificate_and_materials(client, create_user, settings):
    coordinator = await create_user("coordinator")
    event_id, sessions = await make_event_with_sessions(kind="district_workshop", district="khulna", days=1,
                                                        title="Workshop")
    registration_id = await make_registration(event_id, attend=sessions)
    await eligibility.set_override(coordinator, event_id, registration_id, "yes", "test")
    certificate, _ = await issue.issue_one(coordinator, event_id, registration_id)
    course = await make_course_with_material(coordinator, settings, event_id)
    await upload(settings, course["course_id"], coordinator, title="Participant handout", audience="participants")
    token = (await Registration.select(Registration.ticket_token).where(Registration.id == registration_id)
             .first())["ticket_token"]

    page = await client.get(f"/t/{token}")
    assert page.status_code == 200
    assert certificate["serial"] in page.text
    pdf = await client.get(f"/t/{token}/certificate/{certificate['serial']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Participant handout" in page.text
    assert "Trainer manual" not in page.text  # the course's trainer-only file stays hidden
