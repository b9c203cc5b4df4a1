"""Export jobs: big XLSX exports written in the background (portal/core/jobs.py), with progress
kept in the database.

The writer renders into a temporary file on its own machine's disk, then puts the finished file
into the shared storage (portal/core/storage.py: the data folder, or the object store every
machine reads), so any app server can offer the download. The row records the process writing it
(`worker`: host and pid; "queue" while it waits for a `portal worker`) and a heartbeat the writer
beats while it runs. A job left queued or running by a process that is gone (a restart, a crash, a
kill) can never finish: it is marked failed, with a message, at start-up, when anyone looks at it
and when a new job starts, and its page offers to start it again (through the PostgreSQL queue, a
dead worker's job usually runs again on another worker first, and writes the file afresh). A job
whose code raises is marked failed the same way. Finished files are kept for
`Settings.export_retention_hours`; then the file is deleted and the job is "expired": its page says
so and offers to export again.
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
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import anyio
import anyio.from_thread
import anyio.to_thread

from portal.core import clock, jobs
from portal.core.errors import NotFound
from portal.core.files import open_private, private_dir
from portal.core.i18n import gettext as _
from portal.core.storage import LocalStorage, Storage
from portal.reports import attendance
from portal.reports.attendance import AttendanceFilter, ExportStopped
from portal.reports.tables import ExportJob

log = logging.getLogger("portal.reports")
ACTIVE = ("queued", "running")
JOB = "reports.export"
QUEUED = "queue"  # the worker of a job waiting in the PostgreSQL queue
PREFIX = "exports"
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
        await housekeeping(app.state.storage, settings.export_retention, settings.exports_dir)
    except Exception:  # noqa: BLE001 - housekeeping must never stop the portal from starting
        log.exception("export housekeeping at start-up failed")
    try:
        yield
    finally:
        for stop in _RUNNING.values():
            stop.set()
        await asyncio.gather(*_RUNNING, return_exceptions=True)


async def create_job(user: Any, flt: AttendanceFilter, shape: str, fmt: str, storage: Storage,
                     retention: dt.timedelta) -> int:
    """Record a job for this filter and defer its writing (after deleting files older than `retention`)."""
    try:
        await housekeeping(storage, retention)
    except Exception:  # noqa: BLE001 - a failed clean-up must not refuse the export
        log.exception("export housekeeping failed")
    total = await attendance.count_rows(flt, shape)
    here = jobs.current().runs_here
    job = ExportJob(user=user.id, shape=shape, fmt=fmt, query=urlencode(sorted(flt.as_query().items())),
                    status="queued", rows_total=total, worker=f"{_HOST}:{os.getpid()}" if here else QUEUED,
                    heartbeat_at=clock.now())
    await job.save()
    if here:
        _MINE.add(job.id)  # before the task starts: a look at the job meanwhile must not find it orphaned
    scope = None if flt.scope is None else sorted(flt.scope)
    await jobs.defer(JOB, lock=f"{JOB}:{job.id}", job_id=job.id, scope=scope, tz=getattr(flt.tz, "key", "UTC"))
    return job.id


@jobs.job(JOB)
async def run_export(ctx: jobs.JobContext, job_id: int, scope: list[str] | None, tz: str) -> None:
    """Write the job's file, unless it is finished, failed or expired already (idempotent)."""
    _MINE.add(job_id)
    # Registered before the first await, so a shutdown that starts meanwhile stops this job too.
    stop = threading.Event()
    task = asyncio.current_task()
    assert task is not None
    _RUNNING[task] = stop
    try:
        row = await ExportJob.select().where(ExportJob.id == job_id).first()
        if row is None or row["status"] not in ACTIVE:
            return
        flt, _ = attendance.parse_filter(dict(parse_qsl(row["query"])))
        flt = replace(flt, scope=None if scope is None else tuple(scope), tz=ZoneInfo(tz))
        await _run(job_id, flt, row["shape"], row["fmt"], ctx.settings.secret_key, ctx.storage,
                   ctx.settings.exports_dir, stop)
    finally:
        _RUNNING.pop(task, None)
        _MINE.discard(job_id)


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


def key_for(job_id: int, fmt: str) -> str:
    """The storage key of a job's finished file."""
    return f"{PREFIX}/job-{int(job_id)}.{fmt}"


async def _run(job_id: int, flt: AttendanceFilter, shape: str, fmt: str, secret: str, storage: Storage,
               folder: Path, stop: threading.Event) -> None:
    # Written on this machine's disk, beside where the local storage keeps it, then put into the storage.
    path = _parts(folder / f"job-{job_id}.{fmt}") / f"job-{job_id}.{fmt}"
    key = key_for(job_id, fmt)
    beat = asyncio.create_task(_beat(job_id))
    try:
        await anyio.to_thread.run_sync(lambda: (private_dir(folder), private_dir(path.parent)))
        await _update(job_id, status="running", heartbeat_at=clock.now(), worker=f"{_HOST}:{os.getpid()}", path="")

        def write() -> int:
            # In a worker thread: the renderer pulls its rows from the event loop batch by batch.
            with open_private(path) as out:
                for chunk in export.body:
                    out.write(chunk)
            return path.stat().st_size

        export = await attendance.build_export(
            flt, shape, fmt, secret, tmp_dir=str(path.parent),
            progress=lambda done: anyio.from_thread.run(_progress, job_id, done), stop=stop)
        await anyio.to_thread.run_sync(write)
        await storage.put_file(key, path)
        await _update(job_id, status="done", filename=export.filename, path=key, finished_at=clock.now())
    except Exception as exc:  # noqa: BLE001 - the job records the failure; the coordinator sees it
        log.exception("export job %s failed", job_id)
        await storage.delete(key)
        await _update(job_id, status="failed", error=failure_message(exc)[:500], finished_at=clock.now(), path="")
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(path.parent, ignore_errors=True))


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
    if job["status"] == "queued" and job["worker"] == QUEUED:
        return False  # waiting in the PostgreSQL queue, which keeps it until a worker is free
    if job["heartbeat_at"] is None or job["heartbeat_at"] < now - STALE_AFTER:
        return True  # silent too long, wherever it ran (also: jobs from before heartbeats)
    host, _, pid = job["worker"].rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False  # another machine: only its heartbeat can tell
    # This process runs every job it started that is still running (they are in _MINE), so a job
    # recorded with this pid is an earlier process's (pids are reused after a restart, in a
    # container usually the very same one). Another pid on this machine must still be alive.
    return int(pid) == os.getpid() or not _pid_alive(int(pid))


def stored_key(storage: Storage, path: str) -> str | None:
    """The storage key of a job's file: its `path` column, or for rows from before the storage, the
    absolute path of a file in the data folder."""
    if not path:
        return None
    if not path.startswith("/"):
        return path
    if isinstance(storage, LocalStorage):
        with contextlib.suppress(ValueError):
            return Path(path).relative_to(storage.root).as_posix()
    return None


def _parts_of(folder: Path | None, job: dict[str, Any]) -> Path | None:
    return None if folder is None else _parts(folder / f"job-{job['id']}.{job['fmt']}")


async def _fail_orphans(jobs: list[dict[str, Any]], now: dt.datetime, folder: Path | None = None) -> int:
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
            parts = _parts_of(folder, job)
            if parts is not None:  # the temporary files of a dead writer on this machine
                await anyio.to_thread.run_sync(lambda p=parts: shutil.rmtree(p, ignore_errors=True))
            failed += 1
    return failed


async def fail_orphans(now: dt.datetime | None = None, folder: Path | None = None) -> int:
    """Mark every queued or running job whose process is gone as failed; returns how many. `folder`:
    this machine's folder of temporary export files, whose leftovers are deleted."""
    now = now or clock.now()
    jobs = await ExportJob.select(ExportJob.id, ExportJob.status, ExportJob.worker, ExportJob.heartbeat_at,
                                  ExportJob.path, ExportJob.fmt).where(ExportJob.status.is_in(list(ACTIVE)))
    return await _fail_orphans(jobs, now, folder)


async def purge_expired(storage: Storage, retention: dt.timedelta, folder: Path | None = None,
                        now: dt.datetime | None = None) -> int:
    """Delete finished files older than `retention` (their jobs become "expired"), and in this machine's
    `folder` of temporary files, leftovers as old (of dead processes); returns how many jobs expired."""
    now = now or clock.now()
    cutoff = now - retention
    old = await ExportJob.select(ExportJob.id, ExportJob.path).where(
        (ExportJob.status == "done") & (ExportJob.finished_at < cutoff))
    for job in old:
        key = stored_key(storage, job["path"])
        if key:
            await storage.delete(key)
    if old:
        await ExportJob.update({ExportJob.status: "expired", ExportJob.path: ""}).where(
            ExportJob.id.is_in([job["id"] for job in old]) & (ExportJob.status == "done"))
    if folder is not None:
        kept = {str(folder.parent / row["path"]) if not row["path"].startswith("/") else row["path"]
                for row in await ExportJob.select(ExportJob.path).where(ExportJob.status == "done")}
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


async def housekeeping(storage: Storage, retention: dt.timedelta, folder: Path | None = None) -> None:
    """Fail the jobs of dead processes, then delete expired files (and this machine's leftovers in `folder`)."""
    await fail_orphans(folder=folder)
    await purge_expired(storage, retention, folder)


async def get_job(user: Any, job_id: int, storage: Storage) -> dict[str, Any]:
    """A job its owner (or an admin) may see; NotFound otherwise. A job whose process is gone is
    marked failed, and a finished job whose file is gone is marked expired, before it is shown."""
    job = await ExportJob.select().where(ExportJob.id == job_id).first()
    if job is None or (job["user"] != user.id and user.role != "admin"):
        raise NotFound(_("No such export."))
    if job["status"] in ACTIVE and await _fail_orphans([job], clock.now()):
        job = await ExportJob.select().where(ExportJob.id == job_id).first()
    elif job["status"] == "done" and not await _file_exists(storage, job["path"]):
        await ExportJob.update({ExportJob.status: "expired", ExportJob.path: ""}).where(
            (ExportJob.id == job_id) & (ExportJob.status == "done"))
        job = {**job, "status": "expired", "path": ""}
    if job["status"] == "done":
        job["key"] = stored_key(storage, job["path"])
    job["filters"] = dict(parse_qsl(job["query"]))
    job["percent"] = 100 if job["status"] == "done" else (
        min(99, job["rows_done"] * 100 // job["rows_total"]) if job["rows_total"] else 0)
    return job


async def _file_exists(storage: Storage, path: str) -> bool:
    key = stored_key(storage, path)
    return key is not None and await storage.exists(key)
