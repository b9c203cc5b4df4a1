import io

import pytest
from openpyxl import Workbook

from portal.core.audit import Actor
from portal.events.imports import services as imports
from portal.events.imports.services import ImportRefused
from portal.events.tables import Participant, Registration

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")
CSV = (
    b"Name,Mobile,District,Organisation\n"
    b"Rahima Begum,01711-234567,Khulna,WARBE\n"
    b"Karim Sheikh,12,Khulna,BMET\n"           # bad phone
    b"Nasima Akter,01811-000111,Atlantis,\n"   # unknown district
    b"Rahima Again,01711234567,Khulna,\n"      # duplicate of row 2
    b"Jamal Uddin,1911222333,Jessore,DEMO\n"   # Excel dropped the 0; old spelling of Jashore
)


def table(data=CSV, name="list.csv"):
    found = imports.read_table(name, data)
    return found, imports.guess_mapping(found.headers)


async def test_preview_lists_each_bad_row_with_its_field(event_id):
    results = (await imports.preview(event_id, *table())).results
    assert [sorted(r.errors) for r in results] == [[], ["phone"], ["district"], ["phone"], []]


async def test_commit_imports_the_valid_rows_only(event_id):
    counts = await imports.commit(event_id, *table(), ACTOR)
    assert (counts["created"], counts["registered"], counts["skipped"]) == (2, 2, 3)
    names = sorted(r["name"] for r in await Participant.select(Participant.name))
    assert names == ["Jamal Uddin", "Rahima Begum"]


async def test_a_person_already_in_the_directory_is_linked_not_duplicated(event_id, create_person):
    existing = await create_person(name="Rahima B.", phone="+8801711234567")
    counts = await imports.commit(event_id, *table(), ACTOR)
    assert counts["linked"] == 1 and counts["created"] == 1
    assert await Participant.count().where(Participant.phone == "+8801711234567") == 1
    assert await Registration.exists().where(Registration.participant == existing)


async def test_failure_midway_saves_nothing(event_id, monkeypatch):
    calls = {"n": 0}
    real = imports.new_token

    def failing_token():
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real()

    monkeypatch.setattr(imports, "new_token", failing_token)
    with pytest.raises(RuntimeError):
        await imports.commit(event_id, *table(), ACTOR)
    assert await Participant.count() == 0 and await Registration.count() == 0


async def test_xlsx_is_read_like_csv(event_id):
    book = Workbook()
    sheet = book.active
    sheet.append(["Full name", "Phone number", "District"])
    sheet.append(["Rahima Begum", 1711234567, "Khulna"])  # a number, as Excel keeps it
    buffer = io.BytesIO()
    book.save(buffer)
    results = (await imports.preview(event_id, *table(buffer.getvalue(), "list.xlsx"))).results
    assert results[0].ok and results[0].parsed.phone == "+8801711234567"


@pytest.mark.parametrize(("name", "data", "code"), [
    ("list.pdf", b"%PDF", "bad_file"),
    ("list.xlsx", b"not a zip", "bad_file"),
    ("list.csv", b"Name\n", "empty"),
    ("list.csv", "Name\nRahima\n".encode("utf-16"), "bad_file"),
])
def test_unreadable_files_are_refused(name, data, code):
    with pytest.raises(ImportRefused) as excinfo:
        imports.read_table(name, data)
    assert excinfo.value.code == code


async def test_upload_preview_and_commit_through_the_pages(staff_client, event_id):
    upload = await staff_client.post(f"/manage/events/{event_id}/import",
                                     files={"file": ("list.csv", CSV, "text/csv")})
    assert upload.status_code == 200 and "2 of 5 rows can be imported" in upload.text
    action = upload.text.split('/commit"')[0].split('formaction="')[-1] + "/commit"
    form = {"map_name": "0", "map_phone": "1", "map_district": "2", "map_organisation": "3"}
    response = await staff_client.post(action, data=form)
    assert response.status_code == 303
    assert await Registration.count() == 2


async def test_upload_of_a_bad_file_shows_the_error(staff_client, event_id):
    response = await staff_client.post(f"/manage/events/{event_id}/import",
                                       files={"file": ("list.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 422 and 'id="file-error"' in response.text
