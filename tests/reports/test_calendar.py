"""The iCalendar feed: parsed back with icalendar."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.anyio


async def events_of(client, url: str) -> list:
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


async def test_feed_has_published_events_as_all_day_dates(client, create_event):
    await create_event(title="Dhaka workshop", start_date=dt.date(2099, 3, 1), end_date=dt.date(2099, 3, 2))
    (event,) = await events_of(client, "/calendar.ics")
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (dt.date(2099, 3, 1), dt.date(2099, 3, 3))


async def test_drafts_are_left_out(client, create_event):
    await create_event(title="Secret plan", status="draft", start_date=dt.date(2099, 3, 1))
    assert await events_of(client, "/calendar.ics") == []


async def test_cancelled_events_are_marked_cancelled(client, create_event):
    await create_event(status="cancelled", start_date=dt.date(2099, 3, 1))
    (event,) = await events_of(client, "/calendar.ics")
    assert str(event["status"]) == "CANCELLED"


async def test_uids_are_stable_between_fetches(client, create_event):
    await create_event(start_date=dt.date(2099, 3, 1))
    first = [str(e["uid"]) for e in await events_of(client, "/calendar.ics")]
    assert first == [str(e["uid"]) for e in await events_of(client, "/calendar.ics")]
    assert first[0].startswith("event-")


async def test_text_with_commas_semicolons_and_bangla_round_trips(client, create_event):
    title = "Workshop; day 1, ঢাকা\\ part"
    await create_event(title=title, venue="Hall A, Level 2", start_date=dt.date(2099, 3, 1))
    (event,) = await events_of(client, "/calendar.ics")
    assert (str(event["summary"]), str(event["location"])) == (title, "Hall A, Level 2, Dhaka")


async def test_district_feed_has_only_that_district(client, create_event):
    await create_event(title="In Sylhet", district="sylhet", start_date=dt.date(2099, 3, 1))
    await create_event(title="In Dhaka", district="dhaka", start_date=dt.date(2099, 3, 1))
    events = await events_of(client, "/calendar/sylhet.ics")
    assert [str(e["summary"]) for e in events] == ["In Sylhet"]


@pytest.mark.parametrize("path", ["/calendar/atlantis.ics", "/calendar/sylhet.txt"])
async def test_unknown_district_calendar_is_404(client, path):
    assert (await client.get(path)).status_code == 404


async def test_text_is_escaped_in_the_file(client, create_event):
    await create_event(title="A; B, C", start_date=dt.date(2099, 3, 1))
    assert b"SUMMARY:A\\; B\\, C" in (await client.get("/calendar.ics")).content
