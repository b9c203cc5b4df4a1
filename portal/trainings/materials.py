"""Materials, their versions and downloads: who may see what, uploads, the download log.

Who may see a course's trainer files depends on events and the master-trainer pool, which this
feature must not import: callers pass a `Viewer` that already holds the answer (course ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import anyio
from piccolo.engine import Engine
from piccolo.query.functions.aggregate import Count

from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import Labels
from portal.db import write_transaction
from portal.trainings.files import FileRefused, Store, check_type, display_name
from portal.trainings.services import _text, get_course
from portal.trainings.tables import Download, Material, MaterialVersion, Module

AUDIENCES = Labels({"trainers": N_("Trainers only"), "participants": N_("Participants of the course's events"),
                   "public": N_("Public")})
LANGUAGES = Labels({"en": N_("English"), "bn": N_("Bangla")})


@dataclass(frozen=True)
class Viewer:
    """Who is asking, with the answers other features gave about them."""

    user_id: int | None = None
    sees_all: bool = False  # coordinators and admins
    trainer_courses: frozenset[int] = field(default_factory=frozenset)  # may see trainer files
    participant_courses: frozenset[int] = field(default_factory=frozenset)  # via a ticket
    ticket_token: str = ""


def may_see(viewer: Viewer, course_id: int, audience: str) -> bool:
    """The one rule: public for all; everything for coordinators and the course's trainers;
    participant files for ticket holders of the course's events."""
    if audience == "public" or viewer.sees_all or course_id in viewer.trainer_courses:
        return True
    return audience == "participants" and course_id in viewer.participant_courses


class UploadRefused(ValidationFailed):
    """The file was refused (`code`: no_file, bad_name, empty, too_large, type_not_allowed, type_mismatch)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__({"file": message})
        self.code = code
        self.status_code = 413 if code == "too_large" else 422


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""

    file_name: str
    source: BinaryIO | None


async def parse_material(course_id: int, form: dict[str, Any]) -> dict[str, Any]:
    """Validated material fields (the module must belong to this course)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": _text(form, "title", 200, errors, "Enter a title."),
        "description": _text(form, "description", 5000, errors),
        "audience": str(form.get("audience", "")),
        "language": str(form.get("language", "")),
        "module": None,
    }
    if values["audience"] not in AUDIENCES:
        errors["audience"] = _("Choose who may see this file.")
    if values["language"] not in LANGUAGES:
        errors["language"] = _("Choose the language.")
    raw = str(form.get("module", "")).strip()
    if raw:
        exists = raw.isdigit() and await Module.exists().where((Module.id == int(raw)) & (Module.course == course_id))
        if exists:
            values["module"] = int(raw)
        else:
            errors["module"] = _("Choose a module of this course.")
    if errors:
        raise ValidationFailed(errors)
    return values


async def _store_upload(upload: Upload, store: Store, max_bytes: int) -> dict[str, Any]:
    """Check and store the file; ValidationFailed({'file': ...}) with a clear message when refused."""
    name = display_name(upload.file_name)
    if upload.source is None or not upload.file_name:
        raise UploadRefused("no_file", "Choose a file to upload.")
    if not name:
        raise UploadRefused("bad_name", "The file name is not usable: rename the file and try again.")
    source = upload.source

    def receive() -> tuple[Path, str, int, str]:
        tmp, sha256, size = store.receive(source, max_bytes)
        try:
            return tmp, sha256, size, check_type(tmp, name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    try:
        tmp, sha256, size, content_type = await anyio.to_thread.run_sync(receive)
    except FileRefused as exc:
        raise UploadRefused(exc.code, exc.message) from None
    await store.commit(tmp, sha256, size)
    return {"file_name": name, "content_type": content_type, "size": size, "sha256": sha256}


async def create_material(
    engine: Engine, course_id: int, form: dict[str, Any], upload: Upload, store: Store, max_bytes: int, actor: Actor
) -> int:
    """A new material with its first version. The file is stored (by hash) before the rows are
    written, so an acknowledged upload always has its bytes; returns the material id."""
    await get_course(course_id)
    try:
        values = await parse_material(course_id, form)
        field_errors: dict[str, str] = {}
    except ValidationFailed as exc:
        values, field_errors = {}, exc.errors
    if field_errors:  # report the form and the file together, but store nothing
        if upload.source is None or not upload.file_name:
            field_errors["file"] = "Choose a file to upload."
        raise ValidationFailed(field_errors)
    stored = await _store_upload(upload, store, max_bytes)
    async with write_transaction(engine):
        material = Material(course=course_id, created_by=actor.id, **values)
        await material.save()
        await MaterialVersion(material=material.id, number=1, uploaded_by=actor.id, **stored).save()
        await audit.record(actor, "material.create", "material", material.id, after={**values, **stored})
    return material.id


async def add_version(
    engine: Engine, material_id: int, upload: Upload, store: Store, max_bytes: int, actor: Actor
) -> int:
    """Upload a new version (history kept); returns its number."""
    await _material_row(material_id)
    stored = await _store_upload(upload, store, max_bytes)
    async with write_transaction(engine):
        last = await MaterialVersion.select(MaterialVersion.number).where(
            MaterialVersion.material == material_id).order_by(MaterialVersion.number, ascending=False).first()
        number = (last["number"] if last else 0) + 1
        await MaterialVersion(material=material_id, number=number, uploaded_by=actor.id, **stored).save()
        await Material.update({Material.updated_at: clock.now()}).where(Material.id == material_id)
        await audit.record(actor, "material.version", "material", material_id, after={"number": number, **stored})
    return number


async def _material_row(material_id: int) -> dict[str, Any]:
    row = await Material.select(*Material.all_columns(), Material.module.title.as_alias("module_title")).where(
        Material.id == material_id).first()
    if row is None:
        raise NotFound(_("No such material."))
    return row


async def get_material(material_id: int, viewer: Viewer) -> dict[str, Any]:
    """A material with its versions (newest first), or NotFound when missing or not for this viewer."""
    row = await _material_row(material_id)
    if not may_see(viewer, row["course"], row["audience"]):
        raise NotFound(_("No such material."))
    versions = await MaterialVersion.select().where(MaterialVersion.material == material_id).order_by(
        MaterialVersion.number, ascending=False)
    return {**row, "versions": versions, "latest": versions[0] if versions else None,
            "downloads": await download_count(material_id)}


async def list_materials(course_id: int, viewer: Viewer) -> list[dict[str, Any]]:
    """The course's materials this viewer may see, each with its latest version, download count and
    `changed` ("new" never downloaded by this viewer, "updated" newer than their last download, or "")."""
    rows = [row for row in await Material.select().where(Material.course == course_id).order_by(Material.title)
            if may_see(viewer, course_id, row["audience"])]
    ids = [row["id"] for row in rows] or [0]
    latest: dict[int, dict[str, Any]] = {}
    for version in await MaterialVersion.select().where(MaterialVersion.material.is_in(ids)).order_by(
            MaterialVersion.number):
        latest[version["material"]] = version
    counts = {row["material"]: row["n"] for row in await Download.select(Download.material, Count(alias="n")).where(
        Download.material.is_in(ids) & (Download.range_start == 0)).group_by(Download.material)}
    last_seen: dict[int, Any] = {}
    mine = (Download.user == viewer.user_id) if viewer.user_id is not None else (
        Download.ticket_token == viewer.ticket_token) if viewer.ticket_token else None
    if mine is not None:  # only this viewer's own log rows are read
        for log in await Download.select(Download.material, Download.at).where(Download.material.is_in(ids) & mine):
            if log["material"] not in last_seen or log["at"] > last_seen[log["material"]]:
                last_seen[log["material"]] = log["at"]
    result = []
    for row in rows:
        version = latest.get(row["id"])
        seen = last_seen.get(row["id"])
        changed = "new" if seen is None else "updated" if version and version["uploaded_at"] > seen else ""
        result.append({**row, "latest": version, "downloads": counts.get(row["id"], 0), "changed": changed})
    return result


async def get_version(version_id: int, viewer: Viewer) -> dict[str, Any]:
    """A version with its material's course and audience; NotFound when missing or not for this viewer."""
    row = await MaterialVersion.select(
        *MaterialVersion.all_columns(), MaterialVersion.material.course.as_alias("course"),
        MaterialVersion.material.audience.as_alias("audience"),
    ).where(MaterialVersion.id == version_id).first()
    if row is None or not may_see(viewer, row["course"], row["audience"]):
        raise NotFound(_("No such file."))
    return row


async def log_download(version: dict[str, Any], viewer: Viewer, via: str, range_start: int = 0) -> None:
    """Record one served download (who, which version, when)."""
    await Download.insert(Download(
        version=version["id"], material=version["material"], user=viewer.user_id,
        ticket_token=viewer.ticket_token[:32], via=via, range_start=range_start,
    ))


async def download_count(material_id: int) -> int:
    """Downloads of a material (resumed parts of one download are not counted twice)."""
    return await Download.count().where((Download.material == material_id) & (Download.range_start == 0))


async def pack_entries(course_id: int, viewer: Viewer, store: Store, module_id: int | None = None
                       ) -> list[tuple[str, str, dict[str, Any]]]:
    """(name in the ZIP, storage key, version) for the latest version of each material this viewer may see,
    in folders by module; NotFound for a module of another course."""
    modules = {m["id"]: m for m in await Module.select().where(Module.course == course_id)}
    if module_id is not None and module_id not in modules:
        raise NotFound(_("No such module."))
    entries, used = [], set()
    for material in await list_materials(course_id, viewer):
        version = material["latest"]
        if version is None or (module_id is not None and material["module"] != module_id):
            continue
        module = modules.get(material["module"])
        folder = display_name(f"{module['position']:02d} {module['title']}") if module else "Course"
        name = f"{folder}/{version['file_name']}"
        base, dot, ext = name.rpartition(".")
        if not dot or "/" in ext:
            base, dot, ext = name, "", ""
        n = 2
        while name in used:
            name, n = f"{base} ({n}){dot}{ext}", n + 1
        used.add(name)
        entries.append((name, store.key_for(version["sha256"]), version))
    return entries
