"""Times of day in Bangla as people say them ("সকাল ৯টা", "দুপুর ২:৩০"), the same on pages, PDFs and answers
(issue 18): one function, portal.core.i18n.format_time, that format_when and the `local` filter go through."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.core.i18n import bangla_time, format_time, format_when
from tests import factories
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("hour", "minute", "said"), [
    (0, 0, "রাত ১২টা"), (3, 59, "রাত ৩:৫৯"),            # after midnight is still night
    (4, 0, "ভোর ৪টা"), (5, 59, "ভোর ৫:৫৯"),             # dawn
    (6, 0, "সকাল ৬টা"), (9, 0, "সকাল ৯টা"), (11, 59, "সকাল ১১:৫৯"),
    (12, 0, "দুপুর ১২টা"), (14, 30, "দুপুর ২:৩০"), (14, 59, "দুপুর ২:৫৯"),
    (15, 0, "বিকেল ৩টা"), (17, 59, "বিকেল ৫:৫৯"),
    (18, 0, "সন্ধ্যা ৬টা"), (19, 59, "সন্ধ্যা ৭:৫৯"),
    (20, 0, "রাত ৮টা"), (21, 0, "রাত ৯টা"), (23, 59, "রাত ১১:৫৯"),
    (9, 5, "সকাল ৯:০৫"),                                # minutes keep their leading zero
])
def test_each_part_of_the_day_starts_and_ends_where_people_say_it(hour, minute, said):
    assert bangla_time(dt.time(hour, minute)) == said
    assert format_time(dt.datetime(2026, 11, 23, hour, minute), "bn") == said
    assert format_time(dt.time(hour, minute), "en") == f"{hour:02d}:{minute:02d}"


def test_dates_with_a_time_say_the_time_the_same_way():
    moment = dt.datetime(2026, 11, 23, 14, 30, tzinfo=PORTAL_TZ)
    assert format_when(moment, "%a %d %b %Y, %H:%M", "bn") == "সোম ২৩ নভেম্বর ২০২৬, দুপুর ২:৩০"
    assert format_when(moment, "%H:%M", "bn") == "দুপুর ২:৩০"
    assert format_when(moment, "%d %b %Y %H:%M", "en") == "23 Nov 2026 14:30"
    assert format_when(moment.date(), "%d %b %Y", "bn") == "২৩ নভেম্বর ২০২৬"  # a date alone has no time


async def test_a_bangla_ticket_page_says_its_session_times_the_bangla_way(client, db):
    event_id = await factories.make_event(title="Khulna workshop")
    await factories.make_session(event_id, title="Day 1", hours=(9, 15))
    registration = await factories.make_registration(event_id)
    client.cookies["lang"] = "bn"
    page = (await client.get(f"/t/{await factories.ticket_token(registration)}")).text
    assert "সকাল ৯টা–বিকেল ৩টা" in page
    assert "09:00" not in page and "৯:০০" not in page
    client.cookies["lang"] = "en"
    assert "09:00–15:00" in (await client.get(f"/t/{await factories.ticket_token(registration)}")).text
