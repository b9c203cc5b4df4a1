"""Export jobs: big XLSX exports written in the background, with progress kept in the database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.from_thread
import anyio.to_thread

from portal.core.errors import NotFound
from portal.reports import attendance
from portal.reports.attendance import AttendanceFilter
from portal.reports.tables import ExportJob

log = logging.getLogger("portal.reports")
# Strong references (a task nobody holds may be collected mid-run) and each job's stop flag.
_RUNNING: dict[asyncio.Task, threading.Event] = {}


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """At shutdown, stop running jobs (they record themselves as failed) before the database closes."""
    try:
        yield
    finally:
        for stop in _RUNNING.values():
            stop.set()
        await asyncio.gather(*_RUNNING, return_exceptions=True)


async def create_job(user: Any, flt: AttendanceFilter, shape: str, fmt: str, secret: str, data_dir: Path) -> int:
    """Record a job for this filter and start writing it; returns the job id."""
    total = await attendance.count_rows(flt, shape)
    job = ExportJob(user=user.id, shape=shape, fmt=fmt, query=urlencode(sorted(flt.as_query().items())),
                    status="queued", rows_total=total)
    await job.save()
    stop = threading.Event()
    task = asyncio.create_task(_run(job.id, flt, shape, fmt, secret, data_dir / "exports", stop))
    _RUNNING[task] = stop
    task.add_done_callback(lambda done: _RUNNING.pop(done, None))
    return job.id


async def _update(job_id: int, **values: Any) -> None:
    await ExportJob.update({getattr(ExportJob, k): v for k, v in values.items()}).where(ExportJob.id == job_id)


async def _run(job_id: int, flt: AttendanceFilter, shape: str, fmt: str, secret: str, folder: Path,
               stop: threading.Event) -> None:
    path = folder / f"job-{job_id}.{fmt}"
    try:
        await anyio.to_thread.run_sync(lambda: folder.mkdir(parents=True, exist_ok=True))
        await _update(job_id, status="running")

        def write() -> int:
            # In a worker thread: the renderer pulls its rows from the event loop batch by batch.
            with open(path, "wb") as out:
                for chunk in export.body:
                    out.write(chunk)
            return path.stat().st_size

        export = await attendance.build_export(
            flt, shape, fmt, secret, tmp_dir=str(folder),
            progress=lambda done: anyio.from_thread.run(_progress, job_id, done), stop=stop)
        await anyio.to_thread.run_sync(write)
        await _update(job_id, status="done", filename=export.filename, path=str(path),
                      finished_at=dt.datetime.now(dt.UTC))
    except Exception as exc:  # noqa: BLE001 - the job records the failure; the coordinator sees it
        log.exception("export job %s failed", job_id)
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - one unlink of a local file
        await _update(job_id, status="failed", error=f"{type(exc).__name__}"[:500],
                      finished_at=dt.datetime.now(dt.UTC))


async def _progress(job_id: int, done: int) -> None:
    await _update(job_id, rows_done=done)


async def get_job(user: Any, job_id: int) -> dict[str, Any]:
    """A job its owner (or an admin) may see; NotFound otherwise."""
    job = await ExportJob.select().where(ExportJob.id == job_id).first()
    if job is None or (job["user"] != user.id and user.role != "admin"):
        raise NotFound("No such export.")
    job["filters"] = dict(parse_qsl(job["query"]))
    job["percent"] = 100 if job["status"] == "done" else (
        min(99, job["rows_done"] * 100 // job["rows_total"]) if job["rows_total"] else 0)
    return job
