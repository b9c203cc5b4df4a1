"""Files left behind and readable (issue 13, item 8): a failed export keeps no file, and the portal's data
files are created 0600 in 0700 folders, whatever the umask (the tests run with the common 022)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from portal.backup import backup
from portal.core import clock as portal_clock
from portal.core.storage import LocalStorage
from portal.reports import attendance, jobs
from portal.reports.tables import ExportJob
from portal.trainings.tables import Course
from tests.helpers import job_finished
from tests.trainings.uploads import upload

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def common_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def modes_under(folder: Path) -> set[tuple[str, str]]:
    """{("dir"|"file", mode)} of everything in `folder`, the folder included."""
    found = {("dir", mode(folder))}
    for path in folder.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", mode(path)))
    return found


@pytest.fixture
async def coordinator_client(client, login, create_user):
    return await login(client, await create_user("coordinator"))


async def test_an_export_file_is_private(coordinator_client, settings):
    answer = await coordinator_client.post("/manage/reports/jobs", data={"format": "xlsx", "shape": "long"})
    assert "Ready" in await job_finished(coordinator_client, answer.headers["location"])
    assert modes_under(settings.exports_dir) == {("dir", "0o700"), ("file", "0o600")}
    assert [p.suffix for p in settings.exports_dir.iterdir()] == [".xlsx"]  # no temporary files left


async def test_a_job_that_fails_midway_leaves_no_file(coordinator_client, settings, monkeypatch):
    real = attendance.build_export

    async def breaks_after_writing(*args, tmp_dir=None, **kwargs):
        (Path(tmp_dir) / "xlsxwriter-worksheet.tmp").write_bytes(bytes(1_000_000))  # what a big sheet leaves
        await real(*args, tmp_dir=tmp_dir, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(attendance, "build_export", breaks_after_writing)
    answer = await coordinator_client.post("/manage/reports/jobs", data={"format": "xlsx", "shape": "long"})
    assert "could not be written" in await job_finished(coordinator_client, answer.headers["location"])
    assert list(settings.exports_dir.iterdir()) == []
    assert (await ExportJob.select(ExportJob.status, ExportJob.path).first()) == {"status": "failed", "path": ""}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_killed_jobs_files_go_when_it_is_marked_failed(app, settings, create_user):
    user = await create_user("coordinator")
    folder = settings.exports_dir
    folder.mkdir()
    (folder / "job-1.parts").mkdir()
    (folder / "job-1.parts" / "job-1.xlsx").write_bytes(b"")  # opened, never written
    (folder / "job-1.parts" / "tmpworksheet").write_bytes(bytes(2_000_000))
    (folder / "job-1.parts" / "export-abc.xlsx").write_bytes(b"")
    job = ExportJob(user=user.id, shape="long", fmt="xlsx", query="", status="running", path="",
                    worker=f"{socket.gethostname()[:60]}:{_dead_pid()}", heartbeat_at=portal_clock.now())
    await job.save()
    assert await jobs.fail_orphans(folder=folder) == 1
    assert list(folder.iterdir()) == []
    assert (await ExportJob.select(ExportJob.status).first())["status"] == "failed"


async def test_leftover_temporary_folders_go_with_the_daily_sweep(app, settings):
    folder = settings.exports_dir
    (folder / "job-9.parts").mkdir(parents=True)
    (folder / "job-9.parts" / "tmp").write_bytes(b"x")
    old = (portal_clock.now() - dt.timedelta(days=2)).timestamp()
    os.utime(folder / "job-9.parts", (old, old))
    await jobs.purge_expired(LocalStorage(settings.data_dir), settings.export_retention, folder)
    assert list(folder.iterdir()) == []


async def test_materials_are_stored_privately(db, settings, create_user):
    coordinator = await create_user("coordinator")
    course = Course(title="Course")
    await course.save()
    await upload(settings, course.id, coordinator)
    assert modes_under(settings.materials_dir) == {("dir", "0o700"), ("file", "0o600")}


async def test_backups_are_private(db, settings):
    archive = backup(settings)
    assert mode(archive) == "0o600" and mode(archive.parent) == "0o700"


def test_the_portal_command_makes_what_it_creates_private(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PORTAL_DATA_DIR"}}
    env["PORTAL_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "portal", "migrate"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert modes_under(tmp_path / "data") == {("dir", "0o700"), ("file", "0o600")}  # the database and its journal
