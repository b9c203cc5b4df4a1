from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Attendance corrections say why: reason and note on check-ins and undone check-ins, when it happened"


def _params(**extra):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    for class_name, tablename in (("CheckIn", "check_in"), ("UndoneCheckIn", "check_in_undone")):
        for column, length in (("reason", 20), ("reason_note", 300)):
            manager.add_column(
                table_class_name=class_name, tablename=tablename, column_name=column, db_column_name=column,
                column_class_name="Varchar", column_class=Varchar, params=_params(length=length, default=""),
                schema=None)
    manager.add_column(
        table_class_name="UndoneCheckIn", tablename="check_in_undone", column_name="happened_at",
        db_column_name="happened_at", column_class_name="Timestamptz", column_class=Timestamptz,
        params=_params(default=None, null=True), schema=None)
    return manager
