"""Route reversal for templates, with Litestar's answer cached per route and parameter names.

Litestar's `route_reverse` looks the handler up by name and sorts its routes on every call: about 15 µs,
and a staff list of 100 rows calls `url_for` two or three times a row (a form per row). The route chosen
depends only on the route name and the names of the parameters passed, so it is looked up once; the
values are checked and joined exactly as `route_reverse` does it, and anything unusual (an unknown route,
a value of the wrong type) goes to `route_reverse` itself, which answers or raises as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import pass_context
from litestar.types.internal_types import PathParameterDefinition
from litestar.utils.path import join_paths

# Types route_reverse also takes as strings (litestar/app.py).
_STR_ALLOWED = (dt.datetime, dt.date, dt.time, dt.timedelta, float, Path, UUID)
_CACHE = "url_routes"  # the app.state key of an app's cache (a Litestar app takes no weak references)


def _components(app: Any, name: str, names: frozenset[str]) -> list[Any] | None:
    """The path components of the route `route_reverse` would pick, or None to let it answer."""
    cache = app.state.get(_CACHE)
    if cache is None:
        cache = app.state[_CACHE] = {}
    key = (name, names)
    if key not in cache:
        index = app.get_handler_index_by_name(name)
        if index is None:
            cache[key] = None
        else:
            routes = sorted(app.asgi_router.route_mapping[index["identifier"]], key=lambda r: len(r.path_parameters),
                            reverse=True)
            route = next((r for r in routes if names.issuperset(r.path_parameters)), routes[-1])
            cache[key] = list(route.path_components)
    return cache[key]


def reverse(app: Any, name: str, **params: Any) -> str:
    """The same URL as `app.route_reverse(name, **params)`, for a route name."""
    components = _components(app, name, frozenset(params)) if isinstance(name, str) else None
    if components is None:
        return app.route_reverse(name, **params)
    output = []
    for component in components:
        if isinstance(component, PathParameterDefinition):
            value = params.get(component.name)
            if not isinstance(value, component.type) and (
                    component.type not in _STR_ALLOWED or not isinstance(value, str)):
                return app.route_reverse(name, **params)  # raises NoRouteMatchFoundException
            output.append(str(value))
        else:
            output.append(component)
    return join_paths(output)


@pass_context
def url_for(context: Any, route_name: str, /, **params: Any) -> str:
    """The template global `url_for`, as Litestar's (litestar/template/base.py), cached."""
    return reverse(context["request"].app, route_name, **params)
