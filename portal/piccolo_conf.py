"""Piccolo configuration: the engine from the environment and the registry of feature apps.

The `piccolo` command and `portal migrate` use this DB; `create_app(settings)` binds the
tables to the engine its settings describe (see `portal.db.bind_engine`).
"""

from piccolo.conf.apps import AppRegistry

from portal.db import make_engine
from portal.settings import database_location

DB = make_engine(*database_location())

APP_REGISTRY = AppRegistry(
    apps=[
        "portal.core.piccolo_app",
        "portal.messages.piccolo_app",
        "portal.auth.piccolo_app",
        "portal.trainings.piccolo_app",
        "portal.events.piccolo_app",
        "portal.evaluation.piccolo_app",
        "portal.certificates.piccolo_app",
        "portal.reports.piccolo_app",
    ]
)
