"""Composite unique indexes: the database's own guarantee of "exactly once".

Piccolo has no declarative composite unique constraint, so they are created here by hand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:17:29:934727"
VERSION = "1.38.0"
DESCRIPTION = "unique registration and check-in"

CREATE = [
    "CREATE UNIQUE INDEX registration_event_participant ON registration (event, participant)",
    "CREATE UNIQUE INDEX check_in_registration_session ON check_in (registration, session)",
]
DROP = [
    "DROP INDEX registration_event_participant",
    "DROP INDEX check_in_registration_session",
]


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create() -> None:
        await _run(CREATE)

    async def drop() -> None:
        await _run(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
