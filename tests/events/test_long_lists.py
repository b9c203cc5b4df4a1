"""An event's long lists (attendance, registrations, certificates) come a page at a time (100 rows), with
the counts over everyone and a search over every row, not only the page shown."""

import pytest

from portal.events.tables import Participant, Registration
from tests import factories
from tests.events.conftest import DHAKA  # noqa: F401 - fixtures come from the conftest

pytestmark = pytest.mark.anyio
HX = {"hx-request": "true"}
ROWS = 250


@pytest.fixture
async def crowd(event_id, session_id):
    """250 people registered ("Member 001" ...), every other one checked in to Day 1; the last by name is
    Zubaida Khatun, on the third page."""
    people = await Participant.insert(*[
        Participant(name=f"Member {n:03d}", district="khulna", phone=f"+88019{n:08d}") for n in range(ROWS - 1)
    ], Participant(name="Zubaida Khatun", district="khulna", phone="+8801999999999")).returning(Participant.id)
    for n, person in enumerate(people):
        await factories.make_registration(event_id, person["id"], attend=[session_id] if n % 2 else [])
    assert await Registration.count().where(Registration.event == event_id) == ROWS
    return event_id, session_id


async def test_attendance_list_pages_and_searches_every_row(staff_client, crowd):
    event_id, session_id = crowd
    base = f"/manage/events/{event_id}/sessions/{session_id}/attendance"
    first = await staff_client.get(base)
    assert first.status_code == 200
    assert first.text.count('<li id="att-') == 100 and "Member 000" in first.text
    assert "Zubaida Khatun" not in first.text and "Page 1 of 3" in first.text and "250 in all" in first.text
    last = await staff_client.get(f"{base}?page=3", headers=HX)
    assert "<html" not in last.text and last.text.count('<li id="att-') == 50 and "Zubaida Khatun" in last.text
    found = await staff_client.get(f"{base}?q=zubaida", headers=HX)
    assert found.text.count('<li id="att-') == 1 and "Zubaida Khatun" in found.text and "Page 1" not in found.text
    present = await staff_client.get(f"{base}?show=present&page=2", headers=HX)
    assert present.text.count('<li id="att-') == 25 and "Page 2 of 2" in present.text
    beyond = await staff_client.get(f"{base}?page=99")  # past the end: the last page
    assert beyond.status_code == 200 and "Zubaida Khatun" in beyond.text


async def test_registrations_page_pages_and_searches_every_row(staff_client, crowd):
    event_id, _ = crowd
    base = f"/manage/events/{event_id}/registrations"
    first = await staff_client.get(base)
    assert first.status_code == 200 and "Page 1 of 3" in first.text and "Zubaida Khatun" not in first.text
    assert first.text.count("Set role") == 100
    last = await staff_client.get(f"{base}?page=3", headers=HX)
    assert last.text.count("Set role") == 50 and "Zubaida Khatun" in last.text
    found = await staff_client.get(f"{base}?q=Zubaida", headers=HX)
    assert found.text.count("Set role") == 1 and "Zubaida Khatun" in found.text


async def test_certificates_page_pages_and_searches_every_row(staff_client, crowd):
    event_id, _ = crowd
    base = f"/manage/events/{event_id}/certificates/"
    first = await staff_client.get(base)
    assert first.status_code == 200 and "Page 1 of 3" in first.text and "Zubaida Khatun" not in first.text
    assert first.text.count('<li class="standing">') == 100
    last = await staff_client.get(f"{base}?page=3", headers=HX)
    assert "<html" not in last.text and last.text.count('<li class="standing">') == 50
    assert "Zubaida Khatun" in last.text
    found = await staff_client.get(f"{base}?q=zubaida", headers=HX)
    assert found.text.count('<li class="standing">') == 1 and "Zubaida Khatun" in found.text
