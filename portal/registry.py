"""The feature apps, in migration order: the one list both Piccolo (portal/piccolo_conf.py) and the
portal (portal.db.all_tables, which binds their tables to an engine) read. It imports neither of them."""

from piccolo.conf.apps import AppRegistry

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
