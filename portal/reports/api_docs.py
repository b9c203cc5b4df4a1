"""What the API documentation page says about each parameter, read from the OpenAPI schema the app
publishes (never written down a second time): its type, the values it takes, its range.

Litestar writes an optional parameter as `{"oneOf": [{"type": "integer"}, {"type": "null"}], "minimum": 1}`
or `{"type": ["null", "string"], "enum": [..., null]}`; a `$ref` points into components. Null only
means "may be left out", which the page says once for every parameter, so it is dropped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from portal.core.i18n import gettext as _

BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength")


@dataclass(frozen=True)
class ParameterFacts:
    """One parameter as the page shows it."""

    name: str
    location: str
    required: bool
    description: str
    types: tuple[str, ...]  # "integer", "string (date-time)", ...
    values: tuple[Any, ...]  # the allowed values when the schema lists them (an enum), else ()
    bounds: dict[str, Any]  # minimum, maximum, minLength, ... as the schema gives them
    default: Any = None

    @property
    def limits(self) -> Markup:
        """The range the schema allows, in words, values as code ("from 1 to 500"); empty when none."""
        return limits_text(self.bounds)


def _code(value: Any) -> Markup:
    return Markup("<code>{}</code>").format(value)


def _number(bounds: dict[str, Any], key: str) -> Any:
    value = bounds.get(key)
    return None if isinstance(value, bool) else value  # OpenAPI 3.0 wrote exclusiveMinimum as a flag


def _span(low: Any, high: Any, both: str, low_only: str, high_only: str) -> Markup | None:
    if low is not None and high is not None:
        return escape(both) % {"low": _code(low), "high": _code(high)}
    if low is not None:
        return escape(low_only) % {"low": _code(low)}
    if high is not None:
        return escape(high_only) % {"high": _code(high)}
    return None


def limits_text(bounds: dict[str, Any]) -> Markup:
    """Minimum, maximum (inclusive or exclusive) and length bounds as a phrase."""
    parts = [
        _span(_number(bounds, "minimum"), _number(bounds, "maximum"), _("from %(low)s to %(high)s"),
              _("at least %(low)s"), _("at most %(high)s")),
        _span(_number(bounds, "exclusiveMinimum"), _number(bounds, "exclusiveMaximum"),
              _("more than %(low)s and less than %(high)s"), _("more than %(low)s"), _("less than %(high)s")),
        _span(bounds.get("minLength"), bounds.get("maxLength"), _("%(low)s to %(high)s characters"),
              _("at least %(low)s characters"), _("at most %(high)s characters")),
    ]
    return Markup("; ").join(part for part in parts if part)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return _resolve(components.get(ref.rsplit("/", 1)[1], {}), components)
    return schema


def _branches(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and every alternative under it (oneOf/anyOf, nested), references resolved."""
    schema = _resolve(schema, components)
    found = [schema]
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key, []):
            found.extend(_branches(branch, components))
    return found


def _type_names(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    names = declared if isinstance(declared, list) else [declared] if declared else []
    return [f"{name} ({schema['format']})" if schema.get("format") else name for name in names if name != "null"]


def parameter_facts(parameter: dict[str, Any], components: dict[str, Any] | None = None) -> ParameterFacts:
    """Type, allowed values and range of one OpenAPI parameter object."""
    components = components or {}
    branches = _branches(parameter.get("schema", {}), components)
    types: list[str] = []
    values: list[Any] = []
    bounds: dict[str, Any] = {}
    default = None
    for branch in branches:
        types.extend(name for name in _type_names(branch) if name not in types)
        values.extend(value for value in branch.get("enum", []) if value is not None and value not in values)
        if "const" in branch and branch["const"] is not None and branch["const"] not in values:
            values.append(branch["const"])
        bounds.update({key: branch[key] for key in BOUNDS if key in branch})
        default = branch.get("default", default)
    return ParameterFacts(
        name=parameter["name"], location=parameter.get("in", "query"), required=bool(parameter.get("required")),
        description=parameter.get("description") or branches[0].get("description", ""), types=tuple(types),
        values=tuple(values), bounds=bounds, default=default,
    )


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the schema in its order, with its parameters' facts."""
    components = schema.get("components", {}).get("schemas", {})
    return [
        {"method": method, "path": path, "summary": op.get("summary") or "", "description": op.get("description") or "",
         "parameters": [parameter_facts(p, components) for p in op.get("parameters", [])]}
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, dict) and method in {"get", "put", "post", "delete", "patch", "head", "options"}
    ]
