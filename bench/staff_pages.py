"""Staff pages at programme scale: median server time of the pages that grow with an event (SQLite).

Builds, in a fresh SQLite database: 10,000 people in the directory, 60 events (59 district workshops of
20 people and one training of 1,000 people over three sessions, about 80 % checked in at each), then
asks the portal in-process (Litestar's test client, no network), as a coordinator, for

- the attendance list of one session of the 1,000,
- the event's certificates page,
- the event's registrations page,

each `--repeat` times after a warm-up, and prints the median and the 90th percentile, and the median CPU
time. The issue's aim is 20 ms each on this kind of machine; the machine is shared, so compare figures from
one run.

    PYTHONPATH=. python bench/staff_pages.py [--people 10000] [--big 1000] [--repeat 30]

With `--before DIR` (another checkout, e.g. `git worktree add /tmp/before main`) it runs this script on the
code of both checkouts in turn (the other checkout on PYTHONPATH), `--rounds` times each, alternating which
goes first, each in a process of its own on data of its own, and prints both medians (the median of each
round's median), of wall time and of CPU time (every thread of the process, so less moved by other work on
the machine), and after/before: on a shared machine only figures taken together mean anything.

    PYTHONPATH=. python bench/staff_pages.py --before /tmp/before [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def build(people: int, big: int, events: int) -> dict[str, int]:
    """The programme's rows, inserted in bulk; returns the big event's ids and a coordinator's login."""
    from portal.auth import services as auth_services
    from portal.core import clock
    from portal.events.registrations.services import new_token
    from portal.events.tables import CheckIn, Event, Participant, Registration, Session

    now = clock.now().replace(minute=0, second=0, microsecond=0)
    today = now.date()
    user_id = await auth_services.create_user(
        {"name": "Bench Coordinator", "email": "bench@example.org", "role": "coordinator",
         "password": "bench password 1", "districts": []}, auth_services.Actor.system("bench"))
    districts = ["dhaka", "khulna", "sylhet", "cumilla", "tangail"]
    rows = [Participant(name=f"Person {n:05d}", name_bn=f"ব্যক্তি {n}", phone=f"+88017{n:08d}",
                        district=districts[n % 5], organisation=f"Organisation {n % 300}") for n in range(people)]
    ids: list[int] = []
    for start in range(0, people, 2000):
        ids += [r["id"] for r in await Participant.insert(*rows[start:start + 2000]).returning(Participant.id)]
    big_event = Event(kind="tot", title="National ToT on safe migration", district="dhaka", start_date=today,
                      end_date=today + dt.timedelta(days=2), status="published", capacity=big + 50)
    await big_event.save()
    sessions = []
    for day in range(3):
        session = Session(event=big_event.id, title=f"Day {day + 1}", starts_at=now + dt.timedelta(days=day),
                          ends_at=now + dt.timedelta(days=day, hours=8))
        await session.save()
        sessions.append(session.id)
    registrations = [Registration(event=big_event.id, participant=pid, ticket_token=new_token()) for pid in ids[:big]]
    reg_ids = [r["id"] for r in await Registration.insert(*registrations).returning(Registration.id)]
    for day, session_id in enumerate(sessions):
        await CheckIn.insert(*[CheckIn(registration=rid, session=session_id, at=now + dt.timedelta(days=day),
                                       method="ticket_scan", by_user=user_id)
                               for n, rid in enumerate(reg_ids) if (n + day) % 5])
    for number in range(events - 1):
        event = Event(kind="district_workshop", title=f"District workshop {number + 1}",
                      district=districts[number % 5], start_date=today - dt.timedelta(days=number),
                      end_date=today - dt.timedelta(days=number), status="published")
        await event.save()
        await Session(event=event.id, title="Day 1", starts_at=now - dt.timedelta(days=number),
                      ends_at=now - dt.timedelta(days=number, hours=-8)).save()
        start = big + number * 20
        await Registration.insert(*[Registration(event=event.id, participant=pid, ticket_token=new_token())
                                    for pid in ids[start:start + 20]])
    login = await auth_services.start_session(user_id)
    return {"event": big_event.id, "session": sessions[0], "login": login}


async def measure(args: argparse.Namespace) -> None:
    from litestar.testing import AsyncTestClient

    from portal.__main__ import migrate
    from portal.app import create_app
    from portal.settings import Settings

    await migrate()
    app = create_app(Settings.from_env())
    for name in ("httpx", "portal.requests", "portal"):  # one log line a request would be measured too
        logging.getLogger(name).setLevel(logging.WARNING)
    async with AsyncTestClient(app) as client:
        started = time.perf_counter()
        ids = await build(args.people, args.big, args.events)
        print(f"Built {args.people} people, {args.events} events (one of {args.big} over 3 sessions) in "
              f"{time.perf_counter() - started:.1f} s")
        client.cookies.set("portal_session", ids["login"])
        base = f"/manage/events/{ids['event']}"
        pages = {
            "attendance list (1 session)": f"{base}/sessions/{ids['session']}/attendance",
            "certificates page": f"{base}/certificates/",
            "registrations page": f"{base}/registrations/",
        }
        print(f"{'page':30} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>7} {'KiB':>6}")
        for name, path in pages.items():
            times, cpu = [], []
            for n in range(args.repeat + 2):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = await client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}\n{response.text[:500]}")
                if n >= 2:  # two warm-up requests
                    times.append(elapsed)
                    cpu.append((time.process_time() - started_cpu) * 1000)  # every thread of this process
            times.sort()
            print(f"{name:30} {statistics.median(times):10.1f} {times[int(len(times) * 0.9) - 1]:8.1f} "
                  f"{statistics.median(cpu):7.1f} {len(response.content) / 1024:6.0f}", flush=True)


def _run(tree: Path, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """This benchmark run on the code of `tree`: page name -> (median ms, median CPU ms)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--people", str(args.people), "--big", str(args.big),
               "--events", str(args.events), "--repeat", str(args.repeat)]
    out = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True,
                         text=True, check=True).stdout
    rows = re.finditer(r"^(\S.*?)\s+([\d.]+)\s+[\d.]+\s+([\d.]+)\s+\d+$", out, re.M)  # page, median, p90, CPU, KiB
    return {m.group(1).strip(): (float(m.group(2)), float(m.group(3))) for m in rows}


def compare(args: argparse.Namespace) -> None:
    """Before and after, interleaved: medians over the rounds and their ratio, wall and CPU time."""
    trees = {"before": Path(args.before).resolve(), "after": ROOT}
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {"before": {}, "after": {}}
    for number in range(args.rounds):
        for name in (("before", "after") if number % 2 == 0 else ("after", "before")):
            for page, figures in _run(trees[name], args).items():
                runs[name].setdefault(page, []).append(figures)
        print(f"round {number + 1}: " + "; ".join(
            f"{page} {runs['before'][page][-1][0]:.1f} -> {runs['after'][page][-1][0]:.1f} ms"
            for page in runs["after"]), flush=True)
    print(f"\n{'page':30} {'before ms':>10} {'after ms':>9} {'ratio':>6}   {'CPU before':>10} {'after':>6} {'ratio':>6}"
          f"   (medians of {args.rounds} rounds)")
    for page in runs["after"]:
        wall = [statistics.median(f[0] for f in runs[name][page]) for name in ("before", "after")]
        cpu = [statistics.median(f[1] for f in runs[name][page]) for name in ("before", "after")]
        print(f"{page:30} {wall[0]:10.1f} {wall[1]:9.1f} {wall[1] / wall[0]:6.2f}   {cpu[0]:10.1f} {cpu[1]:6.1f} "
              f"{cpu[1] / cpu[0]:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000, help="people in the big event")
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--before", default="", help="another checkout to measure in turn with this one")
    parser.add_argument("--rounds", type=int, default=3, help="with --before: runs of each checkout")
    args = parser.parse_args()
    if args.before:
        compare(args)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.update({"PORTAL_DATA_DIR": str(work), "PICCOLO_CONF": "portal.piccolo_conf", "PORTAL_JOBS": "inline",
                       "PORTAL_SECRET_KEY": "bench-secret-key-" + "x" * 32})
    asyncio.run(measure(args))


if __name__ == "__main__":
    main()
