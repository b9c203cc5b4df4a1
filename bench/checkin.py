"""Check-in benchmark: ticket scans per second and p50/p99 latency against the real server.

Starts `python -m portal serve` on a free port (SQLite in a temporary directory; PostgreSQL too
with --postgres URL or DATABASE_URL), seeds N registrations spread over events of --per-event
people each (a district workshop has about 40, a ToT 30; default 100), one session each, then
drives it with wrk for each worker count (--workers, PORTAL_WORKERS; default 1 and 2) and each
connection count (--connections; default 16 and 32): first the bare `/ping` route, then the scan
route, which posts a ticket never scanned before for every request, round the events (JSON, CSRF
header and cookie, a logged-in coordinator's session). Prints requests/s, p50 and p99 of both, the
scan/hello ratio and the check-ins stored, then the ratios 2 workers / 1, PostgreSQL / SQLite and,
with --before DIR (another checkout, served on the same data in the same run), after / before.
All of it in one run, because on a shared machine only ratios taken together mean anything.
(Every event's scan answer carries its live count, so one event of 20,000 people would measure
counting 20,000 rows per scan rather than checking in.)

    PYTHONPATH=. python bench/checkin.py [--registrations 40000] [--connections 16,32] [--workers 1,2]
    git worktree add /tmp/before main && PYTHONPATH=. python bench/checkin.py --before /tmp/before
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


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's worker processes)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            queue += [int(child) for child in task.read_text().split()]
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads), from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def _database_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the bench database (the servers' pools), but not this question's."""
    if not database_url:
        return []
    import asyncpg

    async def ask() -> list[int]:
        connection = await asyncpg.connect(database_url)
        try:
            rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")
            return [row["pid"] for row in rows]
        finally:
            await connection.close()

    return asyncio.run(ask())


def measured(url: str, script: Path, connections: int, seconds: int, server: int, database_url: str
             ) -> dict[str, float]:
    """run_wrk, plus the CPU time the server processes and the database backends spent per request: on a
    shared machine throughput follows whatever else runs, CPU per request much less."""
    app_before = _cpu_seconds(_process_tree(server))
    db_pids = _database_pids(database_url)
    db_before = _cpu_seconds(db_pids)
    result = run_wrk(url, script, connections, seconds)
    db_pids = sorted(set(db_pids) | set(_database_pids(database_url)))  # backends the pool opened meanwhile
    requests = max(result["requests"], 1)
    result["app_cpu_ms"] = (_cpu_seconds(_process_tree(server)) - app_before) * 1000 / requests
    result["db_cpu_ms"] = (_cpu_seconds(db_pids) - db_before) * 1000 / requests
    return result


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


def _split(values: str) -> list[int]:
    return [int(v) for v in values.split(",") if v.strip()]


def _trees(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(name, checkout) of the code to serve: this checkout, and with --before another one
    (e.g. `git worktree add /tmp/before main`), so that before and after are measured in one run."""
    trees = [("after", ROOT)] if args.before else [("", ROOT)]
    if args.before:
        trees.insert(0, ("before", Path(args.before).resolve()))
    return trees


def bench(label: str, database_url: str, args: argparse.Namespace) -> list[dict[str, object]]:
    """Seed once, then for each code tree and worker count start the server and measure /ping and
    scans at each connection count. Every scan run gets tickets of its own (a first scan, not a repeat)."""
    work = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    port = free_port()
    env = {"PORTAL_DATA_DIR": str(work / "data"), "PORTAL_PORT": str(port), "PICCOLO_CONF": "portal.piccolo_conf",
           "PORTAL_SECRET_KEY": "bench-secret-key-" + "x" * 32, "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
           "PORTAL_JOBS": "inline"}
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
    trees = _trees(args)
    workers, connections = _split(args.workers), _split(args.connections)
    runs = len(trees) * len(workers) * len(connections)
    seeder = subprocess.run([sys.executable, "-c", (
        f"import asyncio, json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.checkin import seed; "
        "t, l = asyncio.run(seed(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[4]))); "
        "print(json.dumps(l)); open(sys.argv[3], 'w').write('\\n'.join(t))"),
        __import__("json").dumps(env), str(args.registrations), str(work / "tokens.txt"), str(args.per_event)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env})
    if seeder.returncode:
        raise SystemExit(seeder.stderr)
    login = __import__("json").loads(seeder.stdout.strip().splitlines()[-1])
    lines = (work / "tokens.txt").read_text().splitlines()
    share = len(lines) // runs
    results: list[dict[str, object]] = []
    run = 0
    base = f"http://127.0.0.1:{port}"
    (work / "ping.lua").write_text(PING_LUA)
    print(f"{label}: {args.seconds} s a measurement, {args.registrations} tickets in events of {args.per_event}, "
          f"{share} fresh tickets a scan run", flush=True)
    for tree_name, tree in trees:
        for n_workers in workers:
            server = subprocess.Popen([sys.executable, "-m", "portal", "serve"], cwd=tree,
                                      env={**os.environ, **env, "PORTAL_WORKERS": str(n_workers)},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(300):
                    try:
                        urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                        break
                    except OSError:
                        time.sleep(0.1)
                with urllib.request.urlopen(f"{base}/c") as response:  # noqa: S310 - sets the CSRF cookie
                    cookie = response.headers.get("set-cookie", "")
                csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
                run_wrk(f"{base}/ping", work / "ping.lua", 8, 1)  # warm up every worker
                for n_connections in connections:
                    tokens = work / f"tokens-{run}.txt"
                    tokens.write_text("\n".join(lines[run * share:(run + 1) * share]))
                    script = work / f"scan-{run}.lua"
                    script.write_text(LUA % {"tokens": tokens, "csrf": csrf_cookie, "csrf_cookie": csrf_cookie,
                                             "session": login})
                    run += 1
                    ping = measured(f"{base}/ping", work / "ping.lua", n_connections, args.seconds, server.pid,
                                    database_url)
                    before = asyncio.run(count_checkins(env))
                    scan = measured(base, script, n_connections, args.seconds, server.pid, database_url)
                    stored = asyncio.run(count_checkins(env)) - before
                    row = {"database": label, "code": tree_name, "workers": n_workers, "connections": n_connections,
                           "ping": ping, "scan": scan, "stored": stored}
                    results.append(row)
                    print(_line(row), flush=True)
            finally:
                server.terminate()
                server.wait(timeout=60)
    shutil.rmtree(work, ignore_errors=True)
    return results


def _line(row: dict) -> str:
    ping, scan = row["ping"], row["scan"]
    code = f" {row['code']:6}" if row["code"] else ""
    return (f"  {row['database']:10}{code} {row['workers']} worker{'s' if row['workers'] > 1 else ' '} "
            f"{row['connections']:3} conn   hello {ping['rps']:7.0f}/s p99 {ping['p99']:5.1f} ms   "
            f"scan {scan['rps']:6.0f}/s p50 {scan['p50']:5.1f} p99 {scan['p99']:5.1f} ms   "
            f"scan/hello {scan['rps'] / ping['rps']:.3f}   new check-ins {row['stored']}   CPU a scan: app "
            f"{scan['app_cpu_ms']:.2f} ms + db {scan['db_cpu_ms']:.2f} ms (a hello {ping['app_cpu_ms']:.2f} ms)"
            f"{'   ERRORS ' + str(scan['errors'] + ping['errors']) if scan['errors'] + ping['errors'] else ''}")


def summary(rows: list[dict]) -> None:
    """The ratios the issue asks for, from this one run."""
    print("\nRatios (same run, same machine):")
    index = {(r["database"], r["code"], r["workers"], r["connections"]): r["scan"]["rps"] for r in rows}
    cpu = {(r["database"], r["code"], r["workers"], r["connections"]): r["scan"]["app_cpu_ms"] + r["scan"]["db_cpu_ms"]
           for r in rows}
    for (database, code, n_workers, n_connections), rps in index.items():
        notes = []
        before_cpu = cpu.get((database, "before", n_workers, n_connections))
        if code == "after" and before_cpu:
            notes.append(f"CPU a scan (app + db) after / before = "
                         f"{cpu[database, code, n_workers, n_connections] / before_cpu:.2f}")
        one = index.get((database, code, 1, n_connections))
        if n_workers > 1 and one:
            notes.append(f"{n_workers} workers / 1 = {rps / one:.2f}")
        sqlite = index.get(("SQLite", code, n_workers, n_connections))
        if database != "SQLite" and sqlite:
            notes.append(f"PostgreSQL / SQLite = {rps / sqlite:.2f}")
        before = index.get((database, "before", n_workers, n_connections))
        if code == "after" and before:
            notes.append(f"after / before = {rps / before:.2f}")
        if notes:
            print(f"  {database:10} {code:6} {n_workers}w {n_connections:3}c: " + ", ".join(notes))


async def count_checkins(env: dict[str, str]) -> int:
    """Check-in rows stored (to tell first scans from repeats, and to see that none was lost)."""
    if env.get("DATABASE_URL"):
        import asyncpg

        connection = await asyncpg.connect(env["DATABASE_URL"])
        try:
            return await connection.fetchval("SELECT count(*) FROM check_in")
        finally:
            await connection.close()
    import sqlite3

    with sqlite3.connect(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3") as connection:
        return connection.execute("SELECT count(*) FROM check_in").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=40000)
    parser.add_argument("--per-event", type=int, default=100, help="people registered for each event")
    parser.add_argument("--connections", default="16,32", help="wrk connections, e.g. 32 or 16,32")
    parser.add_argument("--workers", default="1,2", help="server worker processes (PORTAL_WORKERS), e.g. 1 or 1,2")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""),
                        help="also run on this PostgreSQL database (its public schema is dropped)")
    parser.add_argument("--before", default="", help="another checkout to measure first in the same run "
                        "(its server runs from there, on the same seeded data)")
    parser.add_argument("--only", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    rows: list[dict] = []
    if args.only != "postgres":
        rows += bench("SQLite", "", args)
    if args.postgres and args.only != "sqlite":
        rows += bench("PostgreSQL", args.postgres, args)
    summary(rows)


if __name__ == "__main__":
    main()
