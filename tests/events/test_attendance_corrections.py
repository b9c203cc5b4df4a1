"""Attendance corrections say why (issue 18): undoing a check-in and entering one by hand after check-in closed
take a reason from a short list (free text for "other") and the time it really happened; stored on the
(undone) check-in and in the audit entry, shown on the attendance list and the audit page. Bad input is a 422
with the message at the field, and nothing is saved."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from portal.core import clock
from portal.core.tables import AuditEntry
from portal.events.tables import CheckIn, UndoneCheckIn
from tests import factories
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio
HX = {"HX-Request": "true"}
FORM_TIME = "%Y-%m-%dT%H:%M"


@pytest.fixture
async def past(db):
    """A one-day Khulna workshop three days ago (09:00-17:00 Dhaka: check-in has closed), one person registered
    and one checked in."""
    day = clock.today(PORTAL_TZ) - dt.timedelta(days=3)
    event_id, [session_id] = await factories.make_event_with_sessions(days=1, start=day, title="Past workshop")
    absent = await factories.make_registration(event_id, await factories.make_person("Rahima Begum"))
    present = await factories.make_registration(event_id, await factories.make_person("Karim Sheikh"),
                                                attend=[session_id])
    base = f"/manage/events/{event_id}/sessions/{session_id}/attendance"
    return {"event": event_id, "session": session_id, "day": day, "absent": absent, "present": present,
            "base": base}


def _at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute)).strftime(FORM_TIME)


async def _nothing_undone() -> bool:
    return (await CheckIn.count() == 1 and await UndoneCheckIn.count() == 0
            and not await AuditEntry.exists().where(AuditEntry.action == "checkin.undo"))


async def test_an_undo_without_a_reason_is_refused_and_changes_nothing(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['present']}/undo", headers=HX)
    assert response.status_code == 422
    assert 'id="reason-{}-error"'.format(past["present"]) in response.text and "Choose why from the list." in \
        response.text
    assert "<details class=\"correction\" open>" in response.text  # the form stays open to correct
    assert await _nothing_undone()


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"reason": "other"}, "reason_note", "Say in a few words why."),
    ({"reason": "sneezed"}, "reason", "Choose why from the list."),
    ({"reason": "left_early", "at": "tomorrow at noon"}, "at", "Enter a date and time"),
    ({"reason": "left_early", "at": "2026-02-30T10:00"}, "at", "Enter a date and time"),
    ({"reason": "duplicate", "reason_note": "x" * 301}, "reason_note", "At most 300 characters."),
])
async def test_bad_undo_input_is_a_422_at_its_field(staff_client, past, form, field, message):
    response = await staff_client.post(f"{past['base']}/{past['present']}/undo", headers=HX, data=form)
    assert response.status_code == 422 and message in response.text
    assert f'id="{field}-{past["present"]}-error"' in response.text
    assert await _nothing_undone()


async def test_an_undo_time_before_the_sessions_day_or_in_the_future_is_refused(staff_client, past):
    url = f"{past['base']}/{past['present']}/undo"
    before = await staff_client.post(url, headers=HX, data={"reason": "left_early",
                                                            "at": _at(past["day"] - dt.timedelta(days=1), 16)})
    assert before.status_code == 422 and "before the session" in before.text
    future = (clock.now() + dt.timedelta(hours=2)).astimezone(PORTAL_TZ).strftime(FORM_TIME)
    later = await staff_client.post(url, headers=HX, data={"reason": "left_early", "at": future})
    assert later.status_code == 422 and "cannot be in the future" in later.text
    assert await _nothing_undone()


async def test_an_undo_with_its_reason_is_kept_on_the_row_the_audit_and_the_list(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['present']}/undo", headers=HX, data={
        "reason": "left_early", "reason_note": "went back to the upazila office", "at": _at(past["day"], 11, 30)})
    assert response.status_code == 200 and await CheckIn.count() == 0
    undone = await UndoneCheckIn.select().first()
    assert (undone["reason"], undone["reason_note"]) == ("left_early", "went back to the upazila office")
    assert undone["happened_at"] == dt.datetime.combine(past["day"], dt.time(11, 30), PORTAL_TZ)
    entry = await AuditEntry.select().where(AuditEntry.action == "checkin.undo").output(load_json=True).first()
    assert entry["after"]["reason"] == "left_early" and entry["note"] == "went back to the upazila office"
    assert entry["before"]["registration"] == past["present"]  # what was removed stays in the entry
    # The row answers with why; so does the list.
    assert "Left early" in response.text and "went back to the upazila office" in response.text
    page = (await staff_client.get(past["base"])).text
    assert "Check-in undone" in page and "Left early" in page and "11:30" in page


async def test_a_tap_after_check_in_closed_asks_why_and_when(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['absent']}", headers=HX)
    assert response.status_code == 200 and await CheckIn.count() == 1  # only Karim's
    assert 'name="reason"' in response.text and "Came late and signed on paper" in response.text
    now = clock.now().astimezone(PORTAL_TZ).strftime(FORM_TIME)
    assert f'name="at" value="{now}"' in response.text  # the time defaults to now
    # Confirming without a reason (the old way) is refused.
    refused = await staff_client.post(f"{past['base']}/{past['absent']}", headers=HX, data={"confirm": "1"})
    assert refused.status_code == 422 and "say why" in refused.text and await CheckIn.count() == 1


async def test_a_late_check_in_by_hand_is_recorded_at_the_time_it_happened_with_why(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['absent']}", headers=HX, data={
        "reason": "paper", "reason_note": "", "at": _at(past["day"], 10, 15)})
    assert response.status_code == 200
    row = await CheckIn.select().where(CheckIn.registration == past["absent"]).first()
    assert row["at"] == dt.datetime.combine(past["day"], dt.time(10, 15), PORTAL_TZ)
    assert (row["reason"], row["method"]) == ("paper", "manual")
    entry = await AuditEntry.select().where(AuditEntry.action == "checkin.create").output(load_json=True).first()
    assert entry["after"]["reason"] == "paper" and entry["after"]["happened_at"].startswith(past["day"].isoformat())
    assert "Entered afterwards: Came late and signed on paper" in response.text and "Present since 10:15" in \
        response.text


async def test_a_late_check_in_without_a_time_is_refused(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['absent']}", headers=HX,
                                       data={"reason": "paper", "at": ""})
    assert response.status_code == 422 and "Enter when it happened." in response.text
    assert await CheckIn.count() == 1


async def test_without_javascript_a_refusal_is_the_list_with_the_form_open(staff_client, past):
    response = await staff_client.post(f"{past['base']}/{past['present']}/undo", data={"reason": ""})
    assert response.status_code == 422 and "<h1>" in response.text and "Choose why from the list." in response.text
    assert await _nothing_undone()


async def test_the_audit_page_and_export_say_why_in_bangla(staff_client, past):
    await staff_client.post(f"{past['base']}/{past['present']}/undo", headers=HX,
                            data={"reason": "wrong_person", "reason_note": "ভাইয়ের টিকিট"})
    staff_client.cookies["lang"] = "bn"
    page = (await staff_client.get("/manage/audit/")).text
    assert "কারণ: ভুল ব্যক্তিকে স্ক্যান করা হয়েছে" in page and "ভাইয়ের টিকিট" in page
    xlsx = await staff_client.get("/manage/audit/export", params={"format": "xlsx", "action": "checkin.undo"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    assert "কারণ" in header and sheet.cell(2, header.index("কারণ") + 1).value == "ভুল ব্যক্তিকে স্ক্যান করা হয়েছে"


async def test_the_bangla_list_says_why_in_bangla(staff_client, past):
    await staff_client.post(f"{past['base']}/{past['absent']}", headers=HX,
                            data={"reason": "paper", "at": _at(past["day"], 9)})
    staff_client.cookies["lang"] = "bn"
    page = (await staff_client.get(past["base"])).text
    assert "পরে লেখা হয়েছে: দেরিতে এসে কাগজে স্বাক্ষর করেছেন" in page and "সকাল ৯টা" in page
