from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T02:39:52:930461"
VERSION = "1.38.0"
DESCRIPTION = "who issues step-down certificates"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="certificates", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ProgrammeSettings",
        tablename="certificate_settings",
        column_name="step_down_issuer",
        db_column_name="step_down_issuer",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "organizer",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
