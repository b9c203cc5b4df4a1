"""Piccolo configuration: the engine from the environment and the registry of feature apps.

The `piccolo` command and `portal migrate` use this DB; `create_app(settings)` binds the
tables to the engine its settings describe (see `portal.db.bind_engine`). Imports run one way:
this module reads portal.db and portal.registry, and neither reads it.
"""

from portal.db import make_engine
from portal.registry import APP_REGISTRY
from portal.settings import database_location

DB = make_engine(*database_location())

__all__ = ["APP_REGISTRY", "DB"]
