"""The audit log page: rows written by real actions (check-in, undo, person edits, event changes), its
filters, paging, district scope per role, CSV/XLSX export, and the page in Bangla."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from portal.events.checkin import services as checkin
from portal.events.checkin.corrections import Correction
from portal.events.participants import services as participants
from portal.reports import audit_log
from tests import factories

pytestmark = pytest.mark.anyio

URL = "/manage/audit/"


# Entered after the sessions (dated 23 November): by hand, with the reason the audit page shows.
PAPER = Correction("paper", "signed the sheet")

@pytest.fixture
async def world(db, create_user):
    """Dhaka: a two-day event, 30 people checked in to both days by a coordinator (60 entries, more than a
    page), one check-in undone. Khulna: an event whose 3 people an organizer checked in, and a person the
    organizer edited."""
    coordinator = await create_user("coordinator", name="Coord Rahman")
    organizer = await create_user("organizer", districts=("khulna",), name="Org Akter")
    dhaka_event, dhaka_sessions = await factories.make_event_with_sessions(2, district="dhaka", title="Dhaka workshop")
    khulna_event, khulna_sessions = await factories.make_event_with_sessions(1, district="khulna",
                                                                            title="Khulna workshop")
    dhaka_regs = []
    for n in range(30):
        person = await factories.make_person(name=f"Dhaka person {n}", district="dhaka")
        dhaka_regs.append(await factories.make_registration(dhaka_event, person))
    for session_id in dhaka_sessions:
        for reg in dhaka_regs:
            await checkin.check_in(session_id, coordinator.actor(), registration_id=reg, method="manual",
                                   by_user=coordinator.id, correction=PAPER)
    await checkin.undo(dhaka_sessions[0], dhaka_regs[0], coordinator.actor(),
                       correction=Correction("wrong_person", "his brother's ticket"))
    khulna_people, khulna_regs = [], []
    for n in range(3):
        person = await factories.make_person(name=f"Khulna person {n}", district="khulna")
        khulna_people.append(person)
        reg = await factories.make_registration(khulna_event, person)
        khulna_regs.append(reg)
        await checkin.check_in(khulna_sessions[0], organizer.actor(), registration_id=reg, method="manual",
                               by_user=organizer.id, correction=PAPER)
    await participants.update_participant(khulna_people[0], {
        "name": "Khulna person zero", "gender": "female", "stakeholder_type": "government", "district": "khulna",
        "phone": "01711000999"}, organizer)
    return {"coordinator": coordinator, "organizer": organizer, "dhaka": (dhaka_event, dhaka_sessions, dhaka_regs),
            "khulna": (khulna_event, khulna_sessions, khulna_regs, khulna_people)}


def _entries(text: str) -> int:
    return text.count('<tr>') - 1  # minus the header row


async def test_coordinator_sees_every_entry_paged(client, login, world):
    await login(client, world["coordinator"])
    first = await client.get(URL)
    assert first.status_code == 200
    # 60 check-ins, 1 undo, 3 check-ins, 1 person edit and the 2 staff accounts the fixture made
    assert "67 entries" in first.text
    assert _entries(first.text) == audit_log.PAGE_SIZE
    assert "Page 1 of 2" in first.text
    second = await client.get(URL + "?page=2", headers={"HX-Request": "true"})
    assert "<html" not in second.text and _entries(second.text) == 67 - audit_log.PAGE_SIZE


async def test_filter_by_event_and_session(client, login, world):
    await login(client, world["coordinator"])
    khulna_event, khulna_sessions, *_ = world["khulna"]
    by_event = await client.get(URL, params={"event": khulna_event})
    assert "3 entries" in by_event.text
    dhaka_event, dhaka_sessions, _ = world["dhaka"]
    by_session = await client.get(URL, params={"event": dhaka_event, "session": dhaka_sessions[1]})
    assert "30 entries" in by_session.text
    first_day = await client.get(URL, params={"event": dhaka_event, "session": dhaka_sessions[0]})
    assert "31 entries" in first_day.text  # 30 check-ins and the undo


async def test_filter_by_person_id_and_name(client, login, world):
    await login(client, world["coordinator"])
    person = world["khulna"][3][0]
    by_id = await client.get(URL, params={"person": str(person)})
    assert "2 entries" in by_id.text  # the check-in and the edit
    by_name = await client.get(URL, params={"person": "Dhaka person 0"})
    # Dhaka person 0 (2 check-ins + undo), and 0x names don't exist beyond it
    assert "3 entries" in by_name.text


async def test_filter_by_staff_action_and_dates(client, login, world):
    await login(client, world["coordinator"])
    organizer = world["organizer"]
    by_staff = await client.get(URL, params={"staff": organizer.id})
    assert "4 entries" in by_staff.text
    undo = await client.get(URL, params={"action": "checkin.undo"})
    assert "1 entry" in undo.text and "Check-in undone" in undo.text
    assert "<del>" in undo.text  # what was removed is shown
    edit = await client.get(URL, params={"action": "participant.update"})
    assert "<del><bdi>Khulna person 0</bdi></del>" in edit.text
    assert "<ins><bdi>Khulna person zero</bdi></ins>" in edit.text
    today = dt.date(2026, 12, 5)  # TEST_NOW in Dhaka
    same_day = await client.get(URL, params={"from": today.isoformat(), "to": today.isoformat()})
    assert "67 entries" in same_day.text
    later = await client.get(URL, params={"from": (today + dt.timedelta(days=1)).isoformat()})
    assert "0 entries" in later.text and "No entries match" in later.text


async def test_bad_filters_are_a_400_with_a_message(client, login, world):
    await login(client, world["coordinator"])
    response = await client.get(URL, params={"from": "yesterday", "event": "x"})
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in response.text and "Choose from the list." in response.text
    backwards = await client.get(URL, params={"from": "2026-12-05", "to": "2026-12-01"})
    assert backwards.status_code == 400 and "before the start date" in backwards.text
    assert (await client.get(URL + "export", params={"format": "pdf"})).status_code == 400


async def test_organizer_sees_only_their_districts(client, login, world):
    await login(client, world["organizer"])
    response = await client.get(URL)
    assert response.status_code == 200
    assert "4 entries" in response.text  # Khulna's 3 check-ins and the person edit
    dhaka_event = world["dhaka"][0]
    assert "0 entries" in (await client.get(URL, params={"event": dhaka_event})).text
    assert "Dhaka workshop" not in response.text  # not even in the event list


async def test_roles(client, login, create_user, world):
    assert (await client.get(URL)).status_code in (303, 401)
    await login(client, await create_user("trainer"))
    assert (await client.get(URL)).status_code == 403
    client.cookies.clear()
    client.headers.pop("x-csrftoken", None)
    await login(client, await create_user("admin"))
    assert "69 entries" in (await client.get(URL)).text  # and the two accounts made here


async def test_csv_and_xlsx_exports_carry_the_filtered_rows(client, login, world):
    await login(client, world["coordinator"])
    dhaka_event = world["dhaka"][0]
    response = await client.get(URL + "export", params={"event": dhaka_event, "format": "csv"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 61 and {r["Action code"] for r in rows} == {"checkin.create", "checkin.undo"}
    assert any('"registration"' in r["Before"] for r in rows)
    xlsx = await client.get(URL + "export", params={"format": "xlsx", "action": "participant.update"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 and "Khulna person zero" in sheet.cell(2, 10).value


async def test_organizer_export_is_scoped(client, login, world):
    await login(client, world["organizer"])
    response = await client.get(URL + "export", params={"format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 4


async def test_the_page_and_export_in_bangla(client, login, world):
    await login(client, world["coordinator"])
    client.cookies.set("lang", "bn")
    response = await client.get(URL)
    assert "অডিট লগ" in response.text
    assert "৬৭" in response.text and "67 entries" not in response.text
    assert "চেক-ইন বাতিল" in (await client.get(URL, params={"action": "checkin.undo"})).text
    export = await client.get(URL + "export", params={"format": "csv"})
    header = export.content.decode("utf-8-sig").splitlines()[0]
    assert "কখন" in header and "When" not in header
