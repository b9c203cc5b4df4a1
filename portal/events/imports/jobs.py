"""Large imports committed as a job (portal/core/jobs.py), with a progress bar and "failed: start again".

A commit of more than JOB_FROM_ROWS rows does not run in the request: `start` records an ImportJob
(the upload's id and every choice of the preview) and defers it. The job loads the upload from the
shared storage (portal/core/storage.py), so it runs wherever the queue runs it (in the web process on
SQLite, on any `portal worker` with PostgreSQL), checks the rows (progress "checking"), then writes
them in one transaction (progress "saving") and marks itself done inside that same transaction.

So an import is all-or-nothing: a job that fails or dies part-way saved nothing (the transaction is
rolled back) and its page offers to start it again from the same upload, which stays stored until the
job is done; a job that runs twice finds itself done and does nothing, never a second copy. Each run claims
the job with a token (`runner`) and writes "done" only while it still holds it: a run thought dead whose
job was started again meanwhile rolls its transaction back instead of saving the rows a second time.

Progress while saving: the rows are written inside one transaction, which other connections cannot
see into. The job keeps its progress in this process (`_LIVE`, which the page reads when the job runs
here: always so on SQLite) and, on PostgreSQL, also writes it on a pooled connection of its own, outside
the transaction, so a page served by another machine sees it too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import secrets
from typing import Any

from portal.core import audit, clock, jobs
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.events.imports import services as imports
from portal.events.imports import uploads
from portal.events.imports.tables import ImportJob

log = logging.getLogger("portal.imports")
JOB = "imports.commit"
ACTIVE = ("queued", "running")
JOB_FROM_ROWS = 1000  # valid rows from which a commit runs as a job rather than in the request
STALE_AFTER = dt.timedelta(seconds=60)
# Kept in English in the row and translated when shown (a job runs outside any request's language).
STOPPED = N_("The server stopped while this import was running")
CRASHED = N_("An unexpected error stopped it; it has been logged")
_LIVE: dict[int, tuple[str, int]] = {}


def _lock(job_id: int) -> str:
    return f"{JOB}:{job_id}"


async def start(actor: audit.Actor, event_id: int | None, upload_id: str, filename: str,
                options: dict[str, Any], rows_total: int) -> int:
    """Record the import and defer it; its id."""
    job_id = await create(actor, event_id, upload_id, filename, options, rows_total)
    await jobs.defer(JOB, lock=_lock(job_id), job_id=job_id)
    return job_id


async def create(actor: audit.Actor, event_id: int | None, upload_id: str, filename: str,
                 options: dict[str, Any], rows_total: int) -> int:
    """Record the import, queued (`start` defers it; the demo runs it at once); its id."""
    now = clock.now()
    job = ImportJob(event=event_id, created_by=actor.id, upload_id=upload_id, filename=filename[:200],
                    options=json.dumps(options), status="queued", rows_total=rows_total, created_at=now,
                    heartbeat_at=now)
    await job.save()
    await audit.record(actor, "import.start", "import_job", job.id,
                       after={"event": event_id, "file": filename, "rows": rows_total})
    return job.id


@jobs.job(JOB)
async def run_job(ctx: jobs.JobContext | None, job_id: int) -> None:
    """The queue's entry."""
    if ctx is None:
        raise RuntimeError("an import job needs the storage of its context")
    await run(job_id, ctx.storage)


async def _write_progress(job_id: int, phase: str, done: int) -> None:
    engine = ImportJob._meta.db
    now = clock.now()
    if engine.current_transaction.get() is None:
        await ImportJob.update({ImportJob.phase: phase, ImportJob.rows_done: done, ImportJob.heartbeat_at: now}
                               ).where(ImportJob.id == job_id)
    elif engine.engine_type == "postgres" and getattr(engine, "pool", None) is not None:
        async with engine.pool.acquire() as connection:  # outside the import's transaction, seen by all
            await connection.execute("UPDATE import_job SET phase = $1, rows_done = $2, heartbeat_at = $3 "
                                     "WHERE id = $4", phase, done, now, job_id)


class Superseded(Exception):  # noqa: N818 - not an error of the import: another run took the job over
    """This run's job was claimed by a later run (started again after it was thought dead)."""


async def run(job_id: int, storage: Any) -> None:
    """Import the job's rows unless it is done or failed already (idempotent)."""
    runner = secrets.token_hex(8)
    claimed = await ImportJob.update({ImportJob.status: "running", ImportJob.heartbeat_at: clock.now(),
                                      ImportJob.phase: "checking", ImportJob.rows_done: 0,
                                      ImportJob.runner: runner}).where(
        (ImportJob.id == job_id) & ImportJob.status.is_in(list(ACTIVE))).returning(ImportJob.id)
    if not claimed:
        return
    job = await ImportJob.select().where(ImportJob.id == job_id).first()
    _LIVE[job_id] = ("checking", 0)

    async def progress(phase: str, done: int) -> None:
        _LIVE[job_id] = (phase, done)
        await _write_progress(job_id, phase, done)

    async def finish(counts: dict[str, int]) -> None:
        # Inside the import's transaction, and only if this run still holds the job: a run started again
        # meanwhile (this one was thought dead) makes this one roll back, so the rows are saved once.
        finished = await ImportJob.update({
            ImportJob.status: "done", ImportJob.phase: "", ImportJob.rows_done: job["rows_total"],
            ImportJob.counts: json.dumps(counts), ImportJob.finished_at: clock.now()}).where(
            (ImportJob.id == job_id) & (ImportJob.runner == runner)
            & ImportJob.status.is_in(list(ACTIVE))).returning(ImportJob.id)
        if not finished:
            raise Superseded(job_id)

    try:
        options = json.loads(job["options"])
        _filename, sheets = await uploads.load(storage, job["event"] or 0, job["upload_id"])
        sheet = sheets[min(int(options["sheet"]), len(sheets) - 1)]
        table = imports.locate(sheet.rows, int(options["header_row"]))
        actor = audit.Actor(id=job["created_by"], label=f"import job {job_id}")
        mapping = {k: int(v) for k, v in options["mapping"].items()}
        sessions = {int(k): int(v) for k, v in options.get("sessions", {}).items()}
        await imports.commit(job["event"], table, mapping, actor, options.get("choices") or {}, sessions,
                             progress=progress, finish=finish)
        await uploads.discard(storage, job["event"] or 0, job["upload_id"])
    except asyncio.CancelledError:
        await _fail(job_id, STOPPED, runner)
        raise
    except Superseded:
        log.warning("import job %s: taken over by a later run; this run saved nothing", job_id)
    except Exception as exc:  # noqa: BLE001 - the job records its failure for the page to show
        if not isinstance(exc, DomainError):
            log.exception("import job %s failed", job_id)
        await _fail(job_id, exc.message if isinstance(exc, DomainError) else CRASHED, runner)
    finally:
        _LIVE.pop(job_id, None)


async def _fail(job_id: int, message: str, runner: str | None = None) -> None:
    """Mark an active job failed (by `runner` only, when given: a run's failure never ends a later run)."""
    where = (ImportJob.id == job_id) & ImportJob.status.is_in(list(ACTIVE))
    if runner is not None:
        where &= ImportJob.runner == runner
    await ImportJob.update({ImportJob.status: "failed", ImportJob.error: message[:500],
                            ImportJob.finished_at: clock.now()}).where(where)


def _stale(job: dict[str, Any], now: dt.datetime) -> bool:
    queue = jobs.current()
    if job["status"] not in ACTIVE or job["id"] in _LIVE or queue.is_running(_lock(job["id"])):
        return False
    if job["status"] == "queued" and not queue.runs_here:
        return False  # waiting in the PostgreSQL queue for a free worker
    return job["heartbeat_at"] is None or job["heartbeat_at"] < now - STALE_AFTER


async def get(job_id: int, event_id: int | None) -> dict[str, Any]:
    """The job of this event (None: of the directory), with its percentage; a job whose runner is gone is
    marked failed first."""
    job = await ImportJob.select().where(ImportJob.id == job_id).first()
    if job is None or job["event"] != event_id:
        raise NotFound(_("No such import."))
    if _stale(job, clock.now()):
        await _fail(job_id, STOPPED)
        job = await ImportJob.select().where(ImportJob.id == job_id).first()
    phase, done = _LIVE.get(job_id, (job["phase"], job["rows_done"]))
    if job["status"] == "running" and (phase, done) != (job["phase"], job["rows_done"]):
        job = {**job, "phase": phase, "rows_done": done}
    total = max(job["rows_total"], 1)
    half = min(job["rows_done"], total) * 50 // total
    job["percent"] = 100 if job["status"] == "done" else (50 + half if job["phase"] == "saving" else half)
    job["counts"] = json.loads(job["counts"] or "{}")
    return job


async def restart(actor: audit.Actor, job_id: int, event_id: int | None) -> None:
    """Start a failed job again from its stored upload (nothing of it was saved)."""
    job = await get(job_id, event_id)
    if job["status"] != "failed":
        return
    restarted = await ImportJob.update({ImportJob.status: "queued", ImportJob.error: "", ImportJob.rows_done: 0,
                                        ImportJob.phase: "", ImportJob.heartbeat_at: clock.now(),
                                        ImportJob.finished_at: None}).where(
        (ImportJob.id == job_id) & (ImportJob.status == "failed")).returning(ImportJob.id)
    if restarted:
        await audit.record(actor, "import.restart", "import_job", job_id)
        await jobs.defer(JOB, lock=_lock(job_id), job_id=job_id)


async def recent(event_id: int | None, limit: int = 5) -> list[dict[str, Any]]:
    """The latest imports run as jobs into this event (None: into the directory), newest first."""
    where = ImportJob.event.is_null() if event_id is None else ImportJob.event == event_id
    return await ImportJob.select(ImportJob.id, ImportJob.filename, ImportJob.status, ImportJob.rows_total,
                                  ImportJob.created_at).where(where).order_by(ImportJob.id, ascending=False
                                                                              ).limit(limit)


async def wait(job_id: int) -> None:
    """Wait for this process's runner of a job (tests)."""
    await jobs.current().wait(_lock(job_id))
