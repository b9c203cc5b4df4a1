"""The ticket page carries the later features' sections: the participant's certificate and the
participant materials of the event's course, each downloadable with the ticket token alone. The page
looks its token up once and hands the registration to every section; one length rule holds for every
place that takes a token."""

import pytest

from portal.certificates import eligibility, issue
from portal.events.registrations import services as registrations
from portal.events.tickets import sections
from tests.factories import make_event_with_sessions, make_registration, ticket_token
from tests.trainings.uploads import make_course_with_material, upload

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ticket(create_user, settings) -> dict:
    """A registration with a certificate, at an event whose course has a participant handout and a trainer manual."""
    coordinator = await create_user("coordinator")
    event_id, sessions = await make_event_with_sessions(kind="district_workshop", district="khulna", days=1,
                                                        title="Workshop")
    registration_id = await make_registration(event_id, attend=sessions)
    await eligibility.set_override(coordinator, event_id, registration_id, "yes", "test")
    certificate, _ = await issue.issue_one(coordinator, event_id, registration_id)
    course = await make_course_with_material(coordinator, settings, event_id)
    await upload(settings, course["course_id"], coordinator, title="Participant handout", audience="participants")
    return {"token": await ticket_token(registration_id), "serial": certificate["serial"]}


async def test_ticket_page_shows_certificate_and_materials(client, ticket):
    token = ticket["token"]
    page = await client.get(f"/t/{token}")
    assert page.status_code == 200
    assert ticket["serial"] in page.text
    pdf = await client.get(f"/t/{token}/certificate/{ticket['serial']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Participant handout" in page.text
    assert "Trainer manual" not in page.text  # the course's trainer-only file stays hidden


def test_later_features_register_their_sections():
    import portal.app  # noqa: F401 - the app imports every feature, as a server does

    assert {"certificates", "evaluation"} <= set(sections.registered())


async def test_ticket_page_looks_the_token_up_once(client, ticket, monkeypatch):
    calls = []
    lookup = registrations.by_token

    async def counted(token):
        calls.append(token)
        return await lookup(token)

    monkeypatch.setattr(registrations, "by_token", counted)
    page = await client.get(f"/t/{ticket['token']}")
    assert page.status_code == 200 and ticket["serial"] in page.text
    assert calls == [ticket["token"]]


@pytest.mark.parametrize("suffix", ["x", "x" * 10, "x" * 40])
async def test_a_token_with_more_than_the_column_holds_opens_nothing(client, ticket, suffix):
    long = (ticket["token"] + suffix)  # 23 to 62 characters: never cut down to a real token's prefix
    for url in (f"/t/{long}", f"/t/{long}/materials/", f"/t/{long}/certificate/{ticket['serial']}.pdf",
                f"/t/{long}/ticket.pdf"):
        assert (await client.get(url)).status_code == 404, url


@pytest.mark.parametrize("token", ["", "   ", "x" * 33, None])
def test_the_one_length_rule(token):
    assert registrations.clean_token(token) is None


def test_the_length_rule_keeps_a_real_token():
    token = registrations.new_token()
    assert registrations.clean_token(f" {token}\n") == token
    assert registrations.clean_token("x" * registrations.TOKEN_MAX) == "x" * registrations.TOKEN_MAX
