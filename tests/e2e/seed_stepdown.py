"""Seed a data directory for the step-down browser test: `python -m tests.e2e.seed_stepdown DATA_DIR`.

A master trainer of the Khulna pool (certified by a ToT of a course) with a trainer account, and people in the
directory. Run in a subprocess before the server starts, as tests/e2e/seed_materials.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from portal.auth import services as auth_services
from portal.certificates.tables import PoolMember, PoolTrainerLink
from portal.core.audit import Actor
from portal.db import bind_engine, make_engine, start_engine, stop_engine
from portal.events.tables import Event, Participant
from portal.trainings import services

TRAINER_EMAIL, TRAINER_PASSWORD = "salma@example.org", "trainer password 2026"
COURSE = "Safe migration basics"


async def seed(data_dir: Path) -> None:
    engine = make_engine("", data_dir / "portal.sqlite3")
    bind_engine(engine)
    await start_engine(engine)
    try:
        system = Actor.system("browser test")
        user_id = await auth_services.create_user({"name": "Salma Khatun", "email": TRAINER_EMAIL, "role": "trainer",
                                                   "password": TRAINER_PASSWORD}, system)
        course_id = await services.create_course({"title": COURSE, "summary": "Two days."}, system)
        await services.add_module(course_id, {"title": "Rights of migrant workers"}, system)
        tot = Event(kind="tot", title="ToT on safe migration", district="dhaka", start_date=dt.date(2026, 9, 1),
                    end_date=dt.date(2026, 9, 3), status="completed", course=course_id)
        await tot.save()
        person = Participant(name="Salma Khatun", email=TRAINER_EMAIL, district="khulna")
        await person.save()
        member = PoolMember(participant=person.id, source_event=tot.id, district="khulna")
        await member.save()
        await PoolTrainerLink.insert(PoolTrainerLink(member=member.id, user=user_id))
        for n, name in enumerate(["Rahima Begum", "Karim Sheikh", "Nasrin Akter"]):
            await Participant.insert(Participant(name=name, district="khulna", phone=f"+88017110000{n:02d}"))
    finally:
        await stop_engine(engine)


if __name__ == "__main__":
    asyncio.run(seed(Path(sys.argv[1])))
