"""Piccolo app for staff accounts."""

import os

from piccolo.conf.apps import AppConfig

from portal.auth.tables import LoginFailure, LoginSession, OneTimeLink, User

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User, LoginSession, LoginFailure, OneTimeLink],
    migration_dependencies=["portal.core.piccolo_app"],
    commands=[],
)
