"""Staff pages to import participants into an event from CSV or XLSX (/manage/events/{id}/import)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events import imports, services

UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def _folder(request: Request) -> Path:
    folder = Path(request.app.state.settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(request: Request, event_id: int, upload: str) -> Path:
    if UPLOAD_ID.fullmatch(upload):
        for suffix in (".xlsx", ".csv"):
            path = _folder(request) / f"{event_id}-{upload}{suffix}"
            if path.exists():
                return path
    raise NotFound("This upload has expired. Upload the file again.")


class ImportController(Controller):
    """Upload, map columns, preview with row errors, commit all valid rows or nothing."""

    path = "/manage/events/{event_id:int}/import"
    guards = [EVENT_STAFF]

    @get("/", name="events.import.form")
    async def form(self, request: Request, event_id: FromPath[int]) -> Response:
        """The upload form."""
        event = await services.get_event(current_user(request), event_id)
        return render(request, "events/import/upload.html", {"event": event, "errors": {}})

    @post("/", name="events.import.upload")
    async def upload(self, request: Request, event_id: FromPath[int]) -> Response:
        """Keep the uploaded file and show the column mapping with a preview."""
        event = await services.get_event(current_user(request), event_id)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return render(request, "events/import/upload.html",
                          {"event": event, "errors": {"file": "Choose a .csv or .xlsx file."}}, status_code=422)
        data = await upload.read()
        try:
            headers, rows = imports.read_table(upload.filename, data)
        except DomainError as exc:
            return render(request, "events/import/upload.html",
                          {"event": event, "errors": {"file": exc.message}}, status_code=422)
        upload_id = secrets.token_urlsafe(16)
        suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
        (_folder(request) / f"{event_id}-{upload_id}{suffix}").write_bytes(data)
        return await self._preview(request, event, upload_id, headers, rows, imports.guess_mapping(headers))

    async def _preview(self, request: Request, event: dict, upload_id: str, headers: list[str],
                       rows: list[list[str]], mapping: dict[str, int], errors: dict | None = None,
                       status: int = 200) -> Response:
        results = await imports.preview(event["id"], headers, rows, mapping) if "name" in mapping else []
        context: dict[str, Any] = {
            "event": event, "upload_id": upload_id, "headers": headers, "mapping": mapping, "fields": imports.FIELDS,
            "results": results, "valid": sum(r.ok for r in results), "errors": errors or {},
        }
        return render(request, "events/import/preview.html", context, status_code=status)

    async def _load(self, request: Request, event_id: int, upload_id: str):
        path = _stored(request, event_id, upload_id)
        return imports.read_table(path.name, path.read_bytes())

    @post("/{upload_id:str}", name="events.import.preview")
    async def preview(self, request: Request, event_id: FromPath[int], upload_id: FromPath[str]) -> Response:
        """Preview again with the columns mapped as chosen."""
        event = await services.get_event(current_user(request), event_id)
        headers, rows = await self._load(request, event_id, upload_id)
        form = form_dict(await request.form())
        try:
            mapping = imports.parse_mapping(form, len(headers))
        except ValidationFailed as exc:
            return await self._preview(request, event, upload_id, headers, rows, {}, exc.errors, 422)
        return await self._preview(request, event, upload_id, headers, rows, mapping)

    @post("/{upload_id:str}/commit", name="events.import.commit")
    async def commit(self, request: Request, event_id: FromPath[int], upload_id: FromPath[str]) -> Response:
        """Import the valid rows (one transaction) and go to the registrations."""
        user = current_user(request)
        event = await services.get_event(user, event_id)
        headers, rows = await self._load(request, event_id, upload_id)
        form = form_dict(await request.form())
        try:
            mapping = imports.parse_mapping(form, len(headers))
            counts = await imports.commit(event_id, headers, rows, mapping, user.actor(client_ip(request)))
        except ValidationFailed as exc:
            return await self._preview(request, event, upload_id, headers, rows, {}, exc.errors, 422)
        except DomainError as exc:
            return await self._preview(request, event, upload_id, headers, rows, mapping, {"file": exc.message}, 422)
        _stored(request, event_id, upload_id).unlink(missing_ok=True)
        message = (f"Imported: {counts['registered']} registered, {counts['waitlisted']} waitlisted "
                   f"({counts['created']} new people, {counts['linked']} already in the directory); "
                   f"{counts['already']} were registered already; {counts['skipped']} rows with errors left out.")
        return redirect(request, request.app.route_reverse("events.registrations.list", event_id=event_id), message)
