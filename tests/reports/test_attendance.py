"""Attendance exports: the data function and the CSV/XLSX it feeds, read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from portal.events.tables import CheckIn, Registration, Session
from portal.exports import pseudonymise
from portal.reports import attendance
from portal.reports.attendance import AttendanceFilter, build_export, stream_body
from tests.helpers import next_second

pytestmark = pytest.mark.anyio
SECRET = "test-secret-key" * 3
DHAKA = dt.timezone(dt.timedelta(hours=6))


async def export_bytes(flt: AttendanceFilter, shape: str = "long", fmt: str = "csv") -> tuple[str, bytes]:
    export = await build_export(flt, shape, fmt, SECRET)
    body = b"".join([chunk async for chunk in stream_body(export.body)])
    return export.filename, body


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(body: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return list(sheet.iter_rows(values_only=True))


async def test_long_shape_has_one_row_per_check_in(attendance_world):
    _, body = await export_bytes(AttendanceFilter())
    assert len(read_csv(body)) == await CheckIn.count()


@pytest.mark.parametrize(("flt", "expected"), [
    (AttendanceFilter(district="dhaka"), 4),
    (AttendanceFilter(kind="tot"), 1),
    (AttendanceFilter(gender="male"), 2),
    (AttendanceFilter(stakeholder_type="returnee"), 1),
    (AttendanceFilter(date_from=dt.date(2027, 1, 1)), 1),
    (AttendanceFilter(date_to=dt.date(2026, 12, 31), gender="female"), 3),
    (AttendanceFilter(scope=("sylhet",)), 1),
    (AttendanceFilter(scope=()), 0),
])
async def test_long_shape_filters_match_the_database(attendance_world, flt, expected):
    _, body = await export_bytes(flt)
    rows = read_csv(body)
    assert len(rows) == expected == await attendance.count_rows(flt, "long")


async def test_event_filter_matches_a_count_of_its_check_ins(attendance_world):
    flt = AttendanceFilter(event_id=attendance_world["dhaka"])
    _, body = await export_bytes(flt)
    in_db = await CheckIn.count().where(CheckIn.registration.event == attendance_world["dhaka"])
    assert len(read_csv(body)) == in_db == 4


async def test_course_filter_selects_events_of_that_course(attendance_world):
    from portal.events.tables import Event
    from portal.trainings.tables import Course

    course = Course(title="Safe migration")
    await course.save()
    await Event.update({Event.course: course.id}).where(Event.id == attendance_world["sylhet"])
    _, body = await export_bytes(AttendanceFilter(course_id=course.id))
    assert [r["Event"] for r in read_csv(body)] == ["Sylhet ToT"]


async def test_same_filter_gives_the_same_bytes(attendance_world):
    cases = [(flt, shape, fmt) for flt in (AttendanceFilter(district="dhaka"), AttendanceFilter(private=True))
             for shape in ("long", "wide") for fmt in ("csv", "xlsx")]
    first = [await export_bytes(*case) for case in cases]
    await next_second()
    assert [await export_bytes(*case) for case in cases] == first


async def test_file_name_says_what_is_in_it(attendance_world):
    flt = AttendanceFilter(district="dhaka", kind="tot", date_from=dt.date(2026, 1, 1),
                           date_to=dt.date(2026, 12, 31), private=True)
    name, _ = await export_bytes(flt, "wide", "xlsx")
    assert name == "attendance-wide_dhaka_tot_2026-01-01-to-2026-12-31_pseudonymised.xlsx"


async def test_csv_neutralises_formulas_and_keeps_bangla(attendance_world):
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]))
    first = read_csv(body)[0]
    assert first["Name"] == "'=HYPERLINK(\"http://x\")"
    assert first["Name (Bangla)"] == "রহিমা বেগম"


async def test_csv_dates_and_times_are_dhaka_wall_clock(create_event, create_person, create_registration,
                                                       create_checkin):
    # 00:30 in Dhaka is 18:30 UTC the day before: the session's date is the day in Dhaka.
    event = await create_event(start_date=dt.date(2026, 12, 3))
    starts = dt.datetime(2026, 12, 3, 0, 30, tzinfo=DHAKA)
    session = Session(event=event, title="Night", starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    await session.save()
    registration = await create_registration(event, await create_person())
    await create_checkin(registration, session.id, dt.datetime(2026, 12, 3, 0, 40, 59, 999999, tzinfo=DHAKA))
    _, body = await export_bytes(AttendanceFilter(event_id=event))
    (row,) = read_csv(body)
    assert (row["Session date"], row["Checked in at"]) == ("2026-12-03", "2026-12-03 00:40:59")


async def test_xlsx_cells_are_typed(attendance_world):
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]), "long", "xlsx")
    header, first = read_xlsx(body)[:2]
    row = dict(zip(header, first, strict=True))
    assert isinstance(row["Participant id"], int)
    assert row["Session date"] == dt.datetime(2026, 12, 1)
    assert row["Checked in at"] == dt.datetime(2026, 12, 1, 10, 2)


async def test_xlsx_keeps_formula_like_text_as_plain_text_and_keeps_bangla(attendance_world):
    # An XLSX text cell is never a formula: the text is written as it is, without the CSV apostrophe.
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]), "long", "xlsx")
    header, first = read_xlsx(body)[:2]
    row = dict(zip(header, first, strict=True))
    assert row["Name"] == "=HYPERLINK(\"http://x\")"
    assert row["Name (Bangla)"] == "রহিমা বেগম"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    name = sheet.cell(row=2, column=header.index("Name") + 1)
    assert name.data_type == "s" and name.value == "=HYPERLINK(\"http://x\")"  # a string cell, not "f"
    phone = sheet.cell(row=2, column=header.index("Phone") + 1)
    assert phone.data_type == "s" and phone.value.startswith("+880")


async def test_xlsx_header_row_is_frozen(attendance_world):
    _, body = await export_bytes(AttendanceFilter(), "long", "xlsx")
    assert openpyxl.load_workbook(io.BytesIO(body)).active.freeze_panes == "A2"


async def test_privacy_mode_replaces_names_and_phones_with_pseudonyms(attendance_world):
    _, body = await export_bytes(AttendanceFilter(private=True, event_id=attendance_world["dhaka"]))
    rows = read_csv(body)
    assert "Name" not in rows[0] and "Phone" not in rows[0]
    assert rows[0]["Participant (pseudonym)"] == pseudonymise(attendance_world["people"][0], SECRET)


async def test_wide_shape_has_a_row_per_registration_with_present_and_absent(attendance_world):
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]), "wide")
    rows = read_csv(body)
    assert len(rows) == await Registration.count().where(Registration.event == attendance_world["dhaka"])
    by_name = {r["Name"]: r for r in rows}
    assert (by_name["Karim"]["Day 1 2026-12-01"], by_name["Karim"]["Day 2 2026-12-02"]) == ("present", "absent")


async def test_wide_shape_totals_attendance_and_shows_the_certificate(attendance_world):
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]), "wide")
    first = read_csv(body)[0]
    assert (first["Sessions attended"], first["Sessions held"], first["Certificate"]) == ("2", "2", "DW-2026-0001")


async def test_wide_shape_total_attended_matches_the_check_ins(attendance_world):
    _, body = await export_bytes(AttendanceFilter(), "wide")
    assert sum(int(r["Sessions attended"]) for r in read_csv(body)) == await CheckIn.count()


async def test_wide_shape_leaves_out_cancelled_registrations(attendance_world):
    await Registration.update({Registration.status: "cancelled"}).where(
        Registration.id == attendance_world["registrations"][2])
    _, body = await export_bytes(AttendanceFilter(event_id=attendance_world["dhaka"]), "wide")
    assert len(read_csv(body)) == 2


@pytest.mark.parametrize("shape", ["long", "wide"])
async def test_batches_join_up_without_gaps_or_repeats(attendance_world, monkeypatch, shape):
    _, whole = await export_bytes(AttendanceFilter(), shape)
    monkeypatch.setattr(attendance, "BATCH", 2)
    assert await export_bytes(AttendanceFilter(), shape) == (_, whole)


async def test_rows_are_fetched_a_batch_at_a_time(attendance_world, monkeypatch):
    monkeypatch.setattr(attendance, "BATCH", 2)
    sizes = []
    real = attendance.long_batch

    async def spy(flt, after, size):
        rows = await real(flt, after, size)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(attendance, "long_batch", spy)
    await export_bytes(AttendanceFilter())
    assert sizes == [2, 2, 1]


@pytest.mark.parametrize(("query", "field"), [
    ({"district": "atlantis"}, "district"), ({"kind": "party"}, "kind"), ({"gender": "x"}, "gender"),
    ({"date_from": "yesterday"}, "date_from"), ({"event": "-1"}, "event"),
    ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
])
async def test_bad_filter_values_are_reported_per_field(query, field):
    _, errors = attendance.parse_filter(query)
    assert field in errors
