"""Composite unique indexes: the database's own guarantee of "exactly once".

Piccolo has no declarative composite unique constraint, so they are created here by hand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:17:31:647346"
VERSION = "1.38.0"
DESCRIPTION = "unique certificate per registration and kind"

CREATE = [
    "CREATE UNIQUE INDEX certificate_registration_kind ON certificate (registration, kind)",
]
DROP = [
    "DROP INDEX certificate_registration_kind",
]


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certificates", description=DESCRIPTION)

    async def create() -> None:
        await _run(CREATE)

    async def drop() -> None:
        await _run(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
