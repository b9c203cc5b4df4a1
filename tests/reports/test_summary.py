"""The period summary (service, page, workbook) and the coordinator dashboard."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from portal.certificates.tables import Certificate
from portal.core import clock as portal_clock
from portal.events.tables import CheckIn
from portal.reports import summary
from tests.helpers import TEST_NOW
from tests.reports.conftest import DHAKA

pytestmark = pytest.mark.anyio
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


async def test_events_held_by_kind_and_district(attendance_world, create_event):
    await create_event(title="Draft", status="draft")
    result = await summary.period_summary(*YEAR)
    assert result.events == [{"kind": "District workshop", "district": "Dhaka", "events": 1}]


async def test_unique_participants_and_person_days_match_the_database(attendance_world):
    result = await summary.period_summary(*YEAR)
    in_db = await CheckIn.select(CheckIn.registration.participant).where(
        CheckIn.registration.event.start_date <= YEAR[1], CheckIn.registration.event.start_date >= YEAR[0])
    assert (result.participants, result.person_days) == (len({r["registration.participant"] for r in in_db}),
                                                          len(in_db))


async def test_disaggregation_adds_up_to_the_totals(attendance_world):
    result = await summary.period_summary(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert sum(r["participants"] for r in result.disaggregation) == result.participants == 3
    assert sum(r["person_days"] for r in result.disaggregation) == result.person_days == 5


async def test_disaggregation_splits_by_gender_and_stakeholder_type(attendance_world):
    result = await summary.period_summary(*YEAR)
    cells = {(r["stakeholder_type"], r["gender"]): r["participants"] for r in result.disaggregation}
    assert cells == {("Government", "Female"): 1, ("Civil society (CSO)", "Male"): 1,
                     ("Returnee migrant", "Female"): 1}


async def test_certificates_count_by_issue_date_and_leave_out_revoked(attendance_world, create_certificate):
    issued = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)
    await Certificate.update({Certificate.issued_at: issued}).where(Certificate.id > 0)
    await create_certificate(attendance_world["registrations"][1], issued_at=issued, revoked_at=issued)
    result = await summary.period_summary(*YEAR)
    assert result.certificates == [{"kind": "Participation", "issued": 1}]


async def test_pool_counts_active_master_trainers_by_district(attendance_world, create_pool_member):
    people = attendance_world["people"]
    await create_pool_member(people[0], "dhaka")
    await create_pool_member(people[1], "dhaka")
    await create_pool_member(people[2], "sylhet", status="inactive")
    assert await summary.pool_by_district() == [{"district": "Dhaka", "active": 2}]


async def test_scope_limits_the_summary_to_the_districts(attendance_world):
    result = await summary.period_summary(dt.date(2026, 1, 1), dt.date(2027, 12, 31), scope=("sylhet",))
    assert (result.events_held, result.participants) == (1, 1)


async def test_summary_page_shows_figures_and_charts(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/summary?date_from=2026-01-01&date_to=2026-12-31")
    assert response.status_code == 200
    assert "<svg" in response.text and "<title" in response.text and "The figures as a table" in response.text
    assert "Person-days of attendance" in response.text


async def test_summary_fragment_is_the_body_alone(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/summary?date_from=2026-01-01", headers={"HX-Request": "true"})
    assert "<svg" in response.text and "<html" not in response.text


async def test_bad_period_is_a_400(staff_client):
    response = await staff_client.get("/manage/reports/summary?date_from=2026-12-01&date_to=2026-01-01")
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text


async def test_summary_workbook_has_a_sheet_per_table(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/summary/export?date_from=2026-01-01&date_to=2026-12-31")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Totals", "Events", "Disaggregation", "Certificates", "Master trainers",
                               "Knowledge by event", "Knowledge by group", "Cascade totals", "Cascade trainers",
                               "Cascade reach by group", "Cascade by district", "Cascade by month",
                               "Cascade generations"]
    totals = {row[0]: row[1] for row in book["Totals"].iter_rows(min_row=2, values_only=True)}
    assert totals["Person-days of attendance"] == 4


async def test_dashboard_lists_upcoming_events(staff_client, create_event):
    today = portal_clock.today(DHAKA)
    await create_event(title="Next week", start_date=today + dt.timedelta(days=7))
    await create_event(title="Far away", start_date=today + dt.timedelta(days=90))
    response = await staff_client.get("/manage/reports/dashboard")
    assert "Next week" in response.text and "Far away" not in response.text


async def test_low_attendance_sessions_are_those_under_half(create_event, create_session, create_person,
                                                            create_registration, create_checkin):
    today = dt.date(2026, 12, 10)
    event = await create_event(start_date=dt.date(2026, 12, 1))
    weak = await create_session(event, dt.date(2026, 12, 1), "Weak")
    good = await create_session(event, dt.date(2026, 12, 2), "Good")
    regs = [await create_registration(event, await create_person()) for _ in range(4)]
    await create_checkin(regs[0], weak)
    for reg in regs[:2]:
        await create_checkin(reg, good)
    low = await summary.low_attendance_sessions(today)
    assert [(s["title"], s["present"], s["registered"]) for s in low] == [("Weak", 1, 4)]


@pytest.mark.parametrize("local_now", [
    dt.datetime(2027, 3, 31, 23, 59, tzinfo=DHAKA),  # the last minute of a month
    dt.datetime(2028, 1, 1, 0, 30, tzinfo=DHAKA),  # 1 January in Dhaka, still 31 December in UTC
    TEST_NOW + dt.timedelta(days=366),  # a year after the suite's own date
], ids=["month-end", "new-year", "year-ahead"])
async def test_dashboard_counts_this_months_check_ins(attendance_world, clock, local_now):
    clock.move_to(local_now)
    first_two = list(attendance_world["registrations"][:2])
    await CheckIn.update({CheckIn.at: portal_clock.now()}).where(CheckIn.registration.is_in(first_two))
    data = await summary.dashboard(portal_clock.today(DHAKA))
    assert (data["month_checkins"], data["month_people"]) == (3, 2)
