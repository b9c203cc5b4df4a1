"""The one person search by phone with several numbers per person (issue 15), on SQLite: what looking in the
other numbers (participant_phone) adds to a search that used to read participant.phone alone.

Builds 10,000 people (a third with one or two other numbers) and a session of 1,000, then times, `--repeat`
times each, the directory search and the session's attendance search for a whole number and for a part of one,
with the portal's condition (all numbers) and with the primary number alone (the condition before issue 15),
and prints the medians in milliseconds. The machine is shared: compare figures from one run.

    PYTHONPATH=. python bench/person_search.py [--people 10000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path


async def build(people: int) -> tuple[int, int]:
    """People with numbers, one event of 1,000 with a session; returns (event id, session id)."""
    from portal.core import clock
    from portal.events.registrations.services import new_token
    from portal.events.tables import Event, Participant, ParticipantPhone, Registration, Session

    now = clock.now()
    rows = [Participant(name=f"Person {n}", district="khulna", phone=f"+880171{n:07d}") for n in range(people)]
    for start in range(0, len(rows), 500):
        await Participant.insert(*rows[start:start + 500])
    ids = [r["id"] for r in await Participant.select(Participant.id).order_by(Participant.id)]
    others = [ParticipantPhone(participant=pid, phone=f"+880181{n:07d}") for n, pid in enumerate(ids) if n % 3 == 0]
    others += [ParticipantPhone(participant=pid, phone=f"+880191{n:07d}") for n, pid in enumerate(ids) if n % 6 == 0]
    for start in range(0, len(others), 500):
        await ParticipantPhone.insert(*others[start:start + 500])
    event = Event(kind="tot", title="Bench", district="khulna", start_date=now.date(), end_date=now.date(),
                  status="published")
    await event.save()
    session = Session(event=event.id, title="Day 1", starts_at=now, ends_at=now)
    await session.save()
    registrations = [Registration(event=event.id, participant=pid, ticket_token=new_token()) for pid in ids[:1000]]
    for start in range(0, len(registrations), 500):
        await Registration.insert(*registrations[start:start + 500])
    return event.id, session.id


async def measure(args: argparse.Namespace) -> None:
    from portal.__main__ import migrate
    from portal.app import create_app
    from portal.db import icontains
    from portal.events.checkin import services as checkin
    from portal.events.participants import phones
    from portal.events.participants import services as participants
    from portal.settings import Settings

    await migrate()
    create_app(Settings.from_env())  # binds the tables to the engine
    event_id, session_id = await build(args.people)
    all_numbers = phones.number_contains
    def primary_only(person, fragment):
        return icontains(person.phone, fragment)

    searches = {"whole number (other)": "01810000300", "part of a number": "0000300"}
    print(f"{'search':42} {'all numbers ms':>15} {'primary only ms':>16}")
    for label, q in searches.items():
        for name, call in (("directory", lambda q=q: participants.list_participants(q)),
                           ("attendance of 1,000", lambda q=q: checkin.attendance(session_id, event_id, q))):
            medians = []
            for condition in (all_numbers, primary_only):
                phones.number_contains = condition
                times = []
                for n in range(args.repeat + 2):
                    started = time.perf_counter()
                    await call()
                    if n >= 2:
                        times.append((time.perf_counter() - started) * 1000)
                medians.append(statistics.median(times))
            phones.number_contains = all_numbers
            print(f"{name + ', ' + label:42} {medians[0]:15.1f} {medians[1]:16.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.update({"PORTAL_DATA_DIR": str(work), "PICCOLO_CONF": "portal.piccolo_conf", "PORTAL_JOBS": "inline",
                       "PORTAL_SECRET_KEY": "bench-secret-key-" + "x" * 32})
    asyncio.run(measure(args))


if __name__ == "__main__":
    main()
