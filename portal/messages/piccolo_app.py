"""Piccolo app for messages: the outbox, editable templates and contacts (consent, opt-out)."""

import os

from piccolo.conf.apps import AppConfig

from portal.messages.tables import Contact, MessageTemplate, OutboxMessage

APP_CONFIG = AppConfig(
    app_name="messages",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxMessage, MessageTemplate, Contact],
    migration_dependencies=["portal.core.piccolo_app"],
    commands=[],
)
