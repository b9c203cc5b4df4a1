"""Bulk issue as a job (portal/core/jobs.py): a row with progress, run by the job queue.

The row is the truth: a reload shows the same job, a second click finds the job that is already
queued or running, and issuing is idempotent per registration (a unique index), so the job can run
again after a crash and carries on from what is not issued yet. The runner beats a heartbeat after
every certificate. Inline (SQLite), a job whose heartbeat is older than STALE_AFTER (the server
restarted, the task died) is taken over by the next request that looks at it: it compares and sets
the heartbeat so only one process resumes it. Through the PostgreSQL queue the job is the queue's:
a dead worker's job runs again on another worker, so no request needs to take it over.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from portal.auth.services import CurrentUser
from portal.certificates.eligibility import event_standings, load_event
from portal.certificates.issue import ends_later, issue_for
from portal.certificates.tables import IssueJob
from portal.core import audit, clock, jobs
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import gettext as _
from portal.db import write_transaction

log = logging.getLogger("portal.certificates")
STALE_AFTER = dt.timedelta(seconds=30)
ACTIVE = ("queued", "running")
JOB = "certificates.bulk_issue"


async def _pending(event: dict[str, Any]) -> list:
    # Master-trainer certificates wait for the ToT's last session to end: bulk issue skips them until then
    # (one can be issued early, with a reason, from its own row).
    if await ends_later(event) is not None:
        return []
    return [s for s in await event_standings(event) if s.eligible and s.certificate is None]


async def start(user: CurrentUser, event_id: int, ip: str = "", tz: dt.tzinfo | None = None) -> int:
    """Start issuing every eligible certificate of the event; a job already under way is returned instead."""
    event = await load_event(user, event_id)
    total = 0
    async with write_transaction(IssueJob._meta.db):
        current = await IssueJob.select(IssueJob.id).where(
            (IssueJob.event == event_id) & IssueJob.status.is_in(list(ACTIVE))).first()
        if current:
            job_id = current["id"]
        else:
            total = len(await _pending(event))
            # Nothing to issue: the job is born finished, and no task is started.
            now = clock.now()
            job = IssueJob(event=event_id, total=total, created_by=user.id, status="queued" if total else "done",
                           created_at=now, heartbeat_at=now, finished_at=None if total else now)
            await job.save()
            job_id = job.id
            await audit.record(user.actor(ip), "certificate.bulk_issue", "event", event_id, after={"job": job_id})
    if not current and total:
        await _defer(job_id, tz)
    return job_id


def _lock(job_id: int) -> str:
    return f"certificates.bulk_issue:{job_id}"


async def _defer(job_id: int, tz: dt.tzinfo | None = None) -> None:
    await jobs.defer(JOB, lock=_lock(job_id), job_id=job_id, tz=getattr(tz, "key", None))


@jobs.job(JOB)
async def run_job(ctx: jobs.JobContext | None, job_id: int, tz: str | None = None) -> None:
    """The queue's entry: the job's time zone travels by name."""
    await run(job_id, ZoneInfo(tz) if tz else None)


async def run(job_id: int, tz: dt.tzinfo | None = None) -> None:
    """Issue what the job's event still lacks, beating the heartbeat after each certificate."""
    job = await IssueJob.select().where(IssueJob.id == job_id).first()
    if job is None or job["status"] not in ACTIVE:
        return  # done or failed already: running it again changes nothing
    try:
        event = await load_event(None, job["event"])
        pending = await _pending(event)
        await IssueJob.update({IssueJob.status: "running", IssueJob.heartbeat_at: clock.now(),
                               IssueJob.total: job["done"] + len(pending)}).where(IssueJob.id == job_id)
        actor = Actor(id=job["created_by"], label=f"bulk issue job {job_id}")
        for item in pending:
            _certificate, created = await issue_for(event, item, job["created_by"], actor, tz=tz)
            await IssueJob.update({IssueJob.done: IssueJob.done + 1, IssueJob.issued: IssueJob.issued + int(created),
                                   IssueJob.heartbeat_at: clock.now()}).where(IssueJob.id == job_id)
        await IssueJob.update({IssueJob.status: "done", IssueJob.finished_at: clock.now()}).where(IssueJob.id == job_id)
    except asyncio.CancelledError:
        raise  # shutting down: the stale heartbeat lets the next look resume it
    except Exception as exc:  # noqa: BLE001 - the job records its failure for the page to show
        log.exception("bulk issue job %s failed", job_id)
        await IssueJob.update({IssueJob.status: "failed", IssueJob.error: failure_message(exc)[:500],
                               IssueJob.finished_at: clock.now()}).where(IssueJob.id == job_id)


def failure_message(exc: Exception) -> str:
    """What the job page says about a job that raised: a refusal's own message, else the kind of error."""
    if isinstance(exc, DomainError):
        return exc.message
    return f"An unexpected error ({type(exc).__name__}) stopped it; it has been logged"


async def resume_if_stale(job: dict[str, Any], now: dt.datetime | None = None) -> bool:
    """Take over an active job whose runner is gone; True when this process resumed it."""
    now = now or clock.now()
    queue = jobs.current()
    if not queue.runs_here:
        return False  # the queue runs a dead worker's job again itself
    if job["status"] not in ACTIVE or queue.is_running(_lock(job["id"])) or job["heartbeat_at"] > now - STALE_AFTER:
        return False
    claimed = await IssueJob.update({IssueJob.heartbeat_at: now}).where(
        (IssueJob.id == job["id"]) & (IssueJob.heartbeat_at == job["heartbeat_at"])).returning(IssueJob.id)
    if not claimed:
        return False
    log.info("resuming bulk issue job %s", job["id"])
    await _defer(job["id"])
    return True


async def get(user: CurrentUser, event_id: int, job_id: int) -> dict[str, Any]:
    """The job (resumed first if its runner is gone)."""
    await load_event(user, event_id)
    job = await IssueJob.select().where((IssueJob.id == job_id) & (IssueJob.event == event_id)).first()
    if job is None:
        raise NotFound(_("No such job."))
    if await resume_if_stale(job):
        job = await IssueJob.select().where(IssueJob.id == job_id).first()
    return job


async def latest(event_id: int) -> dict[str, Any] | None:
    """The event's most recent job, for the certificate page."""
    return await IssueJob.select().where(IssueJob.event == event_id).order_by(IssueJob.id, ascending=False).first()


async def wait(job_id: int) -> None:
    """Wait for this process's runner of a job (tests, the CLI)."""
    await jobs.current().wait(_lock(job_id))
