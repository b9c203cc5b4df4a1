"""Check-in benchmark: ticket scans per second and p50/p99 latency against the real server.

Starts `python -m portal serve` on a free port (SQLite in a temporary directory; PostgreSQL too
with --postgres URL or DATABASE_URL), seeds N registrations spread over events of --per-event
people each (a district workshop has about 40, a ToT 30; default 100), one session each, then
drives it with wrk (32 connections by default): first the bare `/ping` route, then the scan
route, which posts a different ticket for every request, round the events (JSON, CSRF header and
cookie, a logged-in coordinator's session). Prints requests/s, p50 and p99 of both and their ratio.
(Every event's scan answer carries its live count, so one event of 20,000 people would measure
counting 20,000 rows per scan rather than checking in.)

    PYTHONPATH=. python bench/checkin.py [--registrations 20000] [--per-event 100] [--connections 32]
    PYTHONPATH=. python bench/checkin.py --postgres postgresql://postgres@127.0.0.1:5432/bench_db

The PostgreSQL database's public schema is DROPPED and recreated: never point it at real data.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LUA = r"""
local tokens, paths = {}, {}
for line in io.lines("%(tokens)s") do
  local path, token = line:match("(%%S+) (%%S+)")
  paths[#paths + 1] = path
  tokens[#tokens + 1] = token
end
local counter, threads = 0, {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["content-type"] = "application/json"
  wrk.headers["accept"] = "application/json"
  wrk.headers["x-csrftoken"] = "%(csrf)s"
  wrk.headers["cookie"] = "csrftoken=%(csrf_cookie)s; portal_session=%(session)s"
  counter = offset * math.floor(#tokens / 2)
end
function request()
  counter = counter + 1
  local i = (counter %% #tokens) + 1
  return wrk.format(nil, paths[i], nil, '{"token": "' .. tokens[i] .. '", "client_id": "b' .. counter .. '"}')
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%f %%f %%f %%d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""

PING_LUA = r"""
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def seed(env: dict[str, str], registrations: int, per_event: int = 100) -> tuple[list[str], str]:
    """Migrate, then events of `per_event` people with a session each, N people and registrations,
    and a coordinator with a login session. Returns "scan-path token" lines (round the events) and the login."""
    os.environ.update(env)
    from portal.__main__ import migrate
    from portal.auth import services as auth_services
    from portal.db import bind_engine, make_engine, start_engine, stop_engine
    from portal.events.registrations.services import new_token
    from portal.events.tables import Event, Participant, Registration, Session
    from portal.settings import Settings

    await migrate()
    settings = Settings.from_env()
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    await start_engine(engine)
    try:
        user_id = await auth_services.create_user(
            {"name": "Bench", "email": "bench@example.org", "role": "coordinator", "password": "bench password 1",
             "districts": []}, auth_services.Actor.system("bench"))
        today = dt.date.today()
        now = dt.datetime.now(dt.UTC)
        by_event: list[list[str]] = []
        for start in range(0, registrations, per_event):
            event = Event(kind="district_workshop", title=f"Bench workshop {start // per_event + 1}",
                          district="khulna", start_date=today, end_date=today, status="published")
            await event.save()
            session = Session(event=event.id, title="Day 1", starts_at=now, ends_at=now + dt.timedelta(hours=8))
            await session.save()
            people = [Participant(name=f"Person {n}", phone=f"+88017{n:08d}", district="khulna")
                      for n in range(start, min(start + per_event, registrations))]
            ids = [row["id"] for row in await Participant.insert(*people).returning(Participant.id)]
            batch = [new_token() for _ in ids]
            await Registration.insert(*[Registration(event=event.id, participant=pid, ticket_token=tok)
                                        for pid, tok in zip(ids, batch, strict=True)])
            path = f"/manage/events/{event.id}/sessions/{session.id}/scan"
            by_event.append([f"{path} {token}" for token in batch])
        lines = [group[i] for i in range(per_event) for group in by_event if i < len(group)]
        login = await auth_services.start_session(user_id)
        return lines, login
    finally:
        await stop_engine(engine)


def run_wrk(url: str, script: Path, connections: int, seconds: int) -> dict[str, float]:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
               url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out)
    if not match:
        raise RuntimeError(out)
    requests, duration, p50, p99, errors = match.groups()
    return {"requests": int(requests), "rps": int(requests) / float(duration), "p50": float(p50),
            "p99": float(p99), "errors": int(errors)}


def bench(label: str, database_url: str, args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    port = free_port()
    env = {"PORTAL_DATA_DIR": str(work / "data"), "PORTAL_PORT": str(port), "PICCOLO_CONF": "portal.piccolo_conf",
           "PORTAL_SECRET_KEY": "bench-secret-key-" + "x" * 32, "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
    if database_url:
        env["DATABASE_URL"] = database_url
        import asyncpg

        async def reset() -> None:
            connection = await asyncpg.connect(database_url)
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await connection.close()

        asyncio.run(reset())
    else:
        os.environ.pop("DATABASE_URL", None)
    seeder = subprocess.run([sys.executable, "-c", (
        f"import asyncio, json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.checkin import seed; "
        "t, l = asyncio.run(seed(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[4]))); "
        "print(json.dumps(l)); open(sys.argv[3], 'w').write('\\n'.join(t))"),
        __import__("json").dumps(env), str(args.registrations), str(work / "tokens.txt"), str(args.per_event)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env})
    if seeder.returncode:
        raise SystemExit(seeder.stderr)
    login = __import__("json").loads(seeder.stdout.strip().splitlines()[-1])
    server = subprocess.Popen([sys.executable, "-m", "portal", "serve"], cwd=ROOT, env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(f"{base}/c") as response:  # noqa: S310 - sets the CSRF cookie
            cookie = response.headers.get("set-cookie", "")
        csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        (work / "ping.lua").write_text(PING_LUA)
        (work / "scan.lua").write_text(LUA % {"tokens": work / "tokens.txt", "csrf": csrf_cookie,
                                              "csrf_cookie": csrf_cookie, "session": login})
        run_wrk(f"{base}/ping", work / "ping.lua", args.connections, 2)  # warm up
        ping = run_wrk(f"{base}/ping", work / "ping.lua", args.connections, args.seconds)
        scan = run_wrk(base, work / "scan.lua", args.connections, args.seconds)
        checked = asyncio.run(count_checkins(env)) if not database_url else None
        print(f"{label}: {args.connections} connections, {args.seconds} s each, {args.registrations} tickets "
              f"in events of {args.per_event}")
        for name, r in (("hello /ping", ping), ("ticket scan", scan)):
            print(f"  {name:12} {r['rps']:8.0f} req/s   p50 {r['p50']:6.1f} ms   p99 {r['p99']:6.1f} ms   "
                  f"errors {r['errors']}")
        print(f"  scan / hello = {scan['rps'] / ping['rps']:.2f}"
              + (f"   check-ins stored: {checked}" if checked is not None else ""))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


async def count_checkins(env: dict[str, str]) -> int:
    import sqlite3

    with sqlite3.connect(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3") as connection:
        return connection.execute("SELECT count(*) FROM check_in").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=20000)
    parser.add_argument("--per-event", type=int, default=100, help="people registered for each event")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""),
                        help="also run on this PostgreSQL database (its public schema is dropped)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    bench("SQLite", "", args)
    if args.postgres:
        bench("PostgreSQL", args.postgres, args)


if __name__ == "__main__":
    main()
