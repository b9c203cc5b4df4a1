"""The date-sensitive pages (coordinator dashboard, summary of this year and month, the home page's coming
events) with the clock on the last day of a month, on 1 January and a year ahead: "today", "this month"
and the home page's today, week ahead and months follow the portal's clock in Dhaka, never the machine's date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.core import clock as portal_clock
from portal.core.i18n import format_when
from portal.reports import summary
from tests.helpers import PORTAL_TZ, TEST_NOW

pytestmark = pytest.mark.anyio

INSTANTS = [
    dt.datetime(2027, 3, 31, 23, 30, tzinfo=PORTAL_TZ),  # the last half hour of a month
    dt.datetime(2028, 1, 1, 0, 30, tzinfo=PORTAL_TZ),  # 1 January in Dhaka, still 31 December in UTC
    TEST_NOW + dt.timedelta(days=366),  # a year after the suite's own date
]


@pytest.fixture(params=INSTANTS, ids=["month-end", "new-year", "year-ahead"])
async def world(request, clock, create_event, create_session, create_person, create_registration,
                create_checkin, create_certificate):
    """Events around "today" at the chosen instant, a check-in and a certificate made just now, and a
    check-in yesterday (another month, or year, on 1 January)."""
    clock.move_to(request.param)
    today = portal_clock.today(PORTAL_TZ)
    events = {}
    for title, days in (("Held today", 0), ("Tomorrow", 1), ("In 31 days", 31), ("Last week", -7),
                        ("Yesterday", -1)):
        events[title] = await create_event(title=title, start_date=today + dt.timedelta(days=days))
    person = await create_person()
    for title, at in (("Held today", portal_clock.now()),
                      ("Yesterday", dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10), PORTAL_TZ))):
        session = await create_session(events[title], at.astimezone(PORTAL_TZ).date())
        registration = await create_registration(events[title], person)
        await create_checkin(registration, session, at)
    await create_certificate(registration, issued_at=portal_clock.now() - dt.timedelta(minutes=1))
    return today


@pytest.fixture
async def staff_client(world, client, create_user, login):
    """A coordinator logged in at the chosen instant (a session from the suite's own date has expired)."""
    return await login(client, await create_user("coordinator"))


async def test_dashboard_shows_this_month_and_the_next_30_days(staff_client, world):
    today = world
    response = await staff_client.get("/manage/reports/dashboard")
    assert response.status_code == 200
    upcoming = response.text.split("Upcoming events", 1)[1].split("<h2>", 1)[0]
    assert "Held today" in upcoming and "Tomorrow" in upcoming
    assert "In 31 days" not in upcoming and "Last week" not in upcoming and "Yesterday" not in upcoming
    yesterday_this_month = (today - dt.timedelta(days=1)).month == today.month
    month = format_when(today.replace(day=1), "%d %b %Y")
    assert f"<strong>{1 + yesterday_this_month}</strong> check-ins since {month}" in response.text
    assert "<strong>1</strong> people attended this month" in response.text
    assert "<strong>1</strong> certificates issued this month" in response.text


async def test_home_shows_today_the_week_ahead_and_this_month_by_the_portal_clock(staff_client, world):
    today = world
    text = (await staff_client.get("/manage")).text

    def titles(heading_id: str) -> list[str]:
        part = text.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]
        return re.findall(r"<bdi[^>]*>([^<]+)</bdi>", part)

    assert titles("h-today") == ["Held today"]
    assert titles("h-week") == ["Tomorrow"]  # not today's, not in 31 days, nothing past
    # The check-ins chart ends with this month: today's check-in, and yesterday's when still this month.
    months = text.split('id="c-home-checkins-title"', 1)[1].split("</figure>", 1)[0]
    rows = re.findall(r"<tr><td><a [^>]*>([^<]+)</a></td><td>([0-9,]+)</td></tr>", months)
    assert rows[-1] == (format_when(today.replace(day=1), "%b %y"),
                        str(1 + ((today - dt.timedelta(days=1)).month == today.month)))


async def test_summary_of_this_year_and_of_this_month(staff_client, world):
    today = world
    page = await staff_client.get("/manage/reports/summary")
    assert page.status_code == 200
    assert f'value="{today.replace(month=1, day=1).isoformat()}"' in page.text  # the year so far, by default
    assert f'value="{today.isoformat()}"' in page.text
    year = await summary.period_summary(today.replace(month=1, day=1), today)
    month = await summary.period_summary(today.replace(day=1), today)
    in_year = (today - dt.timedelta(days=1)).year == today.year
    in_month = (today - dt.timedelta(days=1)).month == today.month
    assert (year.person_days, month.person_days) == (1 + in_year, 1 + in_month)
    assert sum(row["issued"] for row in month.certificates) == 1
    this_month = await staff_client.get(f"/manage/reports/summary?date_from={today.replace(day=1)}&date_to={today}")
    assert this_month.status_code == 200
