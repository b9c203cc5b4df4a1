"""Staff pages to import participants into an event from CSV or XLSX (/manage/events/{id}/import)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core.errors import DomainError, ValidationFailed
from portal.core.storage import Storage
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.imports import services as imports
from portal.events.imports import uploads as import_uploads
from portal.events.management import services


def _storage(request: Request) -> Storage:
    return request.app.state.storage


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
            # Parsed once, in a worker thread (a big sheet must not stop every other request), and kept as rows.
            headers, rows = await anyio.to_thread.run_sync(imports.read_table, upload.filename, data)
        except DomainError as exc:
            return render(request, "events/import/upload.html",
                          {"event": event, "errors": {"file": exc.message}}, status_code=422)
        upload_id = await import_uploads.save(_storage(request), event_id, headers, rows)
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
        return await import_uploads.load(_storage(request), event_id, upload_id)

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
        await import_uploads.discard(_storage(request), event_id, upload_id)
        message = (f"Imported: {counts['registered']} registered, {counts['waitlisted']} waitlisted "
                   f"({counts['created']} new people, {counts['linked']} already in the directory); "
                   f"{counts['already']} were registered already; {counts['skipped']} rows with errors left out.")
        return redirect(request, request.app.route_reverse("events.registrations.list", event_id=event_id), message)
