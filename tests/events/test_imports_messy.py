"""Participant lists as district offices keep them (issue 15): title rows, Bangla headers, values written
every which way, phones as Excel stores them, totals and signatures, several sheets, CSV in three
encodings, a value-mapping step remembered for the next file, big files, and bad files refused."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.imports import jobs as import_jobs
from portal.events.imports import sample
from portal.events.imports import services as imports
from portal.events.imports.tables import ImportValueMapping
from portal.events.tables import Participant, Registration

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


def xlsx(rows, title="Sheet", more=None):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, extra in (more or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def located(data, name="list.xlsx"):
    table = imports.read_table(name, data)
    return table, imports.guess_mapping(table.headers)


async def test_the_district_office_list_imports_14_of_14_with_the_automatic_mapping(event_id):
    table, mapping = located(sample.messy_workbook())
    assert table.header_row == 4  # under a merged title, a subtitle and a blank row
    checked = await imports.preview(event_id, table, mapping)
    assert [r.errors for r in checked.results if not r.ok] == [] and checked.unknown == []
    assert [r.line for r in checked.results] == list(range(5, 19))  # Excel's row numbers
    assert [(n, reason) for n, reason, _text in table.skipped] == [
        (19, "a total or subtotal"), (22, "a signature or approval line"), (23, "a signature or approval line")]
    people = {r.line: r.parsed for r in checked.results}
    assert [people[n].gender for n in (5, 7, 8, 9, 12, 13, 14, 16)] == [
        "female", "female", "male", "female", "third_gender", "female", "undisclosed", "third_gender"]
    assert [people[n].stakeholder_type for n in (5, 6, 7, 8, 9, 10, 11, 15)] == [
        "ngo_partner", "government", "government", "returnee", "cso", "government", "returnee_family",
        "government"]
    assert [people[n].district for n in (5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 18)] == [
        "jashore", "jashore", "jashore", "cumilla", "chattogram", "chattogram", "chattogram", "bogura",
        "barishal", "dhaka", "coxs-bazar", "sylhet"]  # old spellings, Bangla, upazilas, a merged cell
    assert [people[n].phone for n in (5, 6, 7, 8, 9, 10)] == [
        "+8801711234501", "+8801711234502", "+8801711234503", "+8801711234504", "+8801711234505",
        "+8801711234506"]  # a number without its 0, dashes, 880 without +, Bangla digits, two in a cell
    assert checked.results[4].notes and "01811234505" in checked.results[4].notes[0]
    assert people[9].name == '=HYPERLINK("mailto:salma@example.org","Salma Khatun")'  # kept as text
    assert people[5].name_bn == "রহিমা বেগম"
    counts = await imports.commit(event_id, table, mapping, ACTOR)
    assert (counts["created"], counts["registered"], counts["skipped"]) == (14, 14, 0)
    assert await Participant.count() == 14 and await Registration.count().where(Registration.event == event_id) == 14


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
async def test_csv_in_utf8_with_and_without_bom_and_in_windows_1252(event_id, encoding):
    table, mapping = located(sample.messy_csv(encoding), "list.csv")
    assert table.header_row == 3 and [n for n, *_ in table.skipped] == [18]
    checked = await imports.preview(event_id, table, mapping)
    assert checked.valid == 14, [r.errors for r in checked.results]


async def test_an_unknown_value_is_asked_once_and_remembered_for_the_next_file(event_id, plan_event):
    rows = [["Name", "Gender", "Type", "District"],
            ["Rahima Begum", "Fmale", "Imam", "Khulna"],
            ["Nasima Akter", "Fmale", "Imam", "Khulna"],
            ["Karim Sheikh", "M", "Imam", "Mars"]]
    table, mapping = located(xlsx(rows))
    checked = await imports.preview(event_id, table, mapping)
    assert [(u.field, u.text, u.rows, u.first_row) for u in checked.unknown] == [
        ("district", "Mars", 1, 4), ("gender", "Fmale", 2, 2), ("stakeholder_type", "Imam", 3, 2)]
    assert checked.valid == 0
    assert checked.results[0].errors["gender"].startswith("Gender “Fmale” is not one of the list")
    choices = {u.form_field: code for u, code in zip(checked.unknown, ["khulna", "female", "other"], strict=True)}
    checked = await imports.preview(event_id, table, mapping, choices)
    assert checked.valid == 3 and checked.results[2].parsed.district == "khulna"
    await imports.commit(event_id, table, mapping, ACTOR, choices)
    assert await ImportValueMapping.count() == 3
    assert await AuditEntry.count().where(AuditEntry.action == "import.value_mapping") == 3
    # The next file: the same words are understood without asking.
    other = await plan_event()
    rows = [["Name", "Gender", "Type", "District"], ["Shirin Akter", "fmale", "IMAM", "mars"]]
    table, mapping = located(xlsx(rows))
    checked = await imports.preview(other, table, mapping)
    assert checked.unknown == [] and checked.valid == 1
    assert (checked.results[0].parsed.gender, checked.results[0].parsed.district) == ("female", "khulna")


async def test_each_refused_row_names_the_field_and_the_value(event_id):
    rows = [["Name", "Mobile", "Email"], ["Rahima", "12345", "rahima@"], ["", "01711234567", "x@example.org"],
            ["Karim", "01711-234567", ""]]
    table, mapping = located(xlsx(rows))
    results = (await imports.preview(event_id, table, mapping)).results
    assert results[0].errors["phone"].startswith("Phone “12345”:")
    assert results[0].errors["email"].startswith("Email “rahima@”:")
    assert "name" in results[1].errors
    assert results[2].errors == {} and results[2].line == 4


async def test_duplicates_within_the_file_and_against_the_directory(event_id, create_person):
    await create_person(name="Rahima B.", phone="+8801711234567")
    rows = [["Name", "Mobile", "Email"], ["Rahima Begum", "1711234567", ""], ["Karim", "01811234567", "k@x.org"],
            ["Karim again", "+8801811234567", ""], ["Karim by mail", "", "K@X.org"]]
    table, mapping = located(xlsx(rows))
    results = (await imports.preview(event_id, table, mapping)).results
    assert results[0].ok and results[0].match["name"] == "Rahima B."
    assert results[2].errors == {"phone": "The same phone as row 3."}
    assert results[3].errors == {"email": "The same email as row 3."}
    counts = await imports.commit(event_id, table, mapping, ACTOR)
    assert (counts["linked"], counts["created"], counts["skipped"]) == (1, 1, 2)
    assert await Participant.count() == 2


def test_the_header_row_can_be_picked_by_hand_and_blank_and_note_rows_are_skipped():
    rows = [["Workshop"], ["Day", "Venue"], [], ["SL", "Participant name", "Mobile no"],
            [1, "Rahima", "01711234567"], [None, None, None], ["Note: two people left early"],
            [2, "Karim", "01811234567"], ["Sub-total", None, 2]]
    sheet = imports.read_upload("l.xlsx", xlsx(rows))[0]
    found = imports.locate(sheet.rows)
    assert found.header_row == 4 and [n for n, _ in found.rows] == [5, 8]
    assert [(n, reason) for n, reason, _ in found.skipped] == [(7, "a note, not a person"), (9, "a total or subtotal")]
    by_hand = imports.locate(sheet.rows, header_row=2)
    assert by_hand.headers == ["Day", "Venue"]


def test_the_sheet_with_the_list_is_chosen_among_several():
    data = xlsx([["Budget"], ["Code", "MIG-7"]], "Notes",
                more={"Day 1": [["Name", "Mobile", "District"], ["Rahima", "01711234567", "Khulna"]]})
    sheets = imports.read_upload("l.xlsx", data)
    assert [s.name for s in sheets] == ["Notes", "Day 1"] and imports.best_sheet(sheets) == 1


@pytest.mark.parametrize(("name", "data", "code"), [
    ("list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "protected"),  # encrypted: an OLE file
    ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "bad_file"),
    ("list.xlsx", b"", "empty"),
    ("list.xlsx", b"PK\x03\x04 not really a zip", "bad_file"),
    ("list.docx", b"hello", "bad_file"),
    ("list.xlsx", b"x" * (imports.MAX_BYTES + 1), "too_big"),
])
def test_bad_files_are_refused_with_a_reason(name, data, code):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_upload(name, data)
    assert refused.value.code == code and refused.value.message


@pytest.mark.parametrize(("name", "data", "words"), [
    ("list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "protected with a password"),
    ("list.xlsx", b"", "The file is empty."),
    ("list.xlsx", b"x" * (imports.MAX_BYTES + 1), "larger than 20 MB"),
    ("list.png", b"\x89PNG\r\n", "Upload a .csv or .xlsx file."),
])
async def test_bad_files_get_a_4xx_and_save_nothing(staff_client, event_id, name, data, words):
    answer = await staff_client.post(f"/manage/events/{event_id}/import", files={"file": (name, data, "x/y")})
    assert answer.status_code == 422 and words in answer.text
    assert await Participant.count() == 0


async def _upload(client, event_id, data, name="list.xlsx"):
    answer = await client.post(f"/manage/events/{event_id}/import", files={"file": (name, data, "x/y")})
    assert answer.status_code == 200, answer.text
    return answer


def _form_of(page: str) -> tuple[str, dict]:
    """The preview form's action and its fields as the browser would send them (selected options)."""
    import re

    action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[select] = chosen.group(1) if chosen else ""
    return action, fields


async def test_the_messy_file_through_the_pages_in_bangla_too(staff_client, event_id):
    page = await _upload(staff_client, event_id, sample.messy_workbook())
    assert "14 of 14 rows can be imported" in page.text and "Row 19: a total or subtotal" in page.text
    assert '<option value="0" selected>Participants' in page.text  # the sheet with the list, not "Notes"
    staff_client.cookies["lang"] = "bn"
    action, form = _form_of(page.text)
    again = await staff_client.post(action, data=form)
    assert again.status_code == 200 and "১৪টির মধ্যে ১৪টি সারি আমদানি করা যাবে" in again.text
    staff_client.cookies["lang"] = "en"
    done = await staff_client.post(action + "/commit", data=form)
    assert done.status_code == 303
    assert await Registration.count().where(Registration.event == event_id) == 14


async def test_the_value_mapping_step_through_the_pages(staff_client, event_id):
    rows = [["Name", "Gender"], ["Rahima", "Fmale"], ["Nasima", "Fmale"], ["Karim", "M"]]
    page = await _upload(staff_client, event_id, xlsx(rows))
    assert "Values to check" in page.text and "first in row 2; rows with it: 2" in page.text
    assert "1 of 3 rows can be imported" in page.text
    action, form = _form_of(page.text)
    field = next(k for k in form if k.startswith("vmap_"))
    form[field] = "female"
    again = await staff_client.post(action, data=form)
    assert "3 of 3 rows can be imported" in again.text
    assert (await staff_client.post(action + "/commit", data=form)).status_code == 303
    assert await Participant.count().where(Participant.gender == "female") == 2


async def test_choosing_another_header_row_and_sheet_through_the_pages(staff_client, event_id):
    data = xlsx([["Name", "Mobile"], ["Rahima", "01711234567"]], "One",
                more={"Two": [["Title"], ["Name", "District"], ["Karim", "Khulna"], ["Nasima", "Jessore"]]})
    page = await _upload(staff_client, event_id, data)
    assert "2 of 2 rows can be imported" in page.text  # sheet Two: more rows, header at row 2
    action, form = _form_of(page.text)
    form["sheet"] = "0"
    other = await staff_client.post(action, data=form)
    assert "1 of 1 rows can be imported" in other.text
    action, form = _form_of(other.text)
    form["header_row"] = "2"  # a wrong choice by hand: the data row becomes the header
    wrong = await staff_client.post(action, data=form)
    assert wrong.status_code == 200 and "Choose the column that holds the names." not in wrong.text


async def test_a_list_of_1200_rows_pages_its_preview_and_imports_as_a_job(staff_client, event_id):
    data = sample.messy_workbook(extra_rows=1186)
    page = await _upload(staff_client, event_id, data)
    assert "1,200 of 1,200 rows can be imported" in page.text and "Page 1 of 24" in page.text
    assert page.text.count('class="import-ok"') == 50
    action, form = _form_of(page.text)
    form["page"] = "24"
    last = await staff_client.post(action, data=form)
    assert "Participant 01186" in last.text and "Page 24 of 24" in last.text
    committed = await staff_client.post(action + "/commit", data=form)
    assert committed.status_code == 303 and "/import/jobs/" in committed.headers["location"]
    await import_jobs.wait(int(committed.headers["location"].rsplit("/", 1)[1]))
    assert await Registration.count().where(Registration.event == event_id) == 1200
    done = await staff_client.get(committed.headers["location"])
    assert "Imported: 1,200 registered" in done.text and 'value="100"' in done.text


def test_a_half_written_xlsx_is_refused_not_a_500():
    data = sample.messy_workbook()
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if item.filename != "xl/workbook.xml":
                target.writestr(item, source.read(item.filename))
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_upload("list.xlsx", broken.getvalue())
    assert refused.value.code == "bad_file"


async def test_rows_with_errors_download_as_xlsx_fixed_and_uploaded_again(staff_client, event_id):
    from openpyxl import load_workbook

    rows = [["Name", "Mobile", "District"], ["Rahima", "01711234567", "Khulna"], ["=Karim", "12345", "Khulna"],
            ["Nasima", "01811234567", "Atlantis"]]
    page = await _upload(staff_client, event_id, xlsx(rows))
    action, form = _form_of(page.text)
    form["vmap_" + "x"] = ""  # an unknown field is ignored
    answer = await staff_client.post(action + "/errors.xlsx", data=form)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0] == ["Name", "Mobile", "District", "Errors", "Row in the first file"]
    assert [row[0] for row in got[1:]] == ["=Karim", "Nasima"] and sheet["A2"].data_type == "s"  # text, not a formula
    assert "Phone “12345”" in got[1][3] and got[1][4] == "3" and "District “Atlantis”" in got[2][3]
    # Fixed in Excel, uploaded again: both rows import now.
    sheet["B2"], sheet["C3"] = "01911234567", "Jessore"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    again = await _upload(staff_client, event_id, buffer.getvalue())
    assert "2 of 2 rows can be imported" in again.text


async def test_the_template_and_the_sample_download_and_the_template_reads_back(staff_client, event_id):
    template = await staff_client.get(f"/manage/events/{event_id}/import/template.xlsx")
    assert template.status_code == 200
    table = imports.read_table("t.xlsx", template.content)
    assert imports.guess_mapping(table.headers) == {name: i for i, name in enumerate(imports.TEMPLATE_HEADERS)}
    assert (await imports.preview(event_id, table, imports.guess_mapping(table.headers))).valid == 1
    staff_client.cookies["lang"] = "bn"  # Bangla column names read back too
    bangla = await staff_client.get(f"/manage/events/{event_id}/import/template.xlsx")
    table = imports.read_table("t.xlsx", bangla.content)
    assert table.headers[0] == "নাম (ইংরেজি)" and len(imports.guess_mapping(table.headers)) == 10
    sample_file = await staff_client.get(f"/manage/events/{event_id}/import/sample.xlsx")
    assert sample_file.status_code == 200 and imports.read_table("s.xlsx", sample_file.content).header_row == 4


def test_a_formula_saved_by_excel_gives_its_cached_value_and_an_error_gives_the_formula():
    data = xlsx([["Name", "Mobile"], ["=HYPERLINK(\"mailto:s@x.org\",\"Salma Khatun\")", "01711234567"],
                 ["=-Karim", "01811234567"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml")
    # As Excel saves them: the first with its cached text, the second with the #NAME? error it shows.
    sheet = sheet.replace(b'<c r="A2"><f>', b'<c r="A2" t="str"><f>').replace(
        b'"Salma Khatun")</f><v /></c>', b'"Salma Khatun")</f><v>Salma Khatun</v></c>').replace(
        b'<c r="A3"><f>-Karim</f><v /></c>', b'<c r="A3" t="e"><f>-Karim</f><v>#NAME?</v></c>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item))
    table = imports.read_table("list.xlsx", out.getvalue())
    assert [cells[0] for _n, cells in table.rows] == ["Salma Khatun", "=-Karim"]
