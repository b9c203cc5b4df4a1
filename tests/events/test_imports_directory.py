"""Importing people into the directory alone, without an event (issue 15): the same preview, mapping and errors;
people already in the directory are found, not added twice; only staff who may add people may import."""

import re

import pytest

from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.imports import sample
from portal.events.imports import services as imports
from portal.events.tables import Participant, Registration

pytestmark = pytest.mark.anyio
CSV = (
    b"Name,Mobile,District,Gender\n"
    b"Rahima Begum,01711-234567,Khulna,F\n"
    b"Karim Sheikh,12,Khulna,M\n"              # bad phone
    b"Nasima Akter,01811-000111,Jessore,\xe0\xa6\xae\xe0\xa6\xb9\xe0\xa6\xbf\xe0\xa6\xb2\xe0\xa6\xbe\n"  # মহিলা
    b"Jamal Uddin,01911222333,Jashore,Male\n"
)
URL = "/manage/participants/import"


def _form_of(page: str) -> tuple[str, dict]:
    action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[select] = chosen.group(1) if chosen else ""
    return action, fields


async def test_people_are_added_without_an_event_and_known_people_are_linked(db, create_person):
    existing = await create_person(name="Jamal U.", phone="+8801911222333")
    table = imports.read_table("list.csv", CSV)
    mapping = imports.guess_mapping(table.headers)
    checked = await imports.preview(None, table, mapping)
    assert [sorted(r.errors) for r in checked.results] == [[], ["phone"], [], []]
    assert checked.results[3].match["id"] == existing
    counts = await imports.commit(None, table, mapping, Actor.system("tests"))
    assert (counts["created"], counts["linked"], counts["skipped"], counts["registered"]) == (2, 1, 1, 0)
    assert await Participant.count() == 3 and await Registration.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "participant.create") == 2
    nasima = await Participant.select().where(Participant.name == "Nasima Akter").first()
    assert (nasima["gender"], nasima["district"]) == ("female", "jashore")


async def test_the_directory_import_through_the_pages(staff_client, create_person):
    await create_person(name="Jamal U.", phone="+8801911222333")
    listed = await staff_client.get("/manage/participants/")
    assert URL in listed.text
    form = await staff_client.get(URL + "/")
    assert form.status_code == 200 and "Import people into the directory" in form.text
    page = await staff_client.post(URL, files={"file": ("list.csv", CSV, "text/csv")})
    assert page.status_code == 200 and "3 of 4 rows can be imported" in page.text
    assert "Links to" in page.text and "Jamal U." in page.text  # the duplicate against the directory
    action, fields = _form_of(page.text)
    assert action.startswith(URL + "/")
    errors = await staff_client.post(action + "/errors.xlsx", data=fields)
    assert errors.status_code == 200 and errors.content[:2] == b"PK"
    done = await staff_client.post(action + "/commit", data=fields)
    assert done.status_code == 303 and done.headers["location"].startswith("/manage/participants")
    landed = await staff_client.get(done.headers["location"])
    assert "Imported into the directory: 2 new people, 1 already there; 1 rows with errors left out." in landed.text
    assert await Participant.count() == 3 and await Registration.count() == 0


async def test_the_template_and_sample_download_from_the_directory(staff_client):
    for name in ("template.xlsx", "sample.xlsx"):
        answer = await staff_client.get(f"{URL}/{name}")
        assert answer.status_code == 200 and answer.content[:2] == b"PK"


async def test_the_messy_sample_imports_into_the_directory_in_bangla(staff_client):
    staff_client.cookies.set("lang", "bn")
    page = await staff_client.post(URL, files={"file": ("sample.xlsx", sample.messy_workbook(), "x/y")})
    assert page.status_code == 200 and "ডিরেক্টরি" in page.text


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("organizer", 200), ("coordinator", 200),
                                              ("admin", 200)])
async def test_who_may_import_into_the_directory(client, login, create_user, role, status):
    await login(client, await create_user(role))
    assert (await client.get(URL + "/")).status_code == status
    answer = await client.post(URL, files={"file": ("list.csv", CSV, "text/csv")})
    assert answer.status_code == status
    assert await Participant.count() == 0  # a preview saves nobody


async def test_anonymous_visitors_are_sent_to_log_in(client):
    answer = await client.get(URL + "/")
    assert answer.status_code in (302, 303, 401) and await Participant.count() == 0
