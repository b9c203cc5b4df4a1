"""Staff pages for courses, modules and material uploads (/manage/courses, /manage/materials)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import COORDINATORS, current_user
from portal.core.errors import ValidationFailed
from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.settings import MAX_UPLOAD_MB_CEILING, Settings
from portal.trainings import materials, services
from portal.trainings.materials import AUDIENCES, LANGUAGES, Upload, Viewer
from portal.trainings.serving import store

MB = 1024 * 1024
# The route accepts bodies up to the ceiling; the configured limit is checked before reading.
UPLOAD_BODY_LIMIT = (MAX_UPLOAD_MB_CEILING + 1) * MB
FORM_SLACK = MB  # room for the other form fields and the multipart framing


def max_bytes(settings: Settings) -> int:
    """The configured upload limit in bytes."""
    return settings.max_upload_mb * MB


def too_large(request: Request, settings: Settings) -> str | None:
    """A message when the declared body is over the limit (checked before the body is read)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes(settings) + FORM_SLACK:
        return _("The file is larger than {mb} MB.").format(mb=format_number(settings.max_upload_mb))
    return None


async def read_upload(request: Request) -> tuple[dict[str, Any], Upload]:
    """Form fields and the `file` part of a multipart upload."""
    form = await request.form()
    part = form.get("file")
    fields = form_dict(form)
    fields.pop("file", None)
    if isinstance(part, UploadFile) and part.filename:
        return fields, Upload(file_name=part.filename, source=part.file)
    return fields, Upload(file_name="", source=None)


class CourseController(Controller):
    """Create and edit courses and their modules; upload materials (coordinators and admins)."""

    path = "/manage/courses"
    guards = [COORDINATORS]

    @get("/", name="trainings.courses.list")
    async def list_courses(self, request: Request) -> Response:
        """All courses."""
        return render(request, "trainings/manage/list.html", {"courses": await services.list_courses()})

    def _form(self, request: Request, course: dict, errors: dict, status: int = 200) -> Response:
        return render(request, "trainings/manage/form.html", {"course": course, "errors": errors}, status_code=status)

    @get("/new", name="trainings.courses.new")
    async def new_course(self, request: Request) -> Response:
        """Empty course form."""
        return self._form(request, {}, {})

    @post("/", name="trainings.courses.create")
    async def create_course(self, request: Request) -> Response:
        """Create a course."""
        form = form_dict(await request.form())
        try:
            course_id = await services.create_course(form, current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            return self._form(request, form, exc.errors, 422)
        return redirect(request, request.app.route_reverse("trainings.courses.detail", course_id=course_id),
                        _("Course created. Add its modules and materials below."))

    async def _detail(self, request: Request, settings: Settings, course_id: int, viewer: Viewer, course_events: dict,
                      errors: dict | None = None, values: dict | None = None, status: int = 200) -> Response:
        course = await services.get_course(course_id)
        context = {
            "course": course, "modules": await services.list_modules(course_id),
            "materials": await materials.list_materials(course_id, viewer), "events": course_events,
            "errors": errors or {}, "values": values or {"audience": "trainers", "language": "en"},
            "audiences": AUDIENCES, "languages": LANGUAGES, "max_upload_mb": settings.max_upload_mb,
        }
        return render(request, "trainings/manage/detail.html", context, status_code=status)

    @get("/{course_id:int}", name="trainings.courses.detail")
    async def detail(self, request: Request,
                     settings: NamedDependency[Settings], course_id: FromPath[int], viewer: NamedDependency[Viewer],
                     course_events: NamedDependency[dict]) -> Response:
        """A course: modules, materials, events, and the forms to add to them."""
        return await self._detail(request, settings, course_id, viewer, course_events)

    @get("/{course_id:int}/edit", name="trainings.courses.edit")
    async def edit(self, request: Request, course_id: FromPath[int]) -> Response:
        """Edit form."""
        return self._form(request, await services.get_course(course_id), {})

    @post("/{course_id:int}/edit", name="trainings.courses.update")
    async def update(self, request: Request, course_id: FromPath[int]) -> Response:
        """Save the course."""
        form = form_dict(await request.form())
        try:
            await services.update_course(course_id, form, current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            return self._form(request, {"id": course_id, **form}, exc.errors, 422)
        return redirect(request, request.app.route_reverse("trainings.courses.detail", course_id=course_id),
                        _("Course saved."))

    @post("/{course_id:int}/modules", name="trainings.modules.create")
    async def add_module(self, request: Request, course_id: FromPath[int]) -> Response:
        """Add a module at the end (or at the position given)."""
        form = form_dict(await request.form())
        url = request.app.route_reverse("trainings.courses.detail", course_id=course_id)
        try:
            await services.add_module(course_id, form, current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            return self._module_form(request, await services.get_course(course_id), form, exc.errors, 422)
        return redirect(request, url + "#modules", _("Module added."))

    def _module_form(self, request: Request, course: dict, module: dict, errors: dict, status: int = 200):
        return render(request, "trainings/manage/module_form.html",
                      {"course": course, "module": module, "errors": errors}, status_code=status)

    @get("/{course_id:int}/modules/{module_id:int}", name="trainings.modules.edit")
    async def edit_module(self, request: Request, course_id: FromPath[int], module_id: FromPath[int]) -> Response:
        """Edit a module."""
        course = await services.get_course(course_id)
        return self._module_form(request, course, await services.get_module(course_id, module_id), {})

    @post("/{course_id:int}/modules/{module_id:int}", name="trainings.modules.update")
    async def update_module(self, request: Request, course_id: FromPath[int], module_id: FromPath[int]) -> Response:
        """Save a module (title, description, position)."""
        form = form_dict(await request.form())
        try:
            await services.update_module(course_id, module_id, form, current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            course = await services.get_course(course_id)
            return self._module_form(request, course, {"id": module_id, **form}, exc.errors, 422)
        url = request.app.route_reverse("trainings.courses.detail", course_id=course_id)
        return redirect(request, url + "#modules", _("Module saved."))

    @post("/{course_id:int}/materials", name="trainings.materials.create", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request,
                     settings: NamedDependency[Settings], course_id: FromPath[int], viewer: NamedDependency[Viewer],
                     course_events: NamedDependency[dict]) -> Response:
        """Upload a new material (its first version)."""
        await services.get_course(course_id)
        refused = too_large(request, settings)
        if refused:
            return await self._detail(request, settings, course_id, viewer, course_events, {"file": refused}, None, 413)
        form, upload = await read_upload(request)
        try:
            material_id = await materials.create_material(
                request.app.state.engine, course_id, form, upload, store(request), max_bytes(settings),
                current_user(request).actor(client_ip(request)),
            )
        except ValidationFailed as exc:
            status = exc.status_code
            return await self._detail(request, settings, course_id, viewer, course_events, exc.errors, form, status)
        return redirect(request, request.app.route_reverse("trainings.materials.detail", material_id=material_id),
                        _("Material uploaded."))


class MaterialAdminController(Controller):
    """One material for coordinators: its versions, download counts, and new versions."""

    path = "/manage/materials"
    guards = [COORDINATORS]

    async def _page(self, request: Request,
                    settings: Settings, material_id: int, viewer: Viewer, errors: dict, status: int = 200):
        material = await materials.get_material(material_id, viewer)
        course = await services.get_course(material["course"])
        return render(request, "trainings/manage/material.html", {
            "material": material, "course": course, "errors": errors, "audiences": AUDIENCES,
            "languages": LANGUAGES, "max_upload_mb": settings.max_upload_mb,
        }, status_code=status)

    @get("/{material_id:int}", name="trainings.materials.detail")
    async def detail(self, request: Request,
                     settings: NamedDependency[Settings],
                     material_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Versions (newest first) and how often the material was downloaded."""
        return await self._page(request, settings, material_id, viewer, {})

    @post("/{material_id:int}/versions", name="trainings.materials.version_create",
          request_max_body_size=UPLOAD_BODY_LIMIT)
    async def new_version(self, request: Request, settings: NamedDependency[Settings], material_id: FromPath[int],
                          viewer: NamedDependency[Viewer]) -> Response:
        """Upload a new version; the earlier ones stay."""
        await materials.get_material(material_id, viewer)
        refused = too_large(request, settings)
        if refused:
            return await self._page(request, settings, material_id, viewer, {"file": refused}, 413)
        _fields, upload = await read_upload(request)
        try:
            number = await materials.add_version(request.app.state.engine, material_id, upload, store(request),
                                                 max_bytes(settings), current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            status = exc.status_code
            return await self._page(request, settings, material_id, viewer, exc.errors, status)
        return redirect(request, request.app.route_reverse("trainings.materials.detail", material_id=material_id),
                        _("Version {number} uploaded.").format(number=format_number(number)))
