"""Hostile spreadsheets (issue 13, item 5): the archive is checked before parsing, parsing runs in a
worker thread, each upload is parsed once, and uploads never committed are purged."""

import asyncio
import datetime as dt
import io
import os
import re
import threading
import time
import zipfile

import pytest
from openpyxl import Workbook

from portal.app import purge_once
from portal.core import spreadsheets
from portal.events.imports import services as imports
from portal.events.imports import uploads as import_uploads
from portal.events.imports.services import ImportRefused

pytestmark = pytest.mark.anyio


def workbook_bytes(rows=(("Name", "Phone", "District"), ("Rahima Begum", "01711234567", "Khulna"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, changes: dict[str, bytes | None], level: int = 9) -> bytes:
    """The XLSX with members replaced (bytes), removed (None) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(name, source.read(name))
        for name, content in changes.items():
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def sheet_claiming(data: bytes, ref: str) -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), sheet)
    return rewritten(data, {"xl/worksheets/sheet1.xml": sheet})


def with_shared_string(length: int) -> bytes:
    data = workbook_bytes()
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>' + b"A" * length + b"</t></si></sst>")
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
             b'</row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>')
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return rewritten(data, {"xl/sharedStrings.xml": shared, "xl/worksheets/sheet1.xml": sheet,
                            "[Content_Types].xml": types})


def refused(name: str, data: bytes) -> str:
    with pytest.raises(ImportRefused) as excinfo:
        imports.read_table(name, data)
    return excinfo.value.code


def test_a_sheet_that_claims_a_huge_range_is_refused_before_parsing():
    bomb = sheet_claiming(workbook_bytes(), "A1:XFD5001")
    assert len(bomb) < 10_000
    started = time.process_time()
    assert refused("bomb.xlsx", bomb) == "too_big"
    assert time.process_time() - started < 0.5


def test_a_stale_dimension_of_a_formatted_range_is_not_refused():
    found = imports.read_table("list.xlsx", sheet_claiming(workbook_bytes(), "A1:J20000"))
    assert found.headers == ["Name", "Phone", "District"] and len(found.rows) == 1


def test_a_sheet_that_lies_about_its_size_is_still_read_within_the_limits():
    data = workbook_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    far = b'<c r="XFD2" t="inlineStr"><is><t>far away</t></is></c></row>'
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', sheet).replace(b"</row>", far, 2)
    rows = spreadsheets.read_xlsx(rewritten(data, {"xl/worksheets/sheet1.xml": sheet}))
    assert max(len(row) for row in rows) <= spreadsheets.Limits().columns


def test_a_huge_shared_string_is_refused():
    bomb = with_shared_string(12 * 1024 * 1024)
    assert len(bomb) < 100_000
    assert refused("bomb.xlsx", bomb) == "too_big"


def test_a_cell_longer_than_any_field_is_refused():
    assert refused("long.xlsx", with_shared_string(5000)) == "too_big"
    assert refused("long.csv", b"Name\n" + b"A" * 5000 + b"\n") == "too_big"


def test_a_highly_compressed_member_is_refused():
    bomb = rewritten(workbook_bytes(), {"xl/media/padding.bin": bytes(8 * 1024 * 1024)})
    assert len(bomb) < 100_000
    assert refused("bomb.xlsx", bomb) == "too_big"


def test_a_dtd_is_refused():
    data = workbook_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + sheet
    assert refused("dtd.xlsx", rewritten(data, {"xl/worksheets/sheet1.xml": sheet})) == "bad_file"


def test_a_broken_sheet_is_a_clear_refusal_not_a_crash():
    data = rewritten(workbook_bytes(), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    assert refused("broken.xlsx", data) == "bad_file"


def test_csv_rows_are_cut_to_the_column_limit():
    found = imports.read_table("wide.csv", b"Name\n" + b"x," * 10_000 + b"\n")
    assert found.headers == ["Name"] and found.rows == [(2, ["x"])]
    assert len(spreadsheets.read_csv(b"a," * 10_000)[0]) == spreadsheets.Limits().columns


CSV = b"Name,Mobile,District\nRahima Begum,01711-234567,Khulna\nKarim Sheikh,01811-000111,Khulna\n"


async def _upload(staff_client, event_id, data=CSV, name="list.csv"):
    answer = await staff_client.post(f"/manage/events/{event_id}/import", files={"file": (name, data, "text/csv")})
    assert answer.status_code == 200, answer.text
    return answer.text.split('/commit"')[0].split('formaction="')[-1] + "/commit"


async def test_each_upload_is_parsed_once_in_a_worker_thread(staff_client, event_id, monkeypatch):
    calls = []
    real = imports.read_upload

    def spy(name, data):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(name, data)

    monkeypatch.setattr(imports, "read_upload", spy)
    commit = await _upload(staff_client, event_id)
    form = {"map_name": "0", "map_phone": "1", "map_district": "2"}
    assert (await staff_client.post(commit.removesuffix("/commit"), data=form)).status_code == 200  # preview again
    assert (await staff_client.post(commit, data=form)).status_code == 303
    assert calls == [False]  # once, and not on the event loop's thread


async def test_the_event_loop_answers_while_a_sheet_is_parsed(staff_client, event_id, monkeypatch):
    real = imports.read_upload
    entered, pinged, seen = threading.Event(), threading.Event(), []

    def slow(name, data):  # a big sheet: it waits (at most 2 s) for a request answered meanwhile
        entered.set()
        seen.append(pinged.wait(timeout=2))
        return real(name, data)

    monkeypatch.setattr(imports, "read_upload", slow)
    upload = asyncio.create_task(_upload(staff_client, event_id))
    for _ in range(1000):  # until the parse has started (it waits in its thread meanwhile)
        if entered.is_set():
            break
        await asyncio.sleep(0.005)
    assert (await staff_client.get("/ping")).status_code == 200
    pinged.set()
    await upload
    assert seen == [True]


async def test_uploads_never_committed_are_purged_after_a_few_hours(staff_client, event_id, settings, clock):
    commit = await _upload(staff_client, event_id)
    folder = settings.data_dir / "imports"
    kept = list(folder.iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".json"
    assert oct(kept[0].stat().st_mode & 0o777) == "0o600" and oct(folder.stat().st_mode & 0o777) == "0o700"
    clock.advance(import_uploads.RETENTION - dt.timedelta(minutes=5))
    await purge_once(settings)
    assert kept[0].exists()
    clock.advance(dt.timedelta(minutes=10))
    await purge_once(settings)
    assert not kept[0].exists()
    gone = await staff_client.post(commit, data={"map_name": "0"})
    assert gone.status_code == 404 and "Upload the file again" in gone.text


async def test_a_committed_upload_is_deleted_at_once(staff_client, event_id, settings):
    commit = await _upload(staff_client, event_id)
    assert (await staff_client.post(commit, data={"map_name": "0", "map_phone": "1"})).status_code == 303
    assert os.listdir(settings.data_dir / "imports") == []
