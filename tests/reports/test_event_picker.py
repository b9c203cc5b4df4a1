"""The export form's event picker: a select of events, narrowed by a search (htmx, or the Find button
without JavaScript), offering only the events the user may see."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.anyio


def options(html: str) -> list[tuple[str, str]]:
    """(value, text) of the event select's options (or of a bare list of options)."""
    select = re.search(r'<select id="event" name="event".*?</select>', html, re.S)
    body = select.group(0) if select else html
    return [(value, re.sub(r"\s+", " ", text).strip())
            for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', body, re.S)]


@pytest.fixture
async def events(create_event):
    """Events in three districts, the Sylhet ones the newest."""
    ids = {"dhaka": await create_event(title="Safe migration workshop", district="dhaka",
                                       start_date=dt.date(2026, 11, 1)),
           "khulna": await create_event(title="Returnee consultation", district="khulna", venue="Shilpakala",
                                        start_date=dt.date(2026, 11, 2))}
    for n in range(20):
        ids[f"sylhet{n}"] = await create_event(title=f"Sylhet meeting {n}", district="sylhet",
                                               start_date=dt.date(2026, 11, 10) + dt.timedelta(days=n))
    return ids


async def test_the_form_offers_all_events_then_the_latest(staff_client, events):
    page = await staff_client.get("/manage/reports/attendance")
    assert page.status_code == 200
    found = options(page.text)
    assert found[0] == ("", "All events")
    assert len(found) == 1 + 15  # a short list: the latest fifteen
    assert found[1][1].startswith(f"#{events['sylhet19']} · Sylhet meeting 19 · 29 Nov 2026")


@pytest.mark.parametrize(("text", "expected"), [
    ("consult", ["khulna"]),  # part of the title
    ("shilpa", ["khulna"]),  # the venue
    ("DHAKA", ["dhaka"]),  # the district (and nothing in Dhaka's titles)
])
async def test_the_search_finds_events_by_title_venue_or_district(staff_client, events, text, expected):
    response = await staff_client.get(f"/manage/reports/attendance/events?event_q={text}",
                                      headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert [value for value, _ in options(response.text)] == ["", *[str(events[key]) for key in expected]]


async def test_the_search_finds_an_event_by_its_number(staff_client, events):
    number = events["khulna"]
    response = await staff_client.get(f"/manage/reports/attendance/events?event_q=%23{number}")
    assert (str(number), f"#{number} · Returnee consultation · 02 Nov 2026 · Khulna") in options(response.text)


async def test_the_chosen_event_stays_while_searching(staff_client, events):
    chosen = events["dhaka"]
    response = await staff_client.get(f"/manage/reports/attendance/events?event_q=sylhet&event={chosen}")
    found = options(response.text)
    assert found[1][0] == str(chosen) and f'<option value="{chosen}" selected>' in response.text
    assert len(found) == 1 + 1 + 15


async def test_a_search_that_finds_nothing_says_so(staff_client, events):
    response = await staff_client.get("/manage/reports/attendance/events?event_q=zzz")
    assert "No event matches “zzz”" in response.text


async def test_without_javascript_the_find_button_narrows_the_select(staff_client, events):
    page = await staff_client.get("/manage/reports/attendance?event_q=consult&format=xlsx")
    assert [value for value, _ in options(page.text)] == ["", str(events["khulna"])]
    assert 'value="consult"' in page.text and 'formaction="/manage/reports/attendance"' in page.text
    assert '<option value="xlsx" selected>' in page.text  # the other choices are kept


async def test_an_organizer_finds_only_their_districts_events(client, create_user, login, events):
    await login(client, await create_user("organizer", districts=("khulna",)))
    page = await client.get("/manage/reports/attendance")
    assert [value for value, _ in options(page.text)] == ["", str(events["khulna"])]
    response = await client.get(f"/manage/reports/attendance/events?event_q=%23{events['dhaka']}"
                                f"&event={events['dhaka']}")
    assert str(events["dhaka"]) not in [value for value, _ in options(response.text)]
    assert "No event matches" in response.text


async def test_choosing_an_event_exports_it(staff_client, events):
    response = await staff_client.get(f"/manage/reports/attendance/export?event={events['khulna']}&format=csv")
    assert response.status_code == 200
    assert f"event-{events['khulna']}" in response.headers["content-disposition"]
