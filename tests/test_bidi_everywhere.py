"""Bidi controls are dropped from every form field and upload name, through one function, and from
rows stored before (issue 13, item 7)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from litestar.datastructures import MultiDict

from portal.core.tables import AuditEntry
from portal.core.validation import clean_text
from portal.core.web import form_dict
from portal.events.management import services
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import Event, Participant, Session
from portal.stored_text import clean_stored_text
from portal.trainings.files import display_name
from portal.trainings.tables import Material, MaterialVersion
from tests.trainings.uploads import pdf_bytes

pytestmark = pytest.mark.anyio
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
BIDI = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def test_one_function_drops_controls_and_bidi_but_keeps_marks_and_bangla():
    assert clean_text(f"Ra{RLO}hima{LRI} Begum{PDI}\x00\x07") == "Rahima Begum"
    assert clean_text(BIDI) == ""
    assert clean_text("রহিমা\u200f বেগম\u200e\tনাম\n") == "রহিমা\u200f বেগম\u200e\tনাম\n"


def test_every_form_field_goes_through_it():
    form = form_dict(MultiDict([("name", f"A{RLO}B"), ("districts", f"kh{LRI}ulna"), ("districts", "sylhet")]),
                     ("districts",))
    assert form == {"name": "AB", "districts": ["khulna", "sylhet"]}


def test_upload_names_go_through_it():
    assert display_name(f"invoice{RLO}fdp.exe") == "invoicefdp.exe"
    assert display_name(f"{LRI}manual{PDI}.pdf") == "manual.pdf"


async def test_a_walk_in_name_and_organisation_reach_the_directory_clean(app, client, create_user, clock):
    coordinator = await create_user("coordinator")
    tz = ZoneInfo("Asia/Dhaka")
    day = clock.now().astimezone(tz).date()
    clock.move_to(dt.datetime.combine(day, dt.time(10), tz))  # during the event's one session
    event_id = await services.create_event(
        {"kind": "district_workshop", "title": "Open", "district": "khulna", "start_date": day.isoformat(),
         "end_date": day.isoformat(), "walk_ins": "on"}, coordinator, tz)
    session_id = (await Session.select(Session.id).where(Session.event == event_id).first())["id"]
    code = selfcheck.code_for(app.state.settings.secret_key, session_id, clock.now().timestamp())
    await client.get("/c")
    answer = await client.post(f"/c/{session_id}/{code}", data={
        "how": "walk_in", "name": f"Evil{RLO} Name{LRI}", "organisation": f"Org{RLO}anisation",
        "phone": "01911-000777", "_csrf_token": client.cookies["csrftoken"]})
    assert answer.status_code == 200, answer.text
    assert RLO not in answer.text and LRI not in answer.text
    row = await Participant.select(Participant.name, Participant.organisation).first()
    assert row == {"name": "Evil Name", "organisation": "Organisation"}


async def test_material_titles_and_file_names_are_stored_clean(staff_client):
    course = await staff_client.post("/manage/courses", data={"title": f"Course{RLO}"})
    course_id = int(course.headers["location"].rsplit("/", 1)[1])
    answer = await staff_client.post(
        f"/manage/courses/{course_id}/materials",
        data={"title": f"Manual{RLO} 2026", "description": f"d{LRI}", "audience": "trainers", "language": "en"},
        files={"file": (f"hand{RLO}fdp.pdf", pdf_bytes(2000), "application/pdf")})
    assert answer.status_code == 303, answer.text
    assert (await Material.select(Material.title, Material.description).first()) == {
        "title": "Manual 2026", "description": "d"}
    assert (await MaterialVersion.select(MaterialVersion.file_name).first())["file_name"] == "handfdp.pdf"


async def test_rows_stored_before_are_cleaned_and_the_audit_log_is_left_alone(db, create_user):
    coordinator = await create_user("coordinator")
    person = Participant(name=f"Karim{RLO} Sheikh", organisation=f"{LRI}WARBE{PDI}", district="khulna",
                         phone="+8801711000001")
    await person.save()
    event = Event(kind="district_workshop", title=f"Title{RLO}", description="line one\nline two\ttab",
                  district="khulna", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1),
                  organizer=coordinator.id)
    await event.save()
    await AuditEntry.insert(AuditEntry(actor=f"old{RLO}", action="x", record_type="y", record_id="1"))
    changed = await clean_stored_text()
    assert changed == {"participant.name": 1, "participant.organisation": 1, "event.title": 1}
    assert await Participant.select(Participant.name, Participant.organisation).first() == {
        "name": "Karim Sheikh", "organisation": "WARBE"}
    assert (await Event.select(Event.description).first())["description"] == "line one\nline two\ttab"
    assert RLO in (await AuditEntry.select(AuditEntry.actor).where(AuditEntry.action == "x").first())["actor"]
    assert await clean_stored_text() == {}
