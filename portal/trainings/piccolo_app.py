"""Piccolo app for courses (and, later, materials)."""

import os

from piccolo.conf.apps import AppConfig

from portal.trainings.tables import Course, Download, Material, MaterialVersion, Module

APP_CONFIG = AppConfig(
    app_name="trainings",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Course, Module, Material, MaterialVersion, Download],
    migration_dependencies=["portal.auth.piccolo_app"],
    commands=[],
)
