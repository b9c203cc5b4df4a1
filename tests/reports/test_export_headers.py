"""Export headers in the requester's language (issue 18): a Bangla reader gets Bangla column headers and sheet
names, `headers=en` gives the stable English ones whatever the page's language, and the participant import reads
both (a list exported in Bangla can be imported again, each column to its field). Files are read back: CSV as
text, XLSX with openpyxl."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from portal.core import vocab
from portal.core.i18n import translate
from portal.events.imports import values
from portal.events.imports.services import guess_mapping
from portal.reports import attendance

pytestmark = pytest.mark.anyio
URL = "/manage/reports/attendance/export"
SUMMARY = "/manage/reports/summary/export"
ENGLISH = ["Participant id", "Name", "Name (Bangla)", "Phone", "Organisation", "Stakeholder type", "Gender",
           "Participant's district", "Event id", "Event", "Event kind", "Event district", "Session", "Session date",
           "Checked in at", "Method"]
BANGLA = ["অংশগ্রহণকারীর আইডি", "নাম", "নাম (বাংলা)", "ফোন", "প্রতিষ্ঠান", "অংশীজনের ধরন", "লিঙ্গ",
          "অংশগ্রহণকারীর জেলা", "অনুষ্ঠানের আইডি", "অনুষ্ঠান", "অনুষ্ঠানের ধরন", "অনুষ্ঠানের জেলা", "সেশন",
          "সেশনের তারিখ", "চেক-ইনের সময়", "পদ্ধতি"]


def _csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_bangla_reader_gets_bangla_headers_and_english_when_asked(staff_client, attendance_world):
    staff_client.cookies["lang"] = "bn"
    bangla = await staff_client.get(URL, params={"format": "csv", "event": attendance_world["dhaka"]})
    assert bangla.status_code == 200 and _csv_header(bangla.content) == BANGLA
    english = await staff_client.get(URL, params={"format": "csv", "event": attendance_world["dhaka"],
                                                  "headers": "en"})
    assert _csv_header(english.content) == ENGLISH
    # The rows are the same data whatever the headers.
    assert len(bangla.content.splitlines()) == len(english.content.splitlines()) == 5


async def test_the_xlsx_has_a_bangla_sheet_and_header_row(staff_client, attendance_world):
    staff_client.cookies["lang"] = "bn"
    response = await staff_client.get(URL, params={"format": "xlsx", "shape": "wide"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert sheet.title == "উপস্থিতি"
    assert header[:3] == BANGLA[:3] and "ভূমিকা" in header and "উপস্থিত সেশন" in header and "সনদপত্র" in header
    assert "Name" not in header and "Role" not in header


async def test_an_english_reader_keeps_the_english_headers(staff_client, attendance_world):
    response = await staff_client.get(URL, params={"format": "csv"})
    assert _csv_header(response.content) == ENGLISH


@pytest.mark.parametrize("headers", [ENGLISH, BANGLA])
def test_the_import_reads_an_exports_headers_in_either_language(headers):
    mapping = guess_mapping(headers)
    assert mapping == {"name": 1, "name_bn": 2, "phone": 3, "organisation": 4, "stakeholder_type": 5,
                       "gender": 6, "district": 7}  # the event's kind and district are not the person's


def test_the_header_language_travels_with_an_export_job():
    flt, errors = attendance.parse_filter({"headers": "bn", "district": "dhaka"})
    again, _ = attendance.parse_filter(flt.as_query())
    assert not errors and again.headers == "bn" and again == flt


async def test_the_pool_and_audit_exports_follow_the_reader(staff_client, attendance_world):
    staff_client.cookies["lang"] = "bn"
    pool = await staff_client.get("/manage/pool/export")
    assert _csv_header(pool.content)[:3] == ["নাম", "নাম (বাংলা)", "জেলা"]
    audit = await staff_client.get("/manage/audit/export", params={"format": "csv", "headers": "en"})
    assert _csv_header(audit.content)[:3] == ["Entry", "When", "Who"]


async def test_the_cascade_workbook_names_its_sheets_in_bangla(staff_client, attendance_world):
    staff_client.cookies["lang"] = "bn"
    response = await staff_client.get("/manage/reports/cascade/export",
                                      params={"date_from": "2026-01-01", "date_to": "2026-12-31"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "ক্যাসকেড – মোট"
    assert [cell.value for cell in workbook.worksheets[0][1]] == ["পরিমাপ", "মান"]



async def test_the_summary_workbook_names_its_sheets_and_headers_in_the_readers_language(staff_client,
                                                                                         attendance_world):
    staff_client.cookies["lang"] = "bn"
    params = {"date_from": "2026-01-01", "date_to": "2026-12-31", "format": "xlsx"}
    bangla = openpyxl.load_workbook(io.BytesIO((await staff_client.get(SUMMARY, params=params)).content))
    asked_in_english = await staff_client.get(SUMMARY, params={**params, "headers": "en"})
    english = openpyxl.load_workbook(io.BytesIO(asked_in_english.content))
    assert bangla.sheetnames[:5] == ["মোট", "অনুষ্ঠান", "বিভাজন", "সনদপত্র", "মাস্টার ট্রেইনার"]
    assert english.sheetnames[:5] == ["Totals", "Events", "Disaggregation", "Certificates", "Master trainers"]
    assert [cell.value for cell in bangla["অনুষ্ঠান"][1]] == ["অনুষ্ঠানের ধরন", "জেলা", "অনুষ্ঠিত অনুষ্ঠান"]
    assert [cell.value for cell in english["Events"][1]] == ["Event kind", "District", "Events held"]
    assert [cell.value for cell in bangla["বিভাজন"][1]] == ["অংশগ্রহণকারীর জেলা", "অংশীজনের ধরন", "লিঙ্গ",
                                                           "অংশগ্রহণকারী", "ব্যক্তি-দিবস"]


async def test_the_cells_follow_the_headers_and_read_back_on_import(staff_client, attendance_world):
    """Labels and district names come in the export's language (a job's too: it has no request to ask), and
    the import's value step reads them back to the same codes in either language."""
    staff_client.cookies["lang"] = "bn"
    rows = {}
    for lang in ("bn", "en"):
        response = await staff_client.get(URL, params={"format": "csv", "event": attendance_world["dhaka"],
                                                       "headers": lang})
        rows[lang] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    karim_bn = next(r for r in rows["bn"] if r[1] == "Karim")
    karim_en = next(r for r in rows["en"] if r[1] == "Karim")
    assert karim_bn[5:8] == ["নাগরিক সমাজ (সিএসও)", "পুরুষ", "ঢাকা"] and karim_bn[-1] == "ম্যানুয়াল"
    assert karim_en[5:8] == ["Civil society (CSO)", "Male", "Dhaka"] and karim_en[-1] == "By hand"
    for row in (karim_bn, karim_en):
        assert values.resolve("stakeholder_type", row[5]) == "cso" and values.resolve("gender", row[6]) == "male"
        assert values.resolve("district", row[7]) == "dhaka"


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_every_label_the_exports_write_reads_back(lang):
    for field, vocabulary in (("gender", vocab.GENDERS), ("stakeholder_type", vocab.STAKEHOLDER_TYPES)):
        for code, label in dict.items(vocabulary):
            assert values.resolve(field, translate(label, lang)) == code, (field, code, lang)
