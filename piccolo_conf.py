"""Lets the `piccolo` command find the portal's configuration when run from the repository root."""

from portal.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
