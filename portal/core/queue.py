"""The PostgreSQL job queue behind portal/core/jobs.py: procrastinate.

Why procrastinate: it keeps its jobs in the portal's own PostgreSQL (no broker to run), takes them
with `SELECT ... FOR UPDATE SKIP LOCKED` so each runs on exactly one free worker, wakes workers with
LISTEN/NOTIFY, records worker heartbeats (a dead worker's jobs can be found and run again), defers a
periodic job once per period across every worker (a unique row per period), and runs on asyncio. It
is maintained and released regularly, with documented schema migrations.

Web processes only defer (`ProcrastinateQueue`); `portal worker` runs `run_worker`, which also looks
for jobs of dead workers every heartbeat and runs them again (every job is resumable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import procrastinate

from portal.core.jobs import REGISTRY, JobContext, Queue, bind

log = logging.getLogger("portal.jobs")
STALLED_AFTER_BEATS = 3


def _task_function(spec: Any, context: JobContext) -> Any:
    async def run(timestamp: int | None = None, **arguments: Any) -> None:
        # `timestamp`: procrastinate gives periodic jobs the period they run for; ours do not need it.
        await spec.function(context, **arguments)

    run.__name__ = spec.name.replace(".", "_")
    return run


def build_app(database_url: str, context: JobContext, pool_size: int = 4) -> procrastinate.App:
    """A procrastinate app with every registered job as a task (periodic ones with their cron)."""
    connector = procrastinate.PsycopgConnector(conninfo=database_url, min_size=1, max_size=pool_size)
    app = procrastinate.App(connector=connector)
    for spec in REGISTRY.values():
        task = app.task(name=spec.name, pass_context=False)(_task_function(spec, context))
        if spec.every is not None:
            app.periodic(cron=spec.cron, periodic_id=spec.name)(task)
    return app


class ProcrastinateQueue(Queue):
    """Defers into PostgreSQL; `portal worker` processes run the jobs."""

    runs_here = False

    def __init__(self, database_url: str, context: JobContext) -> None:
        self.app = build_app(database_url, context, pool_size=2)
        self._open = False

    async def start(self) -> None:
        """Open the connection pool."""
        await self.app.open_async()
        self._open = True

    async def stop(self) -> None:
        """Close the connection pool."""
        if self._open:
            self._open = False
            await self.app.close_async()

    async def defer(self, name: str, *, lock: str | None = None, **arguments: Any) -> None:
        """Insert the job; a worker takes it (jobs with the same lock run one after another)."""
        await self.app.configure_task(name, lock=lock).defer_async(**arguments)


async def apply_schema(database_url: str) -> bool:
    """Create the queue's tables if they are not there yet (`portal migrate`); True when created."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=database_url, min_size=1, max_size=1))
    async with app.open_async():
        row = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
        if row["present"]:
            return False
        await app.schema_manager.apply_schema_async()
        return True


async def retry_stalled(app: procrastinate.App, seconds: float) -> int:
    """Run again the jobs of workers silent for `seconds` (killed, or their machine lost); returns how many."""
    retried = 0
    for stalled in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        try:
            await app.job_manager.retry_job(stalled)
        except Exception:  # noqa: BLE001, S112 - another worker retried it first
            continue
        log.warning("job %s (%s) of a dead worker runs again", stalled.id, stalled.task_name)
        retried += 1
    return retried


async def _watch_stalled(app: procrastinate.App, beat: float) -> None:
    while True:
        await asyncio.sleep(beat)
        try:
            await retry_stalled(app, beat * STALLED_AFTER_BEATS)
        except Exception:  # noqa: BLE001 - the database may be away for a moment; try again next beat
            log.exception("looking for stalled jobs failed")


async def run_worker(settings: Any, context: JobContext, concurrency: int = 4) -> None:
    """Run jobs until SIGINT/SIGTERM (a running job is let finish first)."""
    app = build_app(settings.database_url, context, pool_size=concurrency + 2)
    beat = float(settings.worker_heartbeat_seconds)
    async with app.open_async():
        queue = ProcrastinateQueue.__new__(ProcrastinateQueue)
        queue.app, queue._open = app, False  # jobs that defer jobs use this worker's pool
        bind(queue)
        watcher = asyncio.create_task(_watch_stalled(app, beat))
        try:
            await app.run_worker_async(
                concurrency=concurrency, update_heartbeat_interval=beat,
                stalled_worker_timeout=beat * STALLED_AFTER_BEATS, delete_jobs="successful",
                install_signal_handlers=True, fetch_job_polling_interval=max(1.0, beat / 2),
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
