"""`make soak`: crash and duplicate test of ticket check-in against the real server.

For each backend it migrates a fresh database, seeds one event with S sessions and R
registrations, starts `python -m portal serve` on a free port, logs in through the login form,
and lets N clients post ticket scans to the staff scan route: every (registration, session) is
sent as a burst of copies by several clients at once, and some again later. A scan whose request
fails (connection refused or cut) is resent with the same client id until it gets an answer, as
the scanner page's offline queue does. Meanwhile the server is killed with SIGKILL K times at
random moments and restarted. At the end the server is killed once more (nothing a clean shutdown
would flush can help) and the database is read directly:

- every (registration, session) that got a success answer ("ok" or "already") has its row;
- no (registration, session) has two rows, and each row has exactly one audit entry;
- no pair was answered "ok" twice, and every answer's time is the stored check-in time;
- no answer was a 5xx or a refusal.

The figures are printed; the exit status is 1 when any of these fails, 2 when it could not run.

    python scripts/soak.py                       # both backends, full size
    python scripts/soak.py --quick --backend sqlite
    python scripts/soak.py --backend postgres --require-postgres
    python scripts/soak.py --servers 2           # two-server mode: two servers, one database, kills at random

SQLite runs in a temporary data directory. PostgreSQL runs at PORTAL_SOAK_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/test_soak) and is skipped with a reason when it is
not reachable, unless --require-postgres.

!!! THE POSTGRESQL DATABASE'S `public` SCHEMA IS DROPPED AND RECREATED: EVERY TABLE IN IT IS LOST.
!!! NEVER POINT PORTAL_SOAK_DATABASE_URL AT A DATABASE WHOSE DATA YOU WANT TO KEEP.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test_soak"
ADMIN_EMAIL = "soak-admin@example.org"
ADMIN_PASSWORD = "soak password 12345"  # noqa: S105 - a throwaway account in a throwaway database
GIVE_UP_SECONDS = 60.0  # a scan still unanswered after this long counts as lost by the client
START_TIMEOUT_SECONDS = 60.0
FULL = {"registrations": 400, "sessions": 2, "clients": 16, "kills": 5}
QUICK = {"registrations": 40, "sessions": 2, "clients": 6, "kills": 2}


@dataclass(frozen=True)
class Scan:
    """One scan a client sends (and resends, with the same client id, until it is answered)."""

    registration_id: int
    session_id: int
    token: str
    client_id: str
    duplicate: str = ""  # "", "burst" (sent by several clients at once) or "repeat" (sent again later)


@dataclass
class Tally:
    """What the clients saw."""

    requests: int = 0
    transport_errors: int = 0
    server_errors: int = 0
    completed: int = 0
    gave_up: int = 0
    answers: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    # (registration, session) -> [(status, at)] of every success answer
    acked: dict[tuple[int, int], list[tuple[str, dt.datetime]]] = field(default_factory=dict)
    kills: int = 0
    aborted: bool = False
    successes_at_restart: list[int] = field(default_factory=list)
    # Two-server mode: did the restarted server answer a scan (a repeat of an acknowledged one)? The
    # other server's clients may finish the plan meanwhile, so the count of answers cannot tell.
    restarted_answered: list[bool] = field(default_factory=list)

    @property
    def successes(self) -> int:
        return self.answers["ok"] + self.answers["already"]


# ---------------------------------------------------------------------------------------------
# Database set-up (run in a child process, so the portal reads this backend's environment)


async def _seed(registrations: int, sessions: int) -> dict[str, Any]:
    """Migrate, then one published event with `sessions` sessions and `registrations` people."""
    from portal.__main__ import migrate
    from portal.db import bind_engine, make_engine, start_engine, stop_engine
    from portal.events.registrations.services import new_token
    from portal.events.tables import Event, Participant, Registration, Session
    from portal.settings import database_location

    await migrate()
    engine = make_engine(*database_location())
    bind_engine(engine)
    await start_engine(engine)
    try:
        today = dt.date.today()
        event = Event(kind="district_workshop", title="Soak workshop", district="dhaka", start_date=today,
                      end_date=today, status="published")
        await event.save()
        now = dt.datetime.now(dt.UTC)
        session_ids = []
        for n in range(sessions):
            # Every session under way now, so that check-in to each is inside its window (the soak
            # scans them all at once, without staff confirming scans outside the window).
            session = Session(event=event.id, title=f"Session {n + 1}", starts_at=now - dt.timedelta(minutes=30),
                              ends_at=now + dt.timedelta(hours=8))
            await session.save()
            session_ids.append(session.id)
        people = [Participant(name=f"Soak person {n}", phone=f"+88017{n:08d}", district="dhaka")
                  for n in range(registrations)]
        ids = [row["id"] for row in await Participant.insert(*people).returning(Participant.id)]
        tokens = [new_token() for _ in ids]
        rows = await Registration.insert(*[Registration(event=event.id, participant=pid, ticket_token=token)
                                           for pid, token in zip(ids, tokens, strict=True)]).returning(Registration.id)
        return {"event": event.id, "sessions": session_ids,
                "tickets": {row["id"]: token for row, token in zip(rows, tokens, strict=True)}}
    finally:
        await stop_engine(engine)


def reset_postgres(url: str) -> None:
    """DROP the public schema of `url` and create it empty."""
    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        try:
            await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    asyncio.run(reset())


def postgres_problem(url: str) -> str:
    """Why PostgreSQL at `url` cannot be used, or "" when it answers."""
    import asyncpg

    async def probe() -> None:
        connection = await asyncpg.connect(url, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}"
    return ""


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m portal serve` in a process group of its own, so SIGKILL reaches every worker."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int) -> None:
        self.env, self.log_path, self.workers = env, log_path, workers
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{env['PORTAL_PORT']}"

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "portal", "serve", "--workers", str(self.workers)], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the whole group and reap the server."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    async def wait_healthy(self, client: httpx.AsyncClient) -> None:
        """Wait until /healthz answers 200 (or fail with the end of the server's log)."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                if (await client.get(f"{self.base}/healthz", timeout=2)).status_code == 200:
                    return
            except Exception:  # noqa: BLE001, S110 - not listening yet
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the server did not become healthy; end of its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log (all its runs)."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def logged_errors(self) -> list[str]:
        """Error lines the server logged (the portal's JSON log, uvicorn's text log, tracebacks)."""
        return [line for line in self.log_path.read_text(errors="replace").splitlines()
                if '"level": "ERROR"' in line or line.startswith(("ERROR:", "Traceback"))]


# ---------------------------------------------------------------------------------------------
# The clients


def plan_scans(tickets: dict[int, str], session_ids: list[int], rng: random.Random) -> list[Scan]:
    """Every (registration, session) as a burst of 1-4 adjacent copies, and ~30% of them again later."""
    pairs = [(reg, ses) for reg in tickets for ses in session_ids]
    rng.shuffle(pairs)
    keyed: list[tuple[float, Scan]] = []
    for index, (reg, ses) in enumerate(pairs):
        copies = 1 if rng.random() < 0.4 else rng.randint(2, 4)
        for copy in range(copies):
            keyed.append((index + copy * 1e-3, Scan(reg, ses, tickets[reg], f"soak-{reg}-{ses}-{copy}",
                                                    "burst" if copy else "")))
        if rng.random() < 0.3:
            later = rng.uniform(index + 1, len(pairs) + 1)
            keyed.append((later, Scan(reg, ses, tickets[reg], f"soak-{reg}-{ses}-r", "repeat")))
    keyed.sort(key=lambda item: item[0])
    return [scan for _, scan in keyed]


async def log_in(base: str) -> tuple[dict[str, str], str]:
    """Log in through the form (CSRF double submit): the cookies and the CSRF token to send."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/login")
        page.raise_for_status()
        csrf = client.cookies.get("csrftoken")
        response = await client.post("/login", data={"identifier": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                                     "next": "/manage"}, headers={"x-csrftoken": csrf})
        if response.status_code != 303 or not client.cookies.get("portal_session"):
            raise RuntimeError(f"login failed: HTTP {response.status_code}")
        return dict(client.cookies.items()), csrf


async def send(client: httpx.AsyncClient, url: str, scan: Scan, tally: Tally) -> None:
    """Post one scan until it is answered; record the answer."""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    delay = 0.02
    while True:
        tally.requests += 1
        try:
            response = await client.post(url, json={"token": scan.token, "client_id": scan.client_id})
        except httpx.TransportError:
            response = None
            tally.transport_errors += 1
        if response is not None and response.status_code >= 500:
            tally.server_errors += 1
            tally.unexpected.append(f"HTTP {response.status_code} for {scan}: {response.text[:200]}")
            response = None
        if response is not None:
            break
        if time.monotonic() > deadline or tally.aborted:
            tally.gave_up += 1
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    status = body.get("status")
    if response.status_code != 200 or status not in {"ok", "already"} or body.get("registration_id") != \
            scan.registration_id or body.get("session_id") != scan.session_id:
        tally.answers["other"] += 1
        tally.unexpected.append(f"HTTP {response.status_code} for {scan}: {response.text[:200]}")
        return
    tally.answers[status] += 1
    at = dt.datetime.fromisoformat(body["at"])
    tally.acked.setdefault((scan.registration_id, scan.session_id), []).append((status, at))


async def clients(servers: list[Server], plan: list[Scan], event_id: int, n_clients: int, kills: int,
                  rng: random.Random) -> Tally:
    """Run the scans with `n_clients` clients while a killer SIGKILLs and restarts a server.

    With several servers (two-server mode: one database, as behind a load balancer) the clients are dealt
    round them, one login serves all, and each kill takes a server chosen at random while the others
    keep taking scans; a client of the killed one resends until it is back."""
    tally = Tally()
    queue = deque(plan)
    # Kill points spread over 10-90 % of the plan, with jitter, so that each lands mid-stream.
    points = deque(sorted(len(plan) * (k + 1 + rng.uniform(-0.3, 0.3)) / (kills + 1) for k in range(kills)))
    kill_due, done = asyncio.Event(), asyncio.Event()
    async with httpx.AsyncClient() as probe:
        for server in servers:
            await server.wait_healthy(probe)
        cookies, csrf = await log_in(servers[0].base)

        async def client_loop(server: Server) -> None:
            headers = {"x-csrftoken": csrf, "accept": "application/json"}
            async with httpx.AsyncClient(base_url=server.base, cookies=cookies, headers=headers, timeout=20) as client:
                while queue:
                    scan = queue.popleft()
                    url = f"/manage/events/{event_id}/sessions/{scan.session_id}/scan"
                    await send(client, url, scan, tally)
                    tally.completed += 1
                    if points and tally.completed >= points[0]:
                        points.popleft()
                        kill_due.set()

        async def killer() -> None:
            try:
                await kill_and_restart()
            except BaseException:
                tally.aborted = True  # the server did not come back: stop the clients now
                queue.clear()
                raise

        async def kill_and_restart() -> None:
            for _ in range(kills):
                if not done.is_set():
                    await kill_due.wait()
                kill_due.clear()
                # With several servers the others may finish the plan while one restarts: the kills left
                # still happen (each restarted server must answer a repeat scan), with no scans in flight.
                if done.is_set() and len(servers) == 1:
                    return
                await asyncio.sleep(rng.uniform(0, 0.02))
                server = rng.choice(servers)
                server.kill()
                tally.kills += 1
                await asyncio.sleep(rng.uniform(0.05, 0.3))
                server.start()
                await server.wait_healthy(probe)
                tally.successes_at_restart.append(tally.successes)
                if len(servers) > 1:
                    acked = next(iter(tally.acked), None)
                    repeat = next((scan for scan in plan if (scan.registration_id, scan.session_id) == acked), plan[0])
                    answer = Tally()
                    async with httpx.AsyncClient(base_url=server.base, cookies=cookies, timeout=20, headers={
                            "x-csrftoken": csrf, "accept": "application/json"}) as again:
                        url = f"/manage/events/{event_id}/sessions/{repeat.session_id}/scan"
                        await send(again, url, repeat, answer)
                    tally.restarted_answered.append(answer.successes == 1)
                    tally.unexpected += answer.unexpected

        kill_task = asyncio.create_task(killer())
        try:
            await asyncio.gather(*(client_loop(servers[n % len(servers)]) for n in range(n_clients)))
        finally:
            done.set()
            kill_due.set()
            await kill_task
    return tally


# ---------------------------------------------------------------------------------------------
# The count


def _parse_time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def read_database(database_url: str, sqlite_path: Path, session_ids: list[int]) -> tuple[list[dict], Counter]:
    """The check-in rows of the sessions and the audit entries per check-in id, read without the portal."""
    marks = ", ".join(str(int(s)) for s in session_ids)
    rows_sql = f"SELECT id, registration, session, at FROM check_in WHERE session IN ({marks})"  # noqa: S608
    audit_sql = "SELECT record_id FROM audit_entry WHERE action = 'checkin.create' AND record_type = 'check_in'"
    if not database_url:
        with sqlite3.connect(sqlite_path) as connection:
            connection.row_factory = sqlite3.Row
            rows = [dict(r) for r in connection.execute(rows_sql)]
            audit = Counter(r[0] for r in connection.execute(audit_sql))
        return rows, audit
    import asyncpg

    async def read() -> tuple[list[dict], Counter]:
        connection = await asyncpg.connect(database_url)
        try:
            rows = [dict(r) for r in await connection.fetch(rows_sql)]
            audit = Counter(r[0] for r in await connection.fetch(audit_sql))
        finally:
            await connection.close()
        return rows, audit

    return asyncio.run(read())


def figures(plan: list[Scan], tally: Tally, rows: list[dict], audit: Counter, pairs: int, kills: int,
            log_errors: int) -> tuple[list[tuple[str, Any, str]], bool]:
    """The figures table and whether every invariant held."""
    stored = Counter((r["registration"], r["session"]) for r in rows)
    first = {(r["registration"], r["session"]): _parse_time(r["at"]) for r in rows}
    lost = sum(1 for pair in tally.acked if pair not in stored)
    duplicate_rows = sum(n - 1 for n in stored.values() if n > 1)
    no_audit = sum(1 for r in rows if audit[str(r["id"])] != 1)
    double_ok = sum(1 for answers in tally.acked.values() if sum(s == "ok" for s, _ in answers) > 1)
    wrong_time = sum(1 for pair, answers in tally.acked.items() for _, at in answers
                     if pair in first and at != first[pair])
    cut = sum(1 for pair in stored if not any(s == "ok" for s, _ in tally.acked.get(pair, [])))
    checkpoints = [*tally.successes_at_restart[1:], tally.successes]
    survived = sum(1 for before, after in zip(tally.successes_at_restart, checkpoints, strict=True) if after > before)
    if tally.restarted_answered:
        survived = sum(tally.restarted_answered)
    bursts = sum(1 for s in plan if s.duplicate == "burst")
    repeats = sum(1 for s in plan if s.duplicate == "repeat")
    table = [
        ("scans planned", len(plan), f"{pairs} (registration, session) pairs"),
        ("requests sent", tally.requests, f"{tally.requests - len(plan)} resends after a failed request"),
        ("success answers", tally.successes, f"ok {tally.answers['ok']}, already {tally.answers['already']}"),
        ("duplicates sent", bursts + repeats, f"{bursts} at once by another client, {repeats} again later"),
        ("connection errors during kills", tally.transport_errors, "refused or cut; each resent"),
        ("server errors (5xx)", tally.server_errors, "must be 0"),
        ("errors in the server log", log_errors, "must be 0"),
        ("refusals, other answers", tally.answers["other"], "must be 0"),
        ("scans given up", tally.gave_up, f"no answer in {GIVE_UP_SECONDS:.0f} s; must be 0"),
        ("kills survived", f"{survived}/{kills}", "SIGKILL, restart, scans answered again"),
        ("rows in DB", len(rows), f"{pairs} expected"),
        ("acknowledged pairs", len(tally.acked), ""),
        ("rows lost", lost, "acknowledged but not stored; must be 0"),
        ("duplicate rows", duplicate_rows, "must be 0"),
        ("rows without one audit entry", no_audit, "must be 0"),
        ('pairs answered "ok" twice', double_ok, "must be 0"),
        ("answers with another time", wrong_time, "time in the answer != stored time; must be 0"),
        ("committed, answer cut by a kill", cut, "stored, first answer lost; resend said already"),
    ]
    ok = (lost == duplicate_rows == no_audit == double_ok == wrong_time == tally.server_errors == tally.gave_up
          == tally.answers["other"] == log_errors == 0
          and survived == kills and len(rows) == pairs and len(tally.acked) == pairs)
    return table, ok


# ---------------------------------------------------------------------------------------------
# One backend


def run_backend(label: str, database_url: str, args: argparse.Namespace) -> bool:
    """Soak one backend; print its figures; True when every invariant held."""
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix=f"portal-soak-{label}-"))
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "DATABASE_URL"))}
    env.update({
        "PICCOLO_CONF": "portal.piccolo_conf", "PORTAL_DATA_DIR": str(work / "data"), "PORTAL_PORT": str(port),
        "PORTAL_HOST": "127.0.0.1", "PORTAL_BASE_URL": f"http://127.0.0.1:{port}", "PORTAL_WORKERS": "1",
        "PORTAL_SECRET_KEY": "soak-secret-key-" + "s" * 32, "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL,
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    })
    if database_url:
        env["DATABASE_URL"] = database_url
        reset_postgres(database_url)
    seeded = work / "seed.json"
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--internal-seed", str(seeded),
                             "--registrations", str(args.registrations), "--sessions", str(args.sessions)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"seeding failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    seed = json.loads(seeded.read_text())
    tickets = {int(reg): token for reg, token in seed["tickets"].items()}
    plan = plan_scans(tickets, seed["sessions"], rng)
    servers = [Server(env, work / "server.log", args.workers)]
    for n in range(2, args.servers + 1):  # two-server mode: more servers on the same database
        other = free_port()
        servers.append(Server({**env, "PORTAL_PORT": str(other), "PORTAL_BASE_URL": f"http://127.0.0.1:{other}"},
                              work / f"server-{n}.log", args.workers))
    for server in servers:
        server.start()
    try:
        tally = asyncio.run(clients(servers, plan, seed["event"], args.clients, args.kills, rng))
    finally:
        for server in servers:
            server.kill()  # killed, not stopped: the count must not depend on a clean shutdown
    rows, audit = read_database(database_url, work / "data" / "portal.sqlite3", seed["sessions"])
    log_errors = [line for server in servers for line in server.logged_errors()]
    tally.unexpected += log_errors
    table, ok = figures(plan, tally, rows, audit, len(tickets) * len(seed["sessions"]), args.kills, len(log_errors))
    where = database_url.rsplit("@", 1)[-1] if database_url else f"{work / 'data'}"
    print(f"\nSoak, {label} ({where}): {args.registrations} registrations x {args.sessions} sessions, "
          f"{args.clients} clients, {args.servers} server(s) of {args.workers} worker(s), {args.kills} kills, "
          f"seed {args.seed}, "
          f"{time.monotonic() - started:.1f} s")
    for name, value, note in table:
        print(f"  {name:34} {value!s:>8}   {note}")
    for line in tally.unexpected[:10]:
        print(f"  ! {line}")
    print(f"  result: {'PASS' if ok else 'FAIL'}", flush=True)
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"  kept: {work} (server.log)")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Parse the options, soak each backend asked for; 0 pass, 1 fail, 2 could not run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a short run (the one `make test` does)")
    parser.add_argument("--registrations", type=int, help=f"tickets (default {FULL['registrations']}, "
                                                          f"quick {QUICK['registrations']})")
    parser.add_argument("--sessions", type=int, help="sessions of the event (default 2)")
    parser.add_argument("--clients", type=int, help=f"concurrent clients (default {FULL['clients']}, "
                                                    f"quick {QUICK['clients']})")
    parser.add_argument("--kills", type=int, help=f"SIGKILLs (default {FULL['kills']}, quick {QUICK['kills']})")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--servers", type=int, default=1, help="servers on the one database, as behind a load "
                        "balancer (default 1; 2 is the two-server mode: kills take one at random)")
    parser.add_argument("--seed", type=int, help="random seed (default: a new one, printed)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log, SQLite file)")
    parser.add_argument("--require-postgres", action="store_true", help="fail instead of skipping PostgreSQL")
    parser.add_argument("--internal-seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.internal_seed:
        args.internal_seed.write_text(json.dumps(asyncio.run(_seed(args.registrations, args.sessions))))
        return 0
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    if min(args.registrations, args.sessions, args.clients, args.workers, args.servers) < 1 or args.kills < 0:
        parser.error("sizes must be at least 1 (kills at least 0)")
    backends = []
    if args.backend in {"sqlite", "both"}:
        backends.append(("sqlite", ""))
    if args.backend in {"postgres", "both"}:
        url = os.environ.get("PORTAL_SOAK_DATABASE_URL", "").strip() or DEFAULT_PG_URL
        problem = postgres_problem(url)
        if not problem:
            backends.append(("postgres", url))
        elif args.require_postgres:
            print(f"PostgreSQL is required (--require-postgres) but not reachable at {url}: {problem}")
            return 2
        else:
            print(f"Skipping PostgreSQL: not reachable at {url}: {problem}")
    failed = False
    for label, url in backends:
        try:
            failed |= not run_backend(label, url, args)
        except RuntimeError as exc:
            print(f"\nSoak, {label}: could not run: {exc}")
            return 2
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
