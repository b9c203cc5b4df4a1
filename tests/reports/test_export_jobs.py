"""Export jobs that cannot finish (their code raised, their process died) and files past their
retention: the job says what happened and offers to export again, never a 500 or a bare 404."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest

from portal.core import clock as portal_clock
from portal.core.storage import LocalStorage
from portal.reports import attendance, jobs
from portal.reports.tables import ExportJob
from tests.helpers import job_finished

pytestmark = pytest.mark.anyio
HOST = socket.gethostname()[:60]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def coordinator_client(client, login, coordinator):
    return await login(client, coordinator)


@pytest.fixture
def add_job(coordinator):
    """Factory: an export job row as another process (or an earlier one) left it."""

    async def make(status: str = "running", worker: str = "", beat: dt.timedelta | None = dt.timedelta(0),
                   **values) -> int:
        now = portal_clock.now()
        values = {"fmt": "xlsx", **values}
        row = ExportJob(user=coordinator.id, shape="long", query="district=dhaka", status=status,
                        worker=worker, heartbeat_at=None if beat is None else now - beat, **values)
        await row.save()
        return row.id

    return make


async def _status(job_id: int) -> dict:
    return await ExportJob.select(ExportJob.status, ExportJob.error, ExportJob.path).where(
        ExportJob.id == job_id).first()


async def test_a_job_whose_code_raises_is_failed_with_a_message(coordinator_client, monkeypatch):
    async def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(attendance, "build_export", broken)
    response = await coordinator_client.post("/manage/reports/jobs", data={"format": "xlsx", "district": "dhaka"})
    job_url = response.headers["location"]
    text = await job_finished(coordinator_client, job_url)
    row = await ExportJob.select().first()
    assert row["status"] == "failed" and "ValueError" in row["error"] and row["finished_at"] is not None
    assert "The export failed: The export could not be written (ValueError)." in text
    assert 'name="district" value="dhaka"' in text and ">Start again</button>" in text


async def test_start_up_fails_the_jobs_of_dead_processes_only(app, add_job):
    dead_here = await add_job(worker=f"{HOST}:{_dead_pid()}")
    earlier_life = await add_job(worker=f"{HOST}:{os.getpid()}", status="queued")  # this pid, not running it
    silent = await add_job(worker="elsewhere:4242", beat=dt.timedelta(minutes=5))
    from_before_heartbeats = await add_job(worker="", beat=None)
    alive_here = await add_job(worker=f"{HOST}:{os.getppid()}")
    alive_elsewhere = await add_job(worker="elsewhere:4242")
    finished = await add_job(status="done", worker=f"{HOST}:{_dead_pid()}", path="")
    async with app.lifespan():
        pass
    for job_id in (dead_here, earlier_life, silent, from_before_heartbeats):
        row = await _status(job_id)
        assert row["status"] == "failed" and row["error"] == jobs.ORPHANED, job_id
    assert (await _status(alive_here))["status"] == "running"
    assert (await _status(alive_elsewhere))["status"] == "running"
    assert (await _status(finished))["status"] == "done"


async def test_a_dead_jobs_page_says_so_and_starting_again_works(coordinator_client, add_job):
    job_id = await add_job(worker="elsewhere:4242", beat=dt.timedelta(minutes=2))
    page = await coordinator_client.get(f"/manage/reports/jobs/{job_id}")
    assert page.status_code == 200
    assert "The server stopped while this export was being written" in page.text
    assert "every 1s" not in page.text
    again = await coordinator_client.post("/manage/reports/jobs", data={"district": "dhaka", "shape": "long",
                                                                         "format": "xlsx"})
    assert "Ready: 0 rows" in await job_finished(coordinator_client, again.headers["location"])


async def test_files_past_the_retention_are_deleted_and_their_jobs_expire(settings, add_job):
    folder = settings.exports_dir
    folder.mkdir()
    now = portal_clock.now()
    old_file, new_file, leftover = folder / "job-1.xlsx", folder / "job-2.xlsx", folder / "export-x.xlsx"
    for path in (old_file, new_file, leftover):
        path.write_bytes(b"PK")
    old_time = (now - dt.timedelta(hours=30)).timestamp()
    os.utime(old_file, (old_time, old_time))
    os.utime(leftover, (old_time, old_time))  # a partial file a dead process left behind
    old = await add_job(status="done", path=str(old_file), finished_at=now - dt.timedelta(hours=25))
    new = await add_job(status="done", path=str(new_file), finished_at=now - dt.timedelta(hours=23))
    assert await jobs.purge_expired(LocalStorage(settings.data_dir), settings.export_retention, folder) == 1
    assert (await _status(old))["status"] == "expired" and not old_file.exists() and not leftover.exists()
    assert (await _status(new))["status"] == "done" and new_file.exists()


async def test_an_expired_job_says_export_again(coordinator_client, add_job, settings):
    job_id = await add_job(status="done", path=str(settings.exports_dir / "gone.xlsx"), filename="a.xlsx",
                           finished_at=portal_clock.now())
    download = await coordinator_client.get(f"/manage/reports/jobs/{job_id}/download")
    assert download.status_code == 410
    assert "This export has expired: finished files are kept for 24 hours." in download.text
    assert ">Export again</button>" in download.text and 'name="district" value="dhaka"' in download.text
    page = await coordinator_client.get(f"/manage/reports/jobs/{job_id}", headers={"HX-Request": "true"})
    assert page.status_code == 200 and "has expired" in page.text
    assert (await _status(job_id))["status"] == "expired"


async def test_downloading_a_job_that_is_not_ready_explains_with_a_409(coordinator_client, add_job):
    job_id = await add_job(status="running", worker=f"{HOST}:{os.getppid()}")
    response = await coordinator_client.get(f"/manage/reports/jobs/{job_id}/download")
    assert response.status_code == 409 and "Preparing the XLSX file" in response.text


async def test_a_new_job_deletes_expired_files_first(coordinator_client, add_job, settings):
    settings.exports_dir.mkdir()
    old_file = settings.exports_dir / "job-1.xlsx"
    old_file.write_bytes(b"PK")
    old = await add_job(status="done", path=str(old_file), finished_at=portal_clock.now() - dt.timedelta(days=2))
    response = await coordinator_client.post("/manage/reports/jobs", data={"format": "xlsx"})
    await job_finished(coordinator_client, response.headers["location"])
    assert (await _status(old))["status"] == "expired" and not old_file.exists()


def test_a_server_shutdown_and_a_crash_have_their_own_messages():
    assert jobs.failure_message(attendance.ExportStopped("export stopped")) == jobs.STOPPED
    assert "(KeyError)" in jobs.failure_message(KeyError("x"))


async def test_a_finished_csv_job_names_the_charset_once(coordinator_client, add_job, settings):
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    path = settings.exports_dir / "done.csv"
    path.write_bytes(b"\xef\xbb\xbfName\r\n")
    job_id = await add_job(status="done", fmt="csv", path=str(path), filename="a.csv", finished_at=portal_clock.now())
    download = await coordinator_client.get(f"/manage/reports/jobs/{job_id}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "text/csv; charset=utf-8"


async def test_a_finished_job_with_a_bangla_name_has_an_ascii_fallback_and_the_utf8_name(
        coordinator_client, add_job, settings):
    # The download header comes from portal.exports.content_disposition like every other download
    # (Litestar's own File header sent only filename*=, which old browsers ignore).
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    path = settings.exports_dir / "done.xlsx"
    path.write_bytes(b"PK")
    job_id = await add_job(status="done", fmt="xlsx", path=str(path), filename="উপস্থিতি-dhaka.xlsx",
                           finished_at=portal_clock.now())
    download = await coordinator_client.get(f"/manage/reports/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert download.headers.get_list("content-disposition") == [
        "attachment; filename=\"dhaka.xlsx\"; filename*=UTF-8''%E0%A6%89%E0%A6%AA%E0%A6%B8%E0%A7%8D%E0%A6%A5"
        "%E0%A6%BF%E0%A6%A4%E0%A6%BF-dhaka.xlsx"]
