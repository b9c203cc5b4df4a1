"""Staff pages to import participants into an event from CSV or XLSX (/manage/events/{id}/import)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.spreadsheets import Sheet
from portal.core.storage import Storage
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.imports import sample as import_sample
from portal.events.imports import services as imports
from portal.events.imports import uploads as import_uploads
from portal.events.imports import values as import_values
from portal.events.management import services
from portal.exports import CONTENT_TYPES, content_disposition, safe_filename

ROWS_PER_PAGE = 50
UPLOAD_BODY_LIMIT = imports.MAX_BYTES + 1024 * 1024  # the file and the form around it: a larger file gets its message
PROBLEMS_SHOWN = 200


def _download(data: bytes, filename: str) -> Response:
    return Response(data, media_type=CONTENT_TYPES["xlsx"], headers={
        "Content-Disposition": content_disposition(safe_filename(filename, ".xlsx")),
        "Cache-Control": "private, no-store"})


def _storage(request: Request) -> Storage:
    return request.app.state.storage


def _int(form: dict[str, Any], name: str) -> int | None:
    raw = str(form.get(name, "")).strip()
    return int(raw) if raw.isdigit() and len(raw) < 8 else None


class _State:
    """What the preview form carries: the sheet, the header row, the columns and the values chosen."""

    def __init__(self, sheets: list[Sheet], form: dict[str, Any] | None = None) -> None:
        form = form or {}
        sheet = _int(form, "sheet")
        self.sheet = sheet if sheet is not None and sheet < len(sheets) else imports.best_sheet(sheets)
        chosen_header = _int(form, "header_row") if _int(form, "shown_sheet") in (None, self.sheet) else None
        self.table = imports.locate(sheets[self.sheet].rows, chosen_header)
        # A new sheet or header row has other columns: guess them again rather than keep the old choice.
        same = (_int(form, "shown_sheet") in (None, self.sheet)
                and _int(form, "shown_header") in (None, self.table.header_row))
        self.mapping_errors: dict[str, str] = {}
        if form and same:
            try:
                self.mapping = imports.parse_mapping(form, len(self.table.headers))
            except ValidationFailed as exc:
                self.mapping, self.mapping_errors = {}, exc.errors
        else:
            self.mapping = imports.guess_mapping(self.table.headers)
        self.choices = {k: v for k, v in form.items() if k.startswith("vmap_")}
        self.page = max(_int(form, "page") or 1, 1)


class ImportController(Controller):
    """Upload, find the table, map columns and values, preview with row errors, commit all valid rows or
    nothing."""

    path = "/manage/events/{event_id:int}/import"
    guards = [EVENT_STAFF]

    @get("/", name="events.import.form")
    async def form(self, request: Request, event_id: FromPath[int]) -> Response:
        """The upload form."""
        event = await services.get_event(current_user(request), event_id)
        return render(request, "events/import/upload.html", {"event": event, "errors": {}})

    @get("/template.xlsx", name="events.import.template")
    async def template(self, request: Request, event_id: FromPath[int]) -> Response:
        """An empty list with the columns the import knows, to start a new list from."""
        await services.get_event(current_user(request), event_id)
        return _download(imports.template_workbook(), _("participants-template") + ".xlsx")

    @get("/sample.xlsx", name="events.import.sample")
    async def sample(self, request: Request, event_id: FromPath[int]) -> Response:
        """A list as district offices keep them (title rows, Bangla headers, a Total row), to try the import."""
        await services.get_event(current_user(request), event_id)
        return _download(await anyio.to_thread.run_sync(import_sample.messy_workbook), "participants-sample.xlsx")

    @post("/", name="events.import.upload", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request, event_id: FromPath[int]) -> Response:
        """Keep the uploaded file and show the column mapping with a preview."""
        event = await services.get_event(current_user(request), event_id)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return render(request, "events/import/upload.html",
                          {"event": event, "errors": {"file": _("Choose a .csv or .xlsx file.")}}, status_code=422)
        data = await upload.read()
        try:
            # Parsed once, in a worker thread (a big sheet must not stop every other request), and kept as rows.
            sheets = await anyio.to_thread.run_sync(imports.read_upload, upload.filename, data)
        except DomainError as exc:
            return render(request, "events/import/upload.html",
                          {"event": event, "errors": {"file": exc.message}}, status_code=422)
        upload_id = await import_uploads.save(_storage(request), event_id, sheets, upload.filename)
        return await self._preview(request, event, upload_id, upload.filename, sheets, _State(sheets))

    async def _preview(self, request: Request, event: dict, upload_id: str, filename: str, sheets: list[Sheet],
                       state: _State, errors: dict | None = None, status: int = 200) -> Response:
        errors = {**state.mapping_errors, **(errors or {})}
        checked = (await imports.preview(event["id"], state.table, state.mapping, state.choices)
                   if "name" in state.mapping else imports.Preview([], []))
        results = checked.results
        pages = max((len(results) + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE, 1)
        page = min(state.page, pages)
        problems = [r for r in results if not r.ok]
        header_choices = [(n, " · ".join(c for c in cells if c)[:90])
                          for n, cells in sheets[state.sheet].rows[:imports.HEADER_SEARCH]]
        context: dict[str, Any] = {
            "event": event, "upload_id": upload_id, "filename": filename, "sheets": sheets, "state": state,
            "table": state.table, "headers": state.table.headers, "mapping": state.mapping,
            "fields": imports.FIELDS, "header_choices": header_choices,
            "results": results, "page_rows": results[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE],
            "page": page, "pages": pages, "problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems),
            "skipped": [s for s in state.table.skipped if s[1] != _("blank row")],
            "unknown": checked.unknown, "value_choices": {f: import_values.choices(f)
                                                          for f in import_values.VALUE_FIELDS},
            "valid": checked.valid, "errors": errors,
            "unresolved": sum(1 for u in checked.unknown if not u.chosen),
        }
        return render(request, "events/import/preview.html", context, status_code=status)

    async def _load(self, request: Request, event_id: int, upload_id: str) -> tuple[str, list[Sheet]]:
        return await import_uploads.load(_storage(request), event_id, upload_id)

    @post("/{upload_id:str}", name="events.import.preview")
    async def preview(self, request: Request, event_id: FromPath[int], upload_id: FromPath[str]) -> Response:
        """Preview again with the sheet, header row, columns and values chosen."""
        event = await services.get_event(current_user(request), event_id)
        filename, sheets = await self._load(request, event_id, upload_id)
        state = _State(sheets, form_dict(await request.form()))
        return await self._preview(request, event, upload_id, filename, sheets, state,
                                   status=422 if state.mapping_errors else 200)

    @post("/{upload_id:str}/errors.xlsx", name="events.import.errors", status_code=200)
    async def errors_file(self, request: Request, event_id: FromPath[int], upload_id: FromPath[str]) -> Response:
        """The rows with errors and an errors column, to fix in Excel and upload again."""
        event = await services.get_event(current_user(request), event_id)
        filename, sheets = await self._load(request, event_id, upload_id)
        state = _State(sheets, form_dict(await request.form()))
        if state.mapping_errors:
            return await self._preview(request, event, upload_id, filename, sheets, state, status=422)
        checked = await imports.preview(event_id, state.table, state.mapping, state.choices)
        stem = (filename.rsplit(".", 1)[0] or "participants")[:80]
        suffix = _("to fix")
        return _download(imports.errors_workbook(state.table, checked), f"{stem} - {suffix}.xlsx")

    @post("/{upload_id:str}/commit", name="events.import.commit")
    async def commit(self, request: Request, event_id: FromPath[int], upload_id: FromPath[str]) -> Response:
        """Import the valid rows (one transaction) and go to the registrations."""
        user = current_user(request)
        event = await services.get_event(user, event_id)
        filename, sheets = await self._load(request, event_id, upload_id)
        state = _State(sheets, form_dict(await request.form()))
        if state.mapping_errors:
            return await self._preview(request, event, upload_id, filename, sheets, state, status=422)
        try:
            counts = await imports.commit(event_id, state.table, state.mapping, user.actor(client_ip(request)),
                                          state.choices)
        except DomainError as exc:
            return await self._preview(request, event, upload_id, filename, sheets, state,
                                       {"file": exc.message}, 422)
        await import_uploads.discard(_storage(request), event_id, upload_id)
        message = _("Imported: %(registered)s registered, %(waitlisted)s waitlisted (%(created)s new people, "
                    "%(linked)s already in the directory); %(already)s were registered already; %(skipped)s rows "
                    "with errors left out.") % counts
        return redirect(request, request.app.route_reverse("events.registrations.list", event_id=event_id), message)
