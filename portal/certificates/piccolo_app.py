"""Piccolo app for certificates and the master-trainer pool."""

import os

from piccolo.conf.apps import AppConfig

from portal.certificates.tables import Certificate, PoolMember

APP_CONFIG = AppConfig(
    app_name="certificates",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Certificate, PoolMember],
    migration_dependencies=["portal.events.piccolo_app"],
    commands=[],
)
