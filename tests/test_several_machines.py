"""Several machines: two app servers (A, B) and one `portal worker`, real processes sharing PostgreSQL
and an S3 server (moto's), each with a data folder of its own, so nothing can pass through local disk.

- a material uploaded on A downloads (with a Range request) from B;
- ticket scans through both servers at once, each ticket three times: exactly one row each, none lost;
- an export started on A, A SIGKILLed while it runs: the finished file downloads from B;
- a bulk issue while the worker is SIGKILLed and started again: every eligible person gets exactly one
  certificate.

The PostgreSQL pass runs it (the queue and the shared database need PostgreSQL); it takes ~20 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import openpyxl
import pytest

from portal.certificates.tables import Certificate, IssueJob
from portal.events.imports.tables import ImportJob
from portal.events.registrations.services import new_token
from portal.events.tables import CheckIn, Event, Participant, Registration, Session
from portal.reports.tables import ExportJob
from portal.trainings.tables import MaterialVersion
from tests.helpers import PASSWORD, PORTAL_TZ, TEST_NOW, free_port, session_around_now, with_s3
from tests.trainings.uploads import pdf_bytes

BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")
ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.timeout(240),
    pytest.mark.skipif(BACKEND != "postgres", reason="several machines share PostgreSQL: the PostgreSQL pass runs it"),
]


class Machine:
    """`python -m tests.run_at COMMAND` in a process group of its own (the clock at the suite's "now")."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, folder / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{env.get('PORTAL_PORT', '')}"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.run_at", *self.command], cwd=ROOT,  # noqa: S603
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-25:]) if self.log.exists() else ""

    async def healthy(self) -> None:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, f"{self.name} died:\n{self.tail()}"
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.base}/healthz", timeout=2)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} did not start:\n{self.tail()}")


@pytest.fixture
async def machines(settings, db, s3_server, tmp_path):
    """A, B and a worker, started on this test's database and a fresh bucket; stopped afterwards."""
    s3 = await with_s3(settings, s3_server)
    async with db.pool.acquire() as connection:  # the queue's own tables: no job of an earlier test
        await connection.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_workers "
                                 "RESTART IDENTITY CASCADE")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "DATABASE_URL"))}
    env.update({
        "DATABASE_URL": s3.database_url, "PORTAL_SECRET_KEY": s3.secret_key, "PORTAL_TIMEZONE": s3.timezone,
        "PORTAL_STORAGE_URL": s3.storage_url, "PORTAL_S3_ENDPOINT_URL": s3.s3_endpoint_url,
        "PORTAL_S3_REGION": s3.s3_region, "PORTAL_S3_ACCESS_KEY_ID": s3.s3_access_key_id,
        "PORTAL_S3_SECRET_ACCESS_KEY": s3.s3_secret_access_key, "PORTAL_WORKER_HEARTBEAT_SECONDS": "1",
        "PORTAL_TEST_NOW": TEST_NOW.isoformat(),
    })
    found = {}
    for name in ("a", "b", "worker"):
        folder = tmp_path / f"machine-{name}"
        folder.mkdir()
        own = {**env, "PORTAL_DATA_DIR": str(folder)}
        if name == "worker":
            found[name] = Machine(name, ["worker", "--concurrency", "2"], own, tmp_path)
        else:
            own["PORTAL_PORT"] = str(free_port())
            found[name] = Machine(name, ["serve"], own, tmp_path)
        found[name].start()
    try:
        await asyncio.gather(found["a"].healthy(), found["b"].healthy())
        yield found
    finally:
        for machine in found.values():
            machine.kill(signal.SIGTERM)


async def _log_in(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    await client.get("/login")
    token = client.cookies["csrftoken"]
    answer = await client.post("/login", data={"identifier": email, "password": PASSWORD, "_csrf_token": token})
    assert answer.status_code == 303, answer.text
    client.headers["x-csrftoken"] = token
    return client


def _other(client: httpx.AsyncClient, base: str) -> httpx.AsyncClient:
    """The same browser (cookies, CSRF header) talking to another server."""
    other = httpx.AsyncClient(base_url=base, timeout=30, headers=dict(client.headers))
    other.cookies = client.cookies
    return other


async def _insert(table, rows: list) -> list[dict]:
    """Insert in batches (PostgreSQL takes at most 32,767 parameters a statement); the new ids."""
    ids = []
    for start in range(0, len(rows), 500):
        ids += await table.insert(*rows[start:start + 500]).returning(table.id)
    return ids


async def _people(event_id: int, count: int, attend: list[int]) -> list[tuple[int, str]]:
    """`count` registrations of new people, checked in at the sessions in `attend`: [(id, ticket token)]."""
    tag, base = uuid.uuid4().hex[:6], random.randrange(10**7, 9 * 10**7)
    people = await _insert(Participant, [Participant(name=f"Person {tag} {n}", phone=f"+88019{base + n:08d}",
                                                     district="khulna") for n in range(count)])
    tokens = [new_token() for _ in people]
    rows = await _insert(Registration, [Registration(event=event_id, participant=p["id"], ticket_token=t)
                                        for p, t in zip(people, tokens, strict=True)])
    await _insert(CheckIn, [CheckIn(registration=r["id"], session=s, method="manual") for r in rows for s in attend])
    return [(r["id"], t) for r, t in zip(rows, tokens, strict=True)]


async def _event(title: str, sessions: list[tuple[dt.datetime, dt.datetime]], day: dt.date) -> tuple[int, list[int]]:
    event = Event(kind="district_workshop", title=title, district="khulna", start_date=day, end_date=day,
                  completion_percent=100, status="published")
    await event.save()
    ids = []
    for n, (starts, ends) in enumerate(sessions):
        session = Session(event=event.id, title=f"Session {n + 1}", starts_at=starts, ends_at=ends)
        await session.save()
        ids.append(session.id)
    return event.id, ids


async def _until(check, what: str, seconds: float = 30, every: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


async def test_two_servers_and_a_worker_share_files_jobs_and_check_in(machines, create_user, clock):
    a, b, worker = machines["a"], machines["b"], machines["worker"]
    coordinator = await create_user("coordinator")
    on_a = await _log_in(a.base, coordinator.email)
    on_b = _other(on_a, b.base)
    try:
        # 1. A material uploaded on A, resumed with a Range request on B.
        course = await on_a.post("/manage/courses", data={"title": "Reintegration"})
        course_id = int(course.headers["location"].rsplit("/", 1)[1])
        content = pdf_bytes(400_001)
        uploaded = await on_a.post(f"/manage/courses/{course_id}/materials",
                                   data={"title": "Manual", "audience": "trainers", "language": "en"},
                                   files={"file": ("manual.pdf", content, "application/pdf")})
        assert uploaded.status_code == 303, uploaded.text
        version = await MaterialVersion.select(MaterialVersion.id).first()
        part = await on_b.get(f"/materials/versions/{version['id']}", headers={"Range": "bytes=100000-"})
        assert part.status_code == 206 and part.content == content[100_000:], a.tail()

        # 2. Ticket scans through both servers at once, each ticket three times.
        today = clock.now().astimezone(PORTAL_TZ).date()
        event_id, [session_id] = await _event("Scan day", [session_around_now()], today)
        tickets = await _people(event_id, 40, attend=[])
        plan = [token for _, token in tickets] * 3
        random.Random(20).shuffle(plan)
        answers: list[tuple[int, str]] = []

        async def scanner(n: int) -> None:
            client = (on_a, on_b)[n % 2]
            for token in plan[n::16]:
                answer = await client.post(f"/manage/events/{event_id}/sessions/{session_id}/scan",
                                           json={"token": token, "client_id": uuid.uuid4().hex},
                                           headers={"accept": "application/json"})
                answers.append((answer.status_code, answer.json().get("status", "")))

        await asyncio.gather(*[scanner(n) for n in range(16)])
        assert {code for code, _ in answers} == {200} and len(answers) == 120
        rows = await CheckIn.select(CheckIn.registration).where(CheckIn.session == session_id)
        assert sorted(row["registration"] for row in rows) == sorted(r for r, _ in tickets)  # one each, none lost

        # 3. An export started on A; A killed while it runs; the file downloads from B.
        big_id, big_sessions = await _event("Big workshop", [session_around_now()] * 2, today)
        await _people(big_id, 3000, attend=big_sessions)
        started = await on_a.post("/manage/reports/jobs", data={"format": "xlsx", "shape": "long",
                                                                "event": str(big_id)})
        assert started.status_code == 303, started.text
        export_id = int(started.headers["location"].rstrip("/").rsplit("/", 1)[1])
        a.kill()
        at_kill = await ExportJob.select(ExportJob.status).where(ExportJob.id == export_id).first()
        assert at_kill["status"] in ("queued", "running")  # A is gone; the job is not A's
        await _until(lambda: ExportJob.exists().where((ExportJob.id == export_id) & (ExportJob.status == "done")),
                     "the export to finish")
        page = await on_b.get(f"/manage/reports/jobs/{export_id}")
        assert re.search(r"Ready: 6,?000 rows", page.text), page.text[-2000:]
        download = await on_b.get(f"/manage/reports/jobs/{export_id}/download")
        assert download.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True).active
        assert sheet.max_row == 6001

        # 4. A bulk issue while the worker is killed and started again.
        issue_id, issue_sessions = await _event("Issue day", [session_around_now()], today)
        eligible = await _people(issue_id, 400, attend=issue_sessions)
        answer = await on_b.post(f"/manage/events/{issue_id}/certificates/issue-all")
        assert answer.status_code == 303, answer.text

        async def some_issued():
            return await IssueJob.exists().where((IssueJob.event == issue_id) & (IssueJob.done >= 10))

        await _until(some_issued, "the bulk issue to start", every=0.005)
        worker.kill()
        job = await IssueJob.select().where(IssueJob.event == issue_id).first()
        assert job["status"] == "running" and job["done"] < 400, job
        await asyncio.sleep(1.5)
        assert (await IssueJob.select(IssueJob.done).where(IssueJob.id == job["id"]).first())["done"] == job["done"]
        worker.start()
        await _until(lambda: IssueJob.exists().where((IssueJob.id == job["id"]) & (IssueJob.status == "done")),
                     "the bulk issue to finish on the restarted worker", seconds=60)
        issued = await Certificate.select(Certificate.registration).where(
            Certificate.registration.is_in([r for r, _ in eligible]))
        assert sorted(row["registration"] for row in issued) == sorted(r for r, _ in eligible)  # one each
        final = await IssueJob.select().where(IssueJob.id == job["id"]).first()
        assert final["done"] == final["total"] and final["error"] in ("", None), final
        progress = await on_b.get(f"/manage/events/{issue_id}/certificates/jobs/{job['id']}")
        assert progress.status_code == 200 and "every 1s" not in progress.text
    finally:
        await on_a.aclose()
        await on_b.aclose()
    assert "Traceback" not in b.log.read_text(), b.tail()



async def test_a_large_import_uploaded_on_one_server_runs_on_the_worker(machines, create_user, clock):
    """Issue 15: 1,500 rows with a ticked session column, uploaded and committed on A: the upload is in the
    object store, the worker runs the job, B shows it done; the same sheet again adds nothing."""
    a, b = machines["a"], machines["b"]
    on_a = await _log_in(a.base, (await create_user("coordinator")).email)
    on_b = _other(on_a, b.base)
    today = clock.now().astimezone(PORTAL_TZ).date()
    event_id, [session_id] = await _event("Paper day", [session_around_now()], today)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Mobile", "Session 1"])
    for n in range(1500):
        sheet.append([f"Imported {n:04d}", 1713000000 + n, "✓" if n % 3 else ""])
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        for attempt in (1, 2):
            page = await on_a.post(f"/manage/events/{event_id}/import/",
                                   files={"file": ("big.xlsx", buffer.getvalue(), "x/y")})
            assert page.status_code == 200 and "1,500 of 1,500 rows" in page.text, a.tail()
            action = re.search(r'<form method="post" action="([^"]+/import/[^"]+)"', page.text).group(1)
            form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
            for select, body in re.findall(r'<select id="[^"]+" name="(\w+)">(.*?)</select>', page.text, re.S):
                chosen = re.search(r'<option value="([^"]*)" selected>', body)
                form[select] = chosen.group(1) if chosen else ""
            assert form["att_2"] == str(session_id)
            started = await on_a.post(action + "/commit", data=form)
            assert started.status_code == 303 and "/import/jobs/" in started.headers["location"], started.text
            job_id = int(started.headers["location"].rsplit("/", 1)[1])
            await _until(lambda job_id=job_id: ImportJob.exists().where(
                (ImportJob.id == job_id) & (ImportJob.status == "done")), "the import job to finish", seconds=60)
            shown = await on_b.get(started.headers["location"])
            assert shown.status_code == 200 and "every 1s" not in shown.text
            expected = "1,000 check-ins recorded, 0 were" if attempt == 1 else "0 check-ins recorded, 1,000 were"
            assert expected in shown.text, shown.text[-1500:]
        assert await Registration.count().where(Registration.event == event_id) == 1500
        assert await CheckIn.count().where((CheckIn.session == session_id) & (CheckIn.method == "paper")) == 1000
    finally:
        await on_a.aclose()
        await on_b.aclose()
    assert "Traceback" not in machines["worker"].log.read_text(), machines["worker"].tail()
