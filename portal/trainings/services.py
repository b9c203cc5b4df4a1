"""Courses and their ordered modules: rules without HTTP."""

from __future__ import annotations

from typing import Any

from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.trainings.tables import Course, Material, Module


def _text(form: dict[str, Any], name: str, limit: int, errors: dict[str, str], required: str = "") -> str:
    value = str(form.get(name, "")).strip()
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Keep this under {limit} characters.").format(limit=format_number(limit))
    return value


def parse_course(form: dict[str, Any]) -> dict[str, str]:
    """Validated course fields; ValidationFailed with a message per field."""
    errors: dict[str, str] = {}
    values = {
        "title": _text(form, "title", 200, errors, "Enter the course title."),
        "summary": _text(form, "summary", 5000, errors),
    }
    if errors:
        raise ValidationFailed(errors)
    return values


def parse_module(form: dict[str, Any]) -> dict[str, Any]:
    """Validated module fields (position optional: empty means "at the end")."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": _text(form, "title", 200, errors, "Enter the module title."),
        "description": _text(form, "description", 5000, errors),
    }
    raw = str(form.get("position", "")).strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 999:
            errors["position"] = _("Use a number from 1 to 999.")
        else:
            values["position"] = int(raw)
    if errors:
        raise ValidationFailed(errors)
    return values


async def create_course(form: dict[str, Any], actor: Actor) -> int:
    """Create a course; returns its id."""
    values = parse_course(form)
    course = Course(**values)
    await course.save()
    await audit.record(actor, "course.create", "course", course.id, after=values)
    return course.id


async def get_course(course_id: int) -> dict[str, Any]:
    """One course, or NotFound."""
    row = await Course.select().where(Course.id == course_id).first()
    if row is None:
        raise NotFound(_("No such course."))
    return row


async def update_course(course_id: int, form: dict[str, Any], actor: Actor) -> None:
    """Edit a course's title and summary."""
    before = await get_course(course_id)
    values = parse_course(form)
    await Course.update({**values, Course.updated_at: clock.now()}).where(Course.id == course_id)
    old, new = audit.diff(before, values)
    await audit.record(actor, "course.update", "course", course_id, before=old, after=new)


async def list_courses(course_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """Courses by title (only `course_ids` when given), each with its number of materials."""
    query = Course.select().order_by(Course.title)
    if course_ids is not None:
        if not course_ids:
            return []
        query = query.where(Course.id.is_in(sorted(course_ids)))
    rows = await query
    counts: dict[int, int] = {}
    for row in await Material.select(Material.course).where(Material.course.is_in([r["id"] for r in rows] or [0])):
        counts[row["course"]] = counts.get(row["course"], 0) + 1
    return [{**row, "materials": counts.get(row["id"], 0)} for row in rows]


async def list_modules(course_id: int) -> list[dict[str, Any]]:
    """A course's modules in teaching order."""
    return await Module.select().where(Module.course == course_id).order_by(Module.position).order_by(Module.id)


async def get_module(course_id: int, module_id: int) -> dict[str, Any]:
    """One module of this course, or NotFound (a module of another course is not found)."""
    row = await Module.select().where((Module.id == module_id) & (Module.course == course_id)).first()
    if row is None:
        raise NotFound(_("No such module."))
    return row


async def add_module(course_id: int, form: dict[str, Any], actor: Actor) -> int:
    """Add a module (at the end unless a position is given); returns its id."""
    await get_course(course_id)
    values = parse_module(form)
    if "position" not in values:
        modules = await list_modules(course_id)
        values["position"] = max((m["position"] for m in modules), default=0) + 1
    module = Module(course=course_id, **values)
    await module.save()
    await audit.record(actor, "module.create", "course_module", module.id, after={**values, "course": course_id})
    return module.id


async def update_module(course_id: int, module_id: int, form: dict[str, Any], actor: Actor) -> None:
    """Edit a module's title, description or position."""
    before = await get_module(course_id, module_id)
    values = parse_module(form)
    values.setdefault("position", before["position"])
    await Module.update(values).where(Module.id == module_id)
    if values["position"] != before["position"]:
        await _renumber(course_id, module_id, values["position"])
    old, new = audit.diff(before, values)
    await audit.record(actor, "module.update", "course_module", module_id, before=old, after=new)


async def _renumber(course_id: int, moved_id: int, position: int) -> None:
    """Put the moved module at `position` (1-based) and number all of the course's modules 1..n."""
    others = [m["id"] for m in await list_modules(course_id) if m["id"] != moved_id]
    order = others[: position - 1] + [moved_id] + others[position - 1:]
    for number, module_id in enumerate(order, start=1):
        await Module.update({Module.position: number}).where(Module.id == module_id)
