"""The templates' cached url_for gives Litestar's route_reverse answer for every named route, and its refusals."""

import datetime as dt
import uuid
from pathlib import Path

import pytest
from litestar.exceptions import NoRouteMatchFoundException
from markupsafe import Markup

from portal.core.urls import reverse
from portal.templating import translate

SAMPLES = {int: 42, str: "abc_DEF-1", Path: "folder/file.pdf", uuid.UUID: uuid.UUID(int=7), float: 1.5,
           dt.date: dt.date(2026, 1, 2), dt.datetime: dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)}


def _named_routes(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.name:
                yield handler.name, {name: SAMPLES[p.type] for name, p in route.path_parameters.items()}


def test_every_named_route_reverses_as_litestar_does(built_app):
    routes = list(_named_routes(built_app))
    assert len(routes) > 100  # the portal's routes, not an empty list
    for name, params in routes:
        assert reverse(built_app, name, **params) == built_app.route_reverse(name, **params), name
        assert reverse(built_app, name, **params) == built_app.route_reverse(name, **params), name  # cached


def test_a_string_for_an_int_parameter_is_refused_as_litestar_refuses_it(built_app):
    assert reverse(built_app, "events.registrations.list", event_id=3) == "/manage/events/3/registrations"
    with pytest.raises(NoRouteMatchFoundException):
        built_app.route_reverse("events.registrations.list", event_id="3")
    with pytest.raises(NoRouteMatchFoundException):
        reverse(built_app, "events.registrations.list", event_id="3")


def test_an_unknown_route_is_refused(built_app):
    with pytest.raises(NoRouteMatchFoundException):
        reverse(built_app, "no.such.route")


def test_template_gettext_escapes_values_and_formats_like_jinjas():
    from jinja2 import Environment

    jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinja.install_gettext_callables(lambda s: s, lambda s, p, n: s, newstyle=True)
    for message, values in [("Hello %(name)s", {"name": "<b>Rahima</b>"}), ("100%% done", {}), ("Plain", {})]:
        theirs = jinja.from_string("{{ _(m, **v) }}").render(m=message, v=values)
        ours = jinja.from_string("{{ t(m, **v) }}").render(m=message, v=values, t=translate)
        assert ours == theirs
    assert isinstance(translate("Plain"), Markup)
