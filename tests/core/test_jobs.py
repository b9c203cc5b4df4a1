"""The job interface: inline tasks (SQLite) and the PostgreSQL queue (procrastinate) run the same jobs."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from portal.core import jobs
from portal.core.jobs import InlineQueue, JobContext, JobSpec
from portal.settings import Settings, SettingsError

pytestmark = pytest.mark.anyio
BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")


@pytest.fixture
def registry(monkeypatch):
    """A registry of this test's own jobs (the portal's are left alone)."""
    own: dict[str, JobSpec] = {}
    monkeypatch.setattr(jobs, "REGISTRY", own)
    import portal.core.queue as queue_module

    monkeypatch.setattr(queue_module, "REGISTRY", own)
    return own


async def test_an_inline_job_runs_in_this_process_with_its_context(registry):
    seen = []

    @jobs.job("test.record")
    async def record(ctx, value: int) -> None:
        await asyncio.sleep(0.01)
        seen.append((ctx.settings, value))

    queue = InlineQueue(JobContext(settings="the settings", storage=None))
    await queue.defer("test.record", lock="one", value=1)
    await queue.defer("test.record", lock="one", value=2)  # the same lock while the first runs: not twice
    assert queue.is_running("one")
    await queue.wait("one")
    assert seen == [("the settings", 1)] and not queue.is_running("one")
    await queue.defer("test.record", lock="one", value=3)  # finished: may run again
    await queue.wait("one")
    assert seen[-1] == ("the settings", 3)


async def test_a_failing_inline_job_is_logged_and_does_not_stop_the_queue(registry, caplog):
    @jobs.job("test.broken")
    async def broken(ctx) -> None:
        raise RuntimeError("boom")

    queue = InlineQueue()
    await queue.defer("test.broken", lock="x")
    await queue.wait("x")
    assert "job test.broken failed" in caplog.text


async def test_inline_periodic_jobs_run_on_a_timer_until_stopped(registry):
    runs = []

    @jobs.periodic("test.tick", every=dt.timedelta(seconds=0.05), first_after=dt.timedelta(seconds=0.02))
    async def tick(ctx) -> None:
        runs.append(ctx)

    queue = InlineQueue(JobContext(None, None))
    await queue.start()
    await asyncio.sleep(0.2)
    await queue.stop()
    count = len(runs)
    assert 2 <= count <= 5
    await asyncio.sleep(0.1)
    assert len(runs) == count  # stopped


def test_periods_become_cron_lines():
    every = [dt.timedelta(hours=6), dt.timedelta(minutes=15), dt.timedelta(hours=24)]
    assert [JobSpec("x", None, period).cron for period in every] == ["0 */6 * * *", "*/15 * * * *", "0 0 * * *"]


def test_the_queue_is_chosen_by_the_database(tmp_path):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40}
    assert Settings.from_env(env).jobs == "inline"
    with_pg = {**env, "DATABASE_URL": "postgresql://u@h/db"}
    assert Settings.from_env(with_pg).jobs == "queue"
    assert Settings.from_env({**with_pg, "PORTAL_JOBS": "inline"}).jobs == "inline"
    with pytest.raises(SettingsError, match="PORTAL_JOBS=queue needs DATABASE_URL"):
        Settings.from_env({**env, "PORTAL_JOBS": "queue"})
    with pytest.raises(SettingsError, match="inline or queue"):
        Settings.from_env({**env, "PORTAL_JOBS": "celery"})


def test_the_worker_command_explains_that_sqlite_needs_none(tmp_path, monkeypatch):
    from portal.__main__ import main

    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit, match="With SQLite the web server runs jobs itself"):
        main(["worker"])


def test_the_purges_are_one_periodic_job():
    import portal.app  # noqa: F401 - registers the jobs

    assert jobs.REGISTRY["portal.purge"].every == dt.timedelta(hours=6)
    assert {"certificates.bulk_issue", "reports.export"} <= set(jobs.REGISTRY)


@pytest.mark.skipif(BACKEND != "postgres", reason="the queue lives in PostgreSQL")
async def test_the_postgres_queue_runs_a_deferred_job_on_a_worker_once(registry, settings, db):
    from portal.core.queue import ProcrastinateQueue, build_app

    async with db.pool.acquire() as connection:
        await connection.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers RESTART IDENTITY CASCADE")
    seen = []

    @jobs.job("test.record")
    async def record(ctx, value: int) -> None:
        seen.append((ctx.settings, value))

    @jobs.periodic("test.tick", every=dt.timedelta(hours=6))
    async def tick(ctx) -> None:
        """Only registered: the worker defers it once per period across all workers."""

    context = JobContext(settings="worker settings", storage=None)
    queue = ProcrastinateQueue(settings.database_url, context)
    await queue.start()
    try:
        await queue.defer("test.record", lock="record:1", value=7)
        assert seen == []  # deferred, not run, by the web process
        rows = await queue.app.job_manager.list_jobs_async()
        found = [(job.task_name, job.lock, job.task_kwargs) for job in rows]
        assert found == [("test.record", "record:1", {"value": 7})]
    finally:
        await queue.stop()
    worker_app = build_app(settings.database_url, context)
    assert [task.task.name for task in worker_app.periodic_registry.periodic_tasks.values()] == ["test.tick"]
    async with worker_app.open_async():
        await worker_app.run_worker_async(wait=False, install_signal_handlers=False, queues=["default"])
    assert seen == [("worker settings", 7)]
