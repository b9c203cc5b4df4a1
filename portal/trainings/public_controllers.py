"""Materials for the people who use them: "My courses" for trainers, material pages, downloads.

Access is decided by `materials.may_see` on the `viewer` dependency (built in app.py from what
the certificates feature knows); anything a viewer may not see is a 404, like a missing one.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from portal.auth.guards import staff
from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.web import render
from portal.exports import CONTENT_TYPES, content_disposition
from portal.trainings import materials, services
from portal.trainings.files import Store
from portal.trainings.materials import AUDIENCES, LANGUAGES, Viewer
from portal.trainings.serving import file_response, store, zip_stream


def _visible_course_ids(viewer: NamedDependency[Viewer]) -> set[int] | None:
    return None if viewer.sees_all else set(viewer.trainer_courses)


async def _my_course(course_id: int, viewer: NamedDependency[Viewer]) -> dict:
    if not viewer.sees_all and course_id not in viewer.trainer_courses:
        raise NotFound(_("No such course."))
    return await services.get_course(course_id)


def _group(modules: list[dict], items: list[dict]) -> list[tuple[dict | None, list[dict]]]:
    """Materials under their modules, course-wide ones first; empty groups left out."""
    groups: list[tuple[dict | None, list[dict]]] = [(None, [m for m in items if m["module"] is None])]
    groups += [(module, [m for m in items if m["module"] == module["id"]]) for module in modules]
    return [(module, group) for module, group in groups if group]


class MyCoursesController(Controller):
    """The courses a trainer teaches (all courses for coordinators), with their materials."""

    path = "/courses"
    guards = [staff]

    @get("/", name="trainings.my.list")
    async def my_courses(self, request: Request, viewer: NamedDependency[Viewer]) -> Response:
        """My courses."""
        courses = await services.list_courses(_visible_course_ids(viewer))
        return render(request, "trainings/my/list.html", {"courses": courses})

    @get("/{course_id:int}", name="trainings.my.course")
    async def course(self, request: Request, course_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """One of my courses: materials by module, what changed since I last downloaded."""
        course = await _my_course(course_id, viewer)
        modules = await services.list_modules(course_id)
        items = await materials.list_materials(course_id, viewer)
        context = {"course": course, "groups": _group(modules, items), "audiences": AUDIENCES,
                   "languages": LANGUAGES}
        return render(request, "trainings/my/course.html", context, fragment="trainings/my/_materials.html")

    @get("/{course_id:int}/pack", name="trainings.my.pack")
    async def pack(self, request: Request, course_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Download all (or one module's) latest files as one ZIP, streamed; each file is logged."""
        course = await _my_course(course_id, viewer)
        raw = request.query_params.get("module", "").strip()
        if raw and not raw.isdigit():
            raise NotFound(_("No such module."))
        module_id = int(raw) if raw else None
        entries = await materials.pack_entries(course_id, viewer, store(request), module_id)
        if not entries:
            raise NotFound(_("This course has no files for you yet."))
        for _kind, _name, version in entries:
            await materials.log_download(version, viewer, "pack")
        name = f"{course['title']} - materials.zip"
        files = [(arcname, key, version["size"]) for arcname, key, version in entries]
        return Stream(zip_stream(request.app.state.storage, files), media_type=CONTENT_TYPES["zip"],
                      headers={"Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})


class MaterialController(Controller):
    """A material's page and file downloads, for anyone who may see them (public ones: everyone)."""

    path = "/materials"

    @get("/{material_id:int}", name="trainings.material")
    async def material(self, request: Request, material_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """The latest version, and the earlier ones."""
        material = await materials.get_material(material_id, viewer)
        course = await services.get_course(material["course"])
        return render(request, "trainings/material.html", {
            "material": material, "course": course, "audiences": AUDIENCES, "languages": LANGUAGES,
            "my_course": viewer.sees_all or material["course"] in viewer.trainer_courses,
        })

    @get("/versions/{version_id:int}", name="trainings.download")
    async def download(self, request: Request, version_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """The file of one version: ETag, 304, Range/If-Range; logged unless nothing is sent."""
        version = await materials.get_version(version_id, viewer)
        response, sent = file_response(
            request, request.app.state.storage, Store.key_for(version["sha256"]), size=version["size"],
            sha256=version["sha256"],
            content_type=version["content_type"], file_name=version["file_name"],
        )
        if sent.status in (200, 206):
            await materials.log_download(version, viewer, "direct" if viewer.user_id else "public", sent.start)
        return response
