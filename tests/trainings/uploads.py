"""Builders for courses, materials and test files (import these; they are not fixtures)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from portal.auth.services import CurrentUser
from portal.events.management.course_links import set_course
from portal.settings import Settings
from portal.trainings import materials, services
from portal.trainings.files import Store
from portal.trainings.tables import Course, MaterialVersion


def pdf_bytes(size: int = 50_000, marker: bytes = b"") -> bytes:
    """A file that starts like a PDF, `size` bytes long, with varied content (so ranges are checkable)."""
    head = b"%PDF-1.4\n%" + marker + b"\n"
    body = bytes((i * 7 + 3) % 251 for i in range(size - len(head) - 6))
    return head + body + b"%%EOF\n"


def office_bytes(kind: str = "docx") -> bytes:
    """A minimal Office Open XML package (the members a sniffer checks)."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main, "<document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    """A plain ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


async def upload(settings: Settings, course_id: int, actor: CurrentUser, *, content: bytes | None = None,
                 file_name: str = "manual.pdf", title: str = "Trainer manual", audience: str = "trainers",
                 language: str = "en", module_id: int | None = None) -> int:
    """A material through the real service; returns its id."""
    form = {"title": title, "audience": audience, "language": language, "module": str(module_id or "")}
    data = pdf_bytes() if content is None else content
    return await materials.create_material(
        Course._meta.db, course_id, form, materials.Upload(file_name, io.BytesIO(data)),
        Store.for_settings(settings), settings.max_upload_mb * 1024 * 1024, actor.actor(),
    )


async def latest_version(material_id: int) -> dict[str, Any]:
    """The newest version row of a material."""
    return await MaterialVersion.select().where(MaterialVersion.material == material_id).order_by(
        MaterialVersion.number, ascending=False).first()


async def make_course_with_material(actor: CurrentUser, settings: Settings, event_id: int | None = None
                                    ) -> dict[str, int]:
    """A course with a module and a trainer-only material (linked to `event_id` when given)."""
    course_id = await services.create_course({"title": "Sustainable reintegration"}, actor.actor())
    module_id = await services.add_module(course_id, {"title": "Module 1"}, actor.actor())
    material_id = await upload(settings, course_id, actor, module_id=module_id)
    version = await latest_version(material_id)
    if event_id is not None:
        await set_course(event_id, course_id, actor.actor())
    return {"course_id": course_id, "module_id": module_id, "material_id": material_id, "version_id": version["id"]}
