"""Seed a data directory for the materials browser test: `python -m tests.e2e.seed_materials DATA_DIR`.

Run in a subprocess, before the server starts: sync Playwright owns the test process's event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sys
from pathlib import Path

from portal.auth import services as auth_services
from portal.core.audit import Actor
from portal.core.storage import LocalStorage
from portal.db import bind_engine, make_engine, start_engine, stop_engine
from portal.events.tables import Event, Participant, Registration
from portal.trainings import materials, services
from portal.trainings.files import Store

TRAINER_EMAIL, TRAINER_PASSWORD = "trainer@example.org", "trainer password 2026"
COORDINATOR_EMAIL = "coordinator@example.org"
COURSE = "Integrated Approach to Sustainable Reintegration"
MANUAL = b"%PDF-1.4\n%manual\n" + bytes(range(256)) * 400 + b"%%EOF\n"


async def seed(data_dir: Path) -> None:
    engine = make_engine("", data_dir / "portal.sqlite3")
    bind_engine(engine)
    await start_engine(engine)
    try:
        system = Actor.system("browser test")
        await auth_services.create_user({"name": "Shirin Akter", "email": TRAINER_EMAIL, "role": "trainer",
                                         "password": TRAINER_PASSWORD}, system)
        await auth_services.create_user({"name": "Nasrin Sultana", "email": COORDINATOR_EMAIL, "role": "coordinator",
                                         "password": TRAINER_PASSWORD}, system)
        course_id = await services.create_course({"title": COURSE, "summary": "Five days on reintegration."}, system)
        module_id = await services.add_module(course_id, {"title": "Reintegration basics"}, system)
        event = Event(kind="district_workshop", title="District training Khulna", district="khulna",
                      start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 3), status="published",
                      course=course_id)
        await event.save()
        person = Participant(name="Shirin Akter", email=TRAINER_EMAIL, district="khulna")
        await person.save()
        await Registration(event=event.id, participant=person.id, role="trainer", ticket_token="t" * 22).save()
        await materials.create_material(
            engine, course_id, {"title": "Trainer manual", "audience": "trainers", "language": "en",
                                "module": str(module_id)},
            materials.Upload("IASR trainer manual.pdf", io.BytesIO(MANUAL)),
            Store(LocalStorage(data_dir), data_dir / "materials" / "tmp"),
            50 * 1024 * 1024, system,
        )
    finally:
        await stop_engine(engine)


if __name__ == "__main__":
    asyncio.run(seed(Path(sys.argv[1])))
