"""Jobs: work longer than a request (bulk certificate issue, exports, purges; later message sends and
reminders) behind one interface, so that features never know where it runs.

A feature registers an async function with `@job("name")` (or `@periodic("name", hours=6)`) and
starts it with `await defer("name", lock=..., **arguments)`; the arguments are plain JSON values.
The function receives a `JobContext` (settings and storage) first. Progress and outcome live in the
feature's own table (IssueJob, ExportJob), which every machine reads, so progress bars and
"failed: start again" work wherever the job runs.

Two backends (`PORTAL_JOBS`):
- `InlineQueue` (SQLite, the default there): an asyncio task in the web process that deferred the
  job, as before; periodic jobs run on a timer in each web process.
- `ProcrastinateQueue` (portal/core/queue.py; the default with DATABASE_URL): a row in PostgreSQL
  that any `portal worker` picks up; jobs survive restarts, a dead worker's jobs run again on another,
  and a periodic job is deferred once per period across all machines.

Every job must be idempotent and resumable: it may run again after a crash, part-way through, so
it reads what is already done from the database and carries on (or starts its output afresh).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("portal.jobs")
JobFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobContext:
    """What a job may use besides its arguments: the settings and the shared file storage."""

    settings: Any
    storage: Any


@dataclass(frozen=True)
class JobSpec:
    """A registered job: its function, and for a periodic one how often and first after how long."""

    name: str
    function: JobFunction
    every: dt.timedelta | None = None
    first_after: dt.timedelta = dt.timedelta(0)

    @property
    def cron(self) -> str:
        """The period as a cron line for the queue (whole hours or minutes)."""
        assert self.every is not None
        minutes = int(self.every.total_seconds() // 60)
        if minutes % 60 == 0:
            return f"0 */{minutes // 60} * * *" if minutes < 24 * 60 else "0 0 * * *"
        return f"*/{minutes} * * * *"


REGISTRY: dict[str, JobSpec] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register `async def f(ctx, **arguments)` as the job `name`."""

    def register(function: JobFunction) -> JobFunction:
        REGISTRY[name] = JobSpec(name, function)
        return function

    return register


def periodic(name: str, *, every: dt.timedelta, first_after: dt.timedelta = dt.timedelta(0)
             ) -> Callable[[JobFunction], JobFunction]:
    """Register `async def f(ctx)` to run every `every` (inline: first after `first_after`)."""

    def register(function: JobFunction) -> JobFunction:
        REGISTRY[name] = JobSpec(name, function, every, first_after)
        return function

    return register


class Queue:
    """The interface: defer a job; start and stop with the process."""

    #: True when deferred jobs run in this process (so this process can wait for them).
    runs_here = False

    async def defer(self, name: str, *, lock: str | None = None, **arguments: Any) -> None:
        """Run the job `name` with these arguments soon; jobs with the same `lock` never run at once."""
        raise NotImplementedError

    def is_running(self, lock: str) -> bool:
        """True when this process runs the job with this lock right now."""
        return False

    async def wait(self, lock: str) -> None:
        """Wait until this process's job with this lock has finished (tests, the CLI)."""

    async def start(self) -> None:
        """Start (with the web process or the worker)."""

    async def stop(self) -> None:
        """Stop (at shutdown)."""


STOP_GRACE_SECONDS = 10


class InlineQueue(Queue):
    """Jobs as asyncio tasks of this process; periodic jobs on a timer."""

    runs_here = True

    def __init__(self, context: JobContext | None = None, periodic_jobs: bool = True) -> None:
        self.context = context
        self.periodic_jobs = periodic_jobs
        self._tasks: dict[str, asyncio.Task] = {}
        self._timers: list[asyncio.Task] = []

    async def defer(self, name: str, *, lock: str | None = None, **arguments: Any) -> None:
        """Start the job now as a task; a job whose lock is already running here is not started twice."""
        spec = REGISTRY[name]
        key = lock or f"{name}:{id(arguments)}"
        if key in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(spec, arguments), name=f"job {key}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._tasks.pop(key, None) if self._tasks.get(key) is done else None)

    async def _run(self, spec: JobSpec, arguments: dict[str, Any]) -> None:
        try:
            await spec.function(self.context, **arguments)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - jobs record their own failures; this is the last resort
            log.exception("job %s failed", spec.name)

    def is_running(self, lock: str) -> bool:
        """True while the task with this lock runs."""
        return lock in self._tasks

    async def wait(self, lock: str) -> None:
        """Wait for the task with this lock, if there is one."""
        task = self._tasks.get(lock)
        if task is not None:
            await asyncio.shield(task)

    async def start(self) -> None:
        """Start a timer for every periodic job."""
        if not self.periodic_jobs:
            return
        for spec in REGISTRY.values():
            if spec.every is not None:
                self._timers.append(asyncio.create_task(self._every(spec), name=f"periodic {spec.name}"))

    async def _every(self, spec: JobSpec) -> None:
        assert spec.every is not None
        await asyncio.sleep(spec.first_after.total_seconds())
        while True:
            await self._run(spec, {})
            await asyncio.sleep(spec.every.total_seconds())

    async def stop(self) -> None:
        """Stop the timers; give running jobs STOP_GRACE_SECONDS to finish, then cancel them.

        A job is resumable (bulk issue carries on from what is not issued; an export cut off is failed
        with "start again"), so cancelling one loses nothing acknowledged; a job left running after its
        event loop closed would fail on its database connection instead."""
        for timer in self._timers:
            timer.cancel()
        for timer in self._timers:
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        self._timers.clear()
        running = list(self._tasks.values())
        if running:
            _, late = await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._tasks.clear()


_bound: list[Queue] = []


def bind(queue: Queue) -> None:
    """Make `queue` the one `defer` uses in this process (create_app's lifespan, `portal worker`)."""
    _bound[:] = [queue]


def unbind(queue: Queue) -> None:
    """Forget `queue` once it has stopped (create_app's lifespan end), so nothing defers to it again."""
    if _bound and _bound[0] is queue:
        _bound.clear()


def current() -> Queue:
    """The bound queue; without one (service tests, commands), an inline queue with no context."""
    if not _bound:
        _bound.append(InlineQueue(periodic_jobs=False))
    return _bound[0]


async def defer(name: str, *, lock: str | None = None, **arguments: Any) -> None:
    """Run the job `name` through this process's queue (see `Queue.defer`)."""
    await current().defer(name, lock=lock, **arguments)


def make_queue(settings: Any, context: JobContext, periodic_jobs: bool = True) -> Queue:
    """The queue the settings choose: inline, or PostgreSQL's (portal/core/queue.py)."""
    if settings.jobs == "queue":
        from portal.core.queue import ProcrastinateQueue

        return ProcrastinateQueue(settings.database_url, context)
    return InlineQueue(context, periodic_jobs)
