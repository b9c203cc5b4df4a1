"""Piccolo app for reports: API keys and export jobs."""

import os

from piccolo.conf.apps import AppConfig

from portal.reports.tables import ApiKey, ExportJob

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ApiKey, ExportJob],
    migration_dependencies=["portal.certificates.piccolo_app"],
    commands=[],
)
