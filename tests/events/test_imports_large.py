"""Large imports (issue 15): a list of thousands of rows pages its preview, commits as a job with progress,
and is all-or-nothing: a job that fails saved nothing and starts again without duplicates."""

import datetime as dt
import io
import json
import os
import re

import pytest
from openpyxl import Workbook

from portal.core import jobs
from portal.core.audit import Actor
from portal.core.storage import LocalStorage
from portal.events.imports import bulk, uploads
from portal.events.imports import jobs as import_jobs
from portal.events.imports import services as imports
from portal.events.imports.tables import ImportJob
from portal.events.tables import Participant, Registration

pytestmark = pytest.mark.anyio
ROWS = 3000
ACTOR = Actor(id=None, label="tests")
BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")


@pytest.fixture
def storage(tmp_path):
    """The shared storage, and an inline job queue whose jobs use it (as the app's lifespan binds one)."""
    kept = LocalStorage(tmp_path)
    jobs.bind(jobs.InlineQueue(jobs.JobContext(settings=None, storage=kept), periodic_jobs=False))
    return kept


def big_xlsx(rows: int = ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Participants, Khulna division"])
    sheet.append(["SL", "Name", "Mobile", "District", "Gender"])
    for n in range(1, rows + 1):
        sheet.append([n, f"Person {n:05d}", 1711000000 + n, "Khulna", "F" if n % 2 else "M"])
    sheet.append(["Total", rows])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def start_job(event_id, storage, data=None, event=True):
    sheets = imports.read_upload("big.xlsx", data or big_xlsx())
    target = event_id if event else None
    upload_id = await uploads.save(storage, target or 0, sheets, "big.xlsx")
    table = imports.locate(sheets[0].rows)
    options = {"sheet": 0, "header_row": table.header_row, "mapping": imports.guess_mapping(table.headers),
               "choices": {}, "sessions": {}}
    return await import_jobs.start(ACTOR, target, upload_id, "big.xlsx", options, len(table.rows))


async def test_a_job_reports_progress_while_checking_and_saving(event_id, storage, monkeypatch):
    seen = []
    real = import_jobs._write_progress

    async def watch(job_id, phase, done):
        await real(job_id, phase, done)
        shown = await import_jobs.get(job_id, event_id)  # what a page polling the job would show now
        stored = (await ImportJob.select(ImportJob.phase).where(ImportJob.id == job_id).first())["phase"]
        seen.append((phase, done, shown["percent"], stored))

    monkeypatch.setattr(import_jobs, "_write_progress", watch)
    job_id = await start_job(event_id, storage)
    await import_jobs.wait(job_id)
    await import_jobs.run(job_id, storage)
    assert [s[:3] for s in seen[:2]] == [("checking", 2000, 33), ("checking", ROWS, 50)]
    saving = [(done, percent) for phase, done, percent, _s in seen[2:] if phase == "saving"]
    assert len(saving) == len(seen) - 2 and saving == sorted(saving)  # people, then registrations, chunk by chunk
    assert [done for done, _p in saving if done] == [500, 1000, 1500, 1500, 2000, 2500, 3000]
    assert [percent for _d, percent in saving if _d] == [58, 66, 75, 75, 83, 91, 100]
    if BACKEND == "postgres":  # written outside the import's transaction: another machine sees it too
        assert all(stored == "saving" for phase, _d, _p, stored in seen if phase == "saving")
    job = await import_jobs.get(job_id, event_id)
    assert job["status"] == "done" and job["percent"] == 100 and job["counts"]["registered"] == ROWS
    assert await Registration.count().where(Registration.event == event_id) == ROWS
    assert not await storage.exists(f"imports/{event_id}-{(await ImportJob.select().first())['upload_id']}.json")


async def test_a_failed_job_saved_nothing_and_starts_again_without_duplicates(event_id, storage, monkeypatch):
    real = bulk.insert_ids

    async def full_disk(table, columns, rows, on_chunk=None):
        if table is Registration:
            raise OSError("disk full")
        return await real(table, columns, rows, on_chunk)

    monkeypatch.setattr(bulk, "insert_ids", full_disk)
    job_id = await start_job(event_id, storage)
    await import_jobs.wait(job_id)
    job = await import_jobs.get(job_id, event_id)
    assert job["status"] == "failed" and "unexpected error" in job["error"]
    assert await Participant.count() == 0 and await Registration.count() == 0  # the people rolled back too

    monkeypatch.setattr(bulk, "insert_ids", real)
    await import_jobs.restart(ACTOR, job_id, event_id)
    await import_jobs.wait(job_id)
    assert (await import_jobs.get(job_id, event_id))["status"] == "done"
    await import_jobs.run(job_id, storage)  # the queue running it once more changes nothing
    assert await Participant.count() == ROWS and await Registration.count() == ROWS


async def test_a_job_whose_runner_is_gone_is_failed_and_says_start_again(event_id, storage, monkeypatch, clock):
    monkeypatch.setattr(import_jobs.jobs, "defer", _never)
    job_id = await start_job(event_id, storage)
    assert (await import_jobs.get(job_id, event_id))["status"] == "queued"
    clock.advance(dt.timedelta(minutes=2))
    job = await import_jobs.get(job_id, event_id)
    assert job["status"] == "failed" and job["error"] == import_jobs.STOPPED
    assert await Participant.count() == 0


async def _never(*_args, **_kwargs):
    return None


async def test_the_preview_of_thousands_of_rows_pages_and_the_commit_runs_as_a_job(staff_client, event_id):
    answer = await staff_client.post(f"/manage/events/{event_id}/import",
                                     files={"file": ("big.xlsx", big_xlsx(), "x/y")})
    assert answer.status_code == 200
    assert "3,000 of 3,000 rows can be imported" in answer.text and "Page 1 of 60" in answer.text
    assert answer.text.count('class="import-ok"') == 50 and "Person 00051" not in answer.text
    assert "runs in the background" in answer.text
    action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', answer.text).group(1)
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', answer.text))
    for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', answer.text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[select] = chosen.group(1) if chosen else ""
    last = await staff_client.post(action, data={**form, "page": "60"})
    assert "Person 03000" in last.text and "Person 02950" not in last.text and "Page 60 of 60" in last.text
    committed = await staff_client.post(action + "/commit", data=form)
    assert committed.status_code == 303
    location = committed.headers["location"]
    job_id = int(location.rsplit("/", 1)[1])
    polled = await staff_client.get(location, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and polled.text.lstrip().startswith("<section id=\"import-job\"")
    await import_jobs.wait(job_id)
    page = await staff_client.get(location)
    assert "Imported: 3,000 registered" in page.text and "See the registrations" in page.text
    assert await Registration.count().where(Registration.event == event_id) == ROWS
    entry = json.loads((await ImportJob.select(ImportJob.options).first())["options"])
    assert entry["mapping"] == {"name": 1, "phone": 2, "district": 3, "gender": 4}


async def test_another_district_cannot_see_an_import_job(client, login, create_user, event_id, storage):
    job_id = await start_job(event_id, storage)
    await import_jobs.wait(job_id)
    await login(client, await create_user("organizer", districts=("sylhet",)))
    assert (await client.get(f"/manage/events/{event_id}/import/jobs/{job_id}")).status_code == 404
    assert (await client.post(f"/manage/events/{event_id}/import/jobs/{job_id}/restart")).status_code == 404


def test_the_limits_take_20000_rows():
    assert imports.MAX_ROWS >= 20_000 and imports.LIMITS.rows >= 20_000
    assert imports.MAX_BYTES >= 20 * 1024 * 1024


async def test_turning_pages_of_a_large_preview_checks_the_rows_once(staff_client, event_id, monkeypatch, clock):
    from portal.events.imports import pages

    answer = await staff_client.post(f"/manage/events/{event_id}/import",
                                     files={"file": ("big.xlsx", big_xlsx(1500), "x/y")})
    action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', answer.text).group(1)
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', answer.text))
    for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', answer.text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[select] = chosen.group(1) if chosen else ""
    calls = []
    real = imports.preview

    async def counted(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(imports, "preview", counted)
    for page in ("2", "3", "30"):
        shown = await staff_client.post(action, data={**form, "page": page})
        assert f"Page {page} of 30" in shown.text and f"Person {int(page) * 50:05d}" in shown.text
    assert len(calls) == 1
    other = await staff_client.post(action, data={**form, "map_gender": "", "page": "2"})  # another choice
    assert "Page 2 of 30" in other.text and len(calls) == 2
    clock.advance(pages.TTL + dt.timedelta(seconds=1))
    await staff_client.post(action, data={**form, "page": "4"})  # kept too long: checked again
    assert len(calls) == 3
    pages.forget(action.rsplit("/", 1)[1])


async def test_a_run_whose_job_was_started_again_meanwhile_saves_nothing(event_id, storage, monkeypatch):
    real = import_jobs._write_progress

    async def taken_over(job_id, phase, done):
        await real(job_id, phase, done)
        if phase == "checking":  # a restart claimed the job while this run still checked its rows
            await ImportJob.update({ImportJob.runner: "a-later-run"}).where(ImportJob.id == job_id)

    monkeypatch.setattr(import_jobs, "_write_progress", taken_over)
    job_id = await start_job(event_id, storage)
    await import_jobs.wait(job_id)
    job = await ImportJob.select().where(ImportJob.id == job_id).first()
    assert job["status"] == "running" and job["runner"] == "a-later-run"  # left to the later run
    assert await Participant.count() == 0 and await Registration.count() == 0
