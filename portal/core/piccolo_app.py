"""Piccolo app for the shared tables."""

import os

from piccolo.conf.apps import AppConfig

from portal.core.tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=[],
    commands=[],
)
