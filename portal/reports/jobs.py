"""Export jobs: big XLSX exports written in the background, with progress kept in the database.

A job runs as an asyncio task of the process that created it. The row records that process
(`worker`: host and pid) and a heartbeat the task beats while it runs. A job left queued or
running by a process that is gone (a restart, a crash, a kill) can never finish: it is marked
failed, with a message, at start-up, when anyone looks at it and when a new job starts, and its
page offers to start it again. A job whose code raises is marked failed the same way. Finished
files are kept for `Settings.export_retention_hours`; then the file is deleted and the job is
"expired": its page says so and offers to export again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import shutil
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio
import anyio.from_thread
import anyio.to_thread

from portal.core import clock
from portal.core.errors import NotFound
from portal.core.files import open_private, private_dir
from portal.reports import attendance
from portal.reports.attendance import AttendanceFilter, ExportStopped
from portal.reports.tables import ExportJob

log = logging.getLogger("portal.reports")
ACTIVE = ("queued", "running")
HEARTBEAT_SECONDS = 10.0
# A live runner beats every HEARTBEAT_SECONDS; one silent this long has lost its process.
STALE_AFTER = dt.timedelta(seconds=60)
# Strong references (a task nobody holds may be collected mid-run) and each job's stop flag.
_RUNNING: dict[asyncio.Task, threading.Event] = {}
# Ids of the jobs this process is writing right now.
_MINE: set[int] = set()
_HOST = socket.gethostname()[:60]

ORPHANED = "The server stopped while this export was being written. Start it again."
STOPPED = "The server was shut down while this export was being written. Start it again."
CRASHED = "The export could not be written ({kind}). It has been logged; start it again."


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """At start-up, fail the jobs of dead processes and delete expired files; at shutdown, stop
    running jobs (they record themselves as failed) before the database closes."""
    settings = app.state.settings
    try:
        await housekeeping(settings.exports_dir, settings.export_retention)
    except Exception:  # noqa: BLE001 - housekeeping must never stop the portal from starting
        log.exception("export housekeeping at start-up failed")
    try:
        yield
    finally:
        for stop in _RUNNING.values():
            stop.set()
        await asyncio.gather(*_RUNNING, return_exceptions=True)


async def create_job(user: Any, flt: AttendanceFilter, shape: str, fmt: str, secret: str, data_dir: Path,
                     retention: dt.timedelta) -> int:
    """Record a job for this filter and start writing it (after deleting files older than `retention`)."""
    folder = data_dir / "exports"
    try:
        await housekeeping(folder, retention)
    except Exception:  # noqa: BLE001 - a failed clean-up must not refuse the export
        log.exception("export housekeeping failed")
    total = await attendance.count_rows(flt, shape)
    job = ExportJob(user=user.id, shape=shape, fmt=fmt, query=urlencode(sorted(flt.as_query().items())),
                    status="queued", rows_total=total, worker=f"{_HOST}:{os.getpid()}", heartbeat_at=clock.now())
    await job.save()
    stop = threading.Event()
    _MINE.add(job.id)
    task = asyncio.create_task(_run(job.id, flt, shape, fmt, secret, folder, stop))
    _RUNNING[task] = stop
    task.add_done_callback(lambda done: _RUNNING.pop(done, None))
    task.add_done_callback(lambda _: _MINE.discard(job.id))
    return job.id


async def _update(job_id: int, **values: Any) -> None:
    await ExportJob.update({getattr(ExportJob, k): v for k, v in values.items()}).where(ExportJob.id == job_id)


async def _beat(job_id: int) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            await _update(job_id, heartbeat_at=clock.now())
        except Exception:  # noqa: BLE001 - a missed beat is retried; the job itself reports real failures
            log.warning("export job %s: heartbeat failed", job_id)


def failure_message(exc: BaseException) -> str:
    """What the job page says about an export that raised."""
    if isinstance(exc, ExportStopped):
        return STOPPED
    return CRASHED.format(kind=type(exc).__name__)


def _parts(path: Path) -> Path:
    """The folder of a job's temporary files (the renderer's and xlsxwriter's), beside its file."""
    return path.with_suffix(".parts")


def remove_files(path: Path) -> None:
    """Delete a job's file and its temporary files (a failed job keeps nothing)."""
    path.unlink(missing_ok=True)
    shutil.rmtree(_parts(path), ignore_errors=True)


async def _run(job_id: int, flt: AttendanceFilter, shape: str, fmt: str, secret: str, folder: Path,
               stop: threading.Event) -> None:
    path = folder / f"job-{job_id}.{fmt}"
    beat = asyncio.create_task(_beat(job_id))
    try:
        await anyio.to_thread.run_sync(lambda: (private_dir(folder), private_dir(_parts(path))))
        # The path is recorded while the job runs, so whoever marks it failed can delete its files.
        await _update(job_id, status="running", heartbeat_at=clock.now(), path=str(path))

        def write() -> int:
            # In a worker thread: the renderer pulls its rows from the event loop batch by batch.
            with open_private(path) as out:
                for chunk in export.body:
                    out.write(chunk)
            return path.stat().st_size

        export = await attendance.build_export(
            flt, shape, fmt, secret, tmp_dir=str(_parts(path)),
            progress=lambda done: anyio.from_thread.run(_progress, job_id, done), stop=stop)
        await anyio.to_thread.run_sync(write)
        await _update(job_id, status="done", filename=export.filename, path=str(path),
                      finished_at=clock.now())
    except Exception as exc:  # noqa: BLE001 - the job records the failure; the coordinator sees it
        log.exception("export job %s failed", job_id)
        await anyio.to_thread.run_sync(remove_files, path)
        await _update(job_id, status="failed", error=failure_message(exc)[:500], finished_at=clock.now(), path="")
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(_parts(path), ignore_errors=True))


async def _progress(job_id: int, done: int) -> None:
    await _update(job_id, rows_done=done, heartbeat_at=clock.now())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, under another user
    return True


def is_orphaned(job: dict[str, Any], now: dt.datetime) -> bool:
    """True for a queued or running job whose process is gone, so it can never finish."""
    if job["status"] not in ACTIVE or job["id"] in _MINE:
        return False
    if job["heartbeat_at"] is None or job["heartbeat_at"] < now - STALE_AFTER:
        return True  # silent too long, wherever it ran (also: jobs from before heartbeats)
    host, _, pid = job["worker"].rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False  # another machine: only its heartbeat can tell
    # This process runs every job it started that is still running (they are in _MINE), so a job
    # recorded with this pid is an earlier process's (pids are reused after a restart, in a
    # container usually the very same one). Another pid on this machine must still be alive.
    return int(pid) == os.getpid() or not _pid_alive(int(pid))


async def _fail_orphans(jobs: list[dict[str, Any]], now: dt.datetime) -> int:
    failed = 0
    for job in jobs:
        if not is_orphaned(job, now):
            continue
        # Only a job still in the state it was seen in: a runner that finished meanwhile wins.
        changed = await ExportJob.update({ExportJob.status: "failed", ExportJob.error: ORPHANED,
                                          ExportJob.finished_at: now, ExportJob.path: ""}).where(
            (ExportJob.id == job["id"]) & (ExportJob.status == job["status"])
            & (ExportJob.worker == job["worker"])).returning(ExportJob.id)
        if changed:
            log.warning("export job %s: its process is gone; marked failed", job["id"])
            if job.get("path"):  # the partial file and the temporary files of the dead writer
                await anyio.to_thread.run_sync(remove_files, Path(job["path"]))
            failed += 1
    return failed


async def fail_orphans(now: dt.datetime | None = None) -> int:
    """Mark every queued or running job whose process is gone as failed; returns how many."""
    now = now or clock.now()
    jobs = await ExportJob.select(ExportJob.id, ExportJob.status, ExportJob.worker, ExportJob.heartbeat_at,
                                  ExportJob.path).where(ExportJob.status.is_in(list(ACTIVE)))
    return await _fail_orphans(jobs, now)


async def purge_expired(folder: Path, retention: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete finished files older than `retention` (their jobs become "expired") and leftovers in
    `folder` as old (partial files of dead processes); returns how many jobs expired."""
    now = now or clock.now()
    cutoff = now - retention
    old = await ExportJob.select(ExportJob.id, ExportJob.path).where(
        (ExportJob.status == "done") & (ExportJob.finished_at < cutoff))
    for job in old:
        if job["path"]:
            await anyio.Path(job["path"]).unlink(missing_ok=True)
    if old:
        await ExportJob.update({ExportJob.status: "expired", ExportJob.path: ""}).where(
            ExportJob.id.is_in([job["id"] for job in old]) & (ExportJob.status == "done"))
    kept = {row["path"] for row in await ExportJob.select(ExportJob.path).where(ExportJob.status == "done")}
    active = {f"job-{row['id']}." for row in await ExportJob.select(ExportJob.id).where(
        ExportJob.status.is_in(list(ACTIVE)))}
    await anyio.to_thread.run_sync(_delete_leftovers, folder, cutoff.timestamp(), kept, active)
    return len(old)


def _delete_leftovers(folder: Path, cutoff: float, kept: set[str], active: set[str]) -> None:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to delete
            if (str(path) not in kept and not path.name.startswith(tuple(active))
                    and path.stat().st_mtime < cutoff):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()


async def housekeeping(folder: Path, retention: dt.timedelta) -> None:
    """Fail the jobs of dead processes, then delete expired files."""
    await fail_orphans()
    await purge_expired(folder, retention)


async def get_job(user: Any, job_id: int) -> dict[str, Any]:
    """A job its owner (or an admin) may see; NotFound otherwise. A job whose process is gone is
    marked failed, and a finished job whose file is gone is marked expired, before it is shown."""
    job = await ExportJob.select().where(ExportJob.id == job_id).first()
    if job is None or (job["user"] != user.id and user.role != "admin"):
        raise NotFound("No such export.")
    if job["status"] in ACTIVE and await _fail_orphans([job], clock.now()):
        job = await ExportJob.select().where(ExportJob.id == job_id).first()
    elif job["status"] == "done" and not (job["path"] and await anyio.Path(job["path"]).is_file()):
        await ExportJob.update({ExportJob.status: "expired", ExportJob.path: ""}).where(
            (ExportJob.id == job_id) & (ExportJob.status == "done"))
        job = {**job, "status": "expired", "path": ""}
    job["filters"] = dict(parse_qsl(job["query"]))
    job["percent"] = 100 if job["status"] == "done" else (
        min(99, job["rows_done"] * 100 // job["rows_total"]) if job["rows_total"] else 0)
    return job
