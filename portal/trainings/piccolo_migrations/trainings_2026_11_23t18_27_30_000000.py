"""A unique index on (material, number): two uploads racing cannot both become version n."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:27:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique material version number"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="trainings", description=DESCRIPTION)

    async def create() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX material_version_material_number ON material_version (material, number)"
        )

    async def drop() -> None:
        await engine_finder().run_ddl("DROP INDEX material_version_material_number")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
