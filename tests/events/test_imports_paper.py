"""Attendance from paper (issue 15): a list with day columns ticked imports check-ins with the method "paper" at
the session's start, once per person and session, audited, and counted as attendance everywhere."""

import io
import json
import re

import pytest
from openpyxl import Workbook

from portal.certificates.eligibility import event_standings, load_event
from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.imports import paper
from portal.events.imports import services as imports
from portal.events.tables import CheckIn, Participant, Registration, Session
from portal.reports import attendance

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")
# name, mobile, Day 1, Day 2: every way of writing present and absent the issue names.
SHEET = [
    ("Rahima Begum", "01711234501", "✓", "P"),
    ("Karim Uddin", "01711234502", "1", "উপস্থিত"),
    ("Nasima Akter", "01711234503", "yes", ""),
    ("Shahidul Islam", "01711234504", "A", "0"),
    ("Salma Khatun", "01711234505", "অনুপস্থিত", "✔"),
    ("Abdul Jabbar", "01711234506", "", "absent"),
]


def sheet_xlsx(rows=SHEET, headers=("Name", "Mobile", "Day 1", "Day 2")) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["Sign-in sheet, Khulna workshop"])  # a title row above the header, as typed up
    ws.append([])
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def sessions_of(event_id):
    return await Session.select().where(Session.event == event_id).order_by(Session.starts_at)


async def located(event_id, data=None):
    table = imports.read_table("sheet.xlsx", data or sheet_xlsx())
    mapping = imports.guess_mapping(table.headers)
    columns = paper.guess_sessions(table.headers, set(mapping.values()), await paper.event_sessions(event_id))
    return table, mapping, columns


@pytest.mark.parametrize(("text", "present"), [
    ("✓", True), ("✔", True), ("√", True), ("P", True), ("p", True), ("1", True), ("১", True), ("yes", True),
    ("Present", True), ("উপস্থিত", True), ("", False), ("A", False), ("a", False), ("0", False), ("০", False),
    ("no", False), ("absent", False), ("অনুপস্থিত", False), ("-", False), ("late?", None), ("x2", None),
])
def test_marks_present_and_absent(text, present):
    assert paper.mark(text) is present


async def test_day_columns_are_matched_to_the_sessions(event_id):
    table, mapping, columns = await located(event_id)
    day1, day2 = await sessions_of(event_id)
    assert mapping == {"name": 0, "phone": 1}
    assert columns == {2: day1["id"], 3: day2["id"]}
    headers = ["Name", "দিন ২", "2nd day", day1["starts_at"].strftime("%d/%m/%Y"), "Remarks"]
    guessed = paper.guess_sessions(headers, {0}, await paper.event_sessions(event_id))
    assert guessed[1] == day2["id"] and 4 not in guessed and 2 not in guessed  # day 2 is taken by column 1


async def test_ticks_become_paper_check_ins_at_the_session_start_and_are_audited(event_id):
    table, mapping, columns = await located(event_id)
    counts = await imports.commit(event_id, table, mapping, ACTOR, sessions=columns)
    assert counts["registered"] == 6 and counts["checkins"] == 6
    day1, day2 = await sessions_of(event_id)
    rows = await CheckIn.select(CheckIn.registration.participant.name.as_alias("name"), CheckIn.session,
                                CheckIn.at, CheckIn.method)
    present = sorted((r["name"], r["session"]) for r in rows)
    assert present == sorted([("Rahima Begum", day1["id"]), ("Rahima Begum", day2["id"]),
                              ("Karim Uddin", day1["id"]), ("Karim Uddin", day2["id"]),
                              ("Nasima Akter", day1["id"]), ("Salma Khatun", day2["id"])])
    starts = {day1["id"]: day1["starts_at"], day2["id"]: day2["starts_at"]}
    assert all(r["method"] == "paper" and r["at"] == starts[r["session"]] for r in rows)
    entries = await AuditEntry.select(AuditEntry.after).where(AuditEntry.action == "checkin.create")
    assert len(entries) == 6 and all(json.loads(e["after"])["method"] == "paper" for e in entries)


async def test_importing_the_same_sheet_again_adds_no_check_in(event_id):
    table, mapping, columns = await located(event_id)
    await imports.commit(event_id, table, mapping, ACTOR, sessions=columns)
    again = await imports.commit(event_id, table, mapping, ACTOR, sessions=columns)
    assert (again["checkins"], again["checkins_already"], again["already"]) == (0, 6, 6)
    assert await CheckIn.count() == 6
    assert await Registration.count() == 6 and await Participant.count() == 6
    assert await AuditEntry.count().where(AuditEntry.action == "checkin.create") == 6


async def test_a_person_checked_in_by_scan_keeps_that_check_in(event_id, register_person):
    registration = await register_person(event_id, name="Rahima Begum", phone="+8801711234501")
    day1, _day2 = await sessions_of(event_id)
    scanned = CheckIn(registration=registration["id"], session=day1["id"], method="ticket_scan")
    await scanned.save()
    table, mapping, columns = await located(event_id)
    counts = await imports.commit(event_id, table, mapping, ACTOR, sessions=columns)
    assert counts["already"] == 1 and counts["checkins"] == 5 and counts["checkins_already"] == 1
    mine = await CheckIn.select(CheckIn.session, CheckIn.method).where(CheckIn.registration == registration["id"])
    assert sorted((r["session"] == day1["id"], r["method"]) for r in mine) == [(False, "paper"), (True, "ticket_scan")]


async def test_a_mark_that_cannot_be_read_refuses_the_row_naming_the_column(event_id):
    data = sheet_xlsx([("Rahima Begum", "01711234501", "late?", "✓"), ("Karim Uddin", "01711234502", "✓", "")])
    table, mapping, columns = await located(event_id, data)
    results = (await imports.preview(event_id, table, mapping, sessions=columns)).results
    assert [sorted(r.errors) for r in results] == [["attendance"], []]
    assert "Day 1" in results[0].errors["attendance"] and "late?" in results[0].errors["attendance"]


async def test_paper_check_ins_count_for_certificates_and_exports(event_id):
    table, mapping, columns = await located(event_id)
    await imports.commit(event_id, table, mapping, ACTOR, sessions=columns)
    standings = {s.name: s for s in await event_standings(await load_event(None, event_id))}
    assert standings["Rahima Begum"].attended == 2 and standings["Rahima Begum"].eligible
    assert standings["Nasima Akter"].attended == 1 and not standings["Nasima Akter"].eligible
    assert standings["Shahidul Islam"].attended == 0
    rows = await attendance.count_rows(attendance.AttendanceFilter(event_id=event_id), "long")
    assert rows == 6
    assert attendance.METHODS["paper"] == "Paper sign-in sheet"


async def test_the_sheet_through_the_pages_with_the_sessions_chosen(staff_client, event_id):
    answer = await staff_client.post(f"/manage/events/{event_id}/import",
                                     files={"file": ("sheet.xlsx", sheet_xlsx(), "x/y")})
    assert answer.status_code == 200 and "Attendance from paper" in answer.text
    day1, day2 = await sessions_of(event_id)
    assert re.search(rf'name="att_2">.*?<option value="{day1["id"]}" selected>', answer.text, re.S)
    assert "Present at: Day 1, Day 2" in answer.text
    action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', answer.text).group(1)
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', answer.text))
    for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', answer.text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[select] = chosen.group(1) if chosen else ""
    form["att_3"] = ""  # the coordinator says the second day column is not attendance
    committed = await staff_client.post(action + "/commit", data=form)
    assert committed.status_code == 303
    assert await CheckIn.count() == 3 and await CheckIn.count().where(CheckIn.session == day2["id"]) == 0
    listed = await staff_client.get(f"/manage/events/{event_id}/sessions/{day1['id']}/attendance")
    assert listed.status_code == 200 and "paper sign-in sheet" in listed.text
