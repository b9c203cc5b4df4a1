"""The manage page of an event leads to everything done with the event, for everyone who may do it."""

import html
import re

import pytest

from portal.events.tables import Session

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["coordinator", "organizer", "admin"])
async def event_staff_client(request, client, login, create_user):
    districts = ("khulna",) if request.param == "organizer" else ()
    return await login(client, await create_user(request.param, districts=districts))


def _links(page: str) -> set[str]:
    return {html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)}


async def test_detail_page_links_to_the_events_pages_and_each_sessions_tools(event_staff_client, event_id):
    page = await event_staff_client.get(f"/manage/events/{event_id}")
    assert page.status_code == 200
    links = _links(page.text)
    base = f"/manage/events/{event_id}"
    expected = {
        f"{base}/registrations", f"{base}/import", f"{base}/certificates",
        f"/manage/reports/attendance?event={event_id}",
        f"/manage/reports/attendance/export?event={event_id}&format=csv",
    }
    for session in await Session.select(Session.id).where(Session.event == event_id):
        prefix = f"{base}/sessions/{session['id']}"
        expected |= {f"{prefix}/attendance", f"{prefix}/scan", f"{prefix}/display", f"{prefix}/sheet.pdf"}
    assert expected <= links, sorted(expected - links)
    # Every one of them is a page this user may open.
    for url in sorted(expected):
        response = await event_staff_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
