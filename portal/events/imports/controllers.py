"""Staff pages to import people from CSV or XLSX: into an event (/manage/events/{id}/import, with paper
attendance) or into the directory alone (/manage/participants/import).

Both are the same steps (upload, find the table, map columns and values, preview page by page, commit),
built by `_controller` for each target: an event's import is for its event staff (EVENT_STAFF of
portal/events/access.py: coordinators, organizers of its district, the trainer who runs it); the
directory's for those who may add people to the directory (coordinators and organizers, as its
"Add a person"). A commit of JOB_FROM_ROWS rows or more runs as a job with a progress page (jobs.py).
"""

from __future__ import annotations

import copy
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from portal.auth.guards import EVENT_STAFF as DIRECTORY_STAFF
from portal.auth.guards import current_user
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.core.spreadsheets import Sheet
from portal.core.storage import Storage
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.imports import jobs as import_jobs
from portal.events.imports import pages as import_pages
from portal.events.imports import paper
from portal.events.imports import sample as import_sample
from portal.events.imports import services as imports
from portal.events.imports import uploads as import_uploads
from portal.events.imports import values as import_values
from portal.events.management import services
from portal.exports import CONTENT_TYPES, content_disposition, safe_filename

ROWS_PER_PAGE = 50
PROBLEMS_SHOWN = 200
UPLOAD_BODY_LIMIT = imports.MAX_BYTES + 1024 * 1024  # the file and the form around it: a larger file gets its message


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
    """What the preview form carries: the sheet, the header row, the columns, the values chosen and (for an
    event with sessions) which columns are attendance of which session."""

    def __init__(self, sheets: list[Sheet], form: dict[str, Any] | None = None,
                 sessions: list[dict[str, Any]] | None = None) -> None:
        form = form or {}
        sessions = sessions or []
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
        taken = set(self.mapping.values())
        if form and same and "shown_attendance" in form:
            self.sessions = paper.parse_sessions(form, len(self.table.headers), sessions, taken)
        else:
            self.sessions = paper.guess_sessions(self.table.headers, taken, sessions)
        self.choices = {k: v for k, v in form.items() if k.startswith("vmap_")}
        self.page = max(_int(form, "page") or 1, 1)

    def options(self) -> dict[str, Any]:
        """The choices a job needs to import the same rows (JSON)."""
        return {"sheet": self.sheet, "header_row": self.table.header_row, "mapping": self.mapping,
                "choices": self.choices, "sessions": {str(k): v for k, v in self.sessions.items()}}


def _controller(kind: str) -> type[Controller]:
    """The import controller of one target: "event" (an event's participants and paper attendance) or
    "directory" (people only)."""
    prefix = "events.import" if kind == "event" else "participants.import"

    async def target(request: Request) -> dict[str, Any] | None:
        """The event (access checked), or None for the directory."""
        if kind == "directory":
            return None
        return await services.get_event(current_user(request), int(request.path_params["event_id"]))

    def args(event: dict[str, Any] | None, **more: Any) -> dict[str, Any]:
        return {"event_id": event["id"], **more} if event else more

    def urls(request: Request, event: dict[str, Any] | None, upload_id: str = "") -> dict[str, str]:
        reverse = request.app.route_reverse
        found = {name: reverse(f"{prefix}.{name}", **args(event)) for name in ("form", "upload", "template", "sample")}
        if upload_id:
            found.update({name: reverse(f"{prefix}.{name}", **args(event, upload_id=upload_id))
                          for name in ("preview", "errors", "commit")})
        found["back"] = (reverse("events.registrations.list", event_id=event["id"]) if event
                         else reverse("participants.manage.list"))
        return found

    async def upload_page(request: Request, event: dict[str, Any] | None, errors: dict[str, str],
                          status: int = 200) -> Response:
        recent = [{**job, "url": job_url(request, event, job["id"])}
                  for job in await import_jobs.recent(event["id"] if event else None)]
        return render(request, "events/import/upload.html",
                      {"event": event, "urls": urls(request, event), "errors": errors, "recent": recent},
                      status_code=status)

    async def sessions_of(event: dict[str, Any] | None) -> list[dict[str, Any]]:
        return await paper.event_sessions(event["id"]) if event else []

    async def state_of(event: dict[str, Any] | None, sheets: list[Sheet], form: dict[str, Any] | None) -> _State:
        return _State(sheets, form, await sessions_of(event))

    async def preview_page(request: Request, event: dict[str, Any] | None, upload_id: str, filename: str,
                           sheets: list[Sheet], state: _State, errors: dict | None = None,
                           status: int = 200, checked: imports.Preview | None = None) -> Response:
        errors = {**state.mapping_errors, **(errors or {})}
        event_id = event["id"] if event else None
        if checked is None:
            checked = (await imports.preview(event_id, state.table, state.mapping, state.choices, state.sessions)
                       if "name" in state.mapping else imports.Preview([], []))
        results = checked.results
        pages = max((len(results) + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE, 1)
        page = min(state.page, pages)
        problems = [r for r in results if not r.ok]
        header_choices = [(n, " · ".join(c for c in cells if c)[:90])
                          for n, cells in sheets[state.sheet].rows[:imports.HEADER_SEARCH]]
        sessions = await sessions_of(event)
        taken = set(state.mapping.values())
        context: dict[str, Any] = {
            "event": event, "urls": urls(request, event, upload_id), "upload_id": upload_id, "filename": filename,
            "sheets": sheets, "state": state, "table": state.table, "headers": state.table.headers,
            "mapping": state.mapping, "fields": imports.FIELDS, "header_choices": header_choices,
            "sessions": sessions, "session_names": {s["id"]: s["title"] for s in sessions},
            "free_columns": [(i, h) for i, h in enumerate(state.table.headers) if i not in taken],
            "results": results, "page_rows": results[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE],
            "page": page, "pages": pages, "problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems),
            "skipped": [s for s in state.table.skipped if s[1] != _("blank row")],
            "unknown": checked.unknown, "value_choices": {f: import_values.choices(f)
                                                          for f in import_values.VALUE_FIELDS},
            "valid": checked.valid, "errors": errors, "as_job": len(results) >= import_jobs.JOB_FROM_ROWS,
            "unresolved": sum(1 for u in checked.unknown if not u.chosen),
        }
        return render(request, "events/import/preview.html", context, status_code=status)

    async def load(request: Request, event: dict[str, Any] | None, upload_id: str) -> tuple[str, list[Sheet]]:
        return await import_uploads.load(_storage(request), event["id"] if event else 0, upload_id)

    def job_url(request: Request, event: dict[str, Any] | None, job_id: int) -> str:
        return request.app.route_reverse(f"{prefix}.job", **args(event, job_id=job_id))

    class ImportController(Controller):
        """Upload, find the table, map columns and values, preview with row errors, commit all valid rows or
        nothing (in the request, or as a job for a large file)."""

        path = "/manage/events/{event_id:int}/import" if kind == "event" else "/manage/participants/import"
        guards = [EVENT_STAFF if kind == "event" else DIRECTORY_STAFF]

        @get("/", name=f"{prefix}.form")
        async def form(self, request: Request) -> Response:
            """The upload form."""
            return await upload_page(request, await target(request), {})

        @get("/template.xlsx", name=f"{prefix}.template")
        async def template(self, request: Request) -> Response:
            """An empty list with the columns the import knows, to start a new list from."""
            await target(request)
            return _download(imports.template_workbook(), _("participants-template") + ".xlsx")

        @get("/sample.xlsx", name=f"{prefix}.sample")
        async def sample(self, request: Request) -> Response:
            """A list as district offices keep them (title rows, Bangla headers, a Total row), to try the import."""
            await target(request)
            return _download(await anyio.to_thread.run_sync(import_sample.messy_workbook), "participants-sample.xlsx")

        @post("/", name=f"{prefix}.upload", request_max_body_size=UPLOAD_BODY_LIMIT)
        async def upload(self, request: Request) -> Response:
            """Keep the uploaded file and show the column mapping with a preview."""
            event = await target(request)
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return await upload_page(request, event, {"file": _("Choose a .csv or .xlsx file.")}, 422)
            data = await upload.read()
            try:
                # Parsed once, in a worker thread (a big sheet must not stop every other request), and kept as rows.
                sheets = await anyio.to_thread.run_sync(imports.read_upload, upload.filename, data)
            except DomainError as exc:
                return await upload_page(request, event, {"file": exc.message}, 422)
            upload_id = await import_uploads.save(_storage(request), event["id"] if event else 0, sheets,
                                                  upload.filename)
            state = await state_of(event, sheets, None)
            return await preview_page(request, event, upload_id, upload.filename, sheets, state)

        @post("/{upload_id:str}", name=f"{prefix}.preview")
        async def preview(self, request: Request, upload_id: FromPath[str]) -> Response:
            """Preview again with the sheet, header row, columns, values and attendance columns chosen, or
            another page of the rows."""
            event = await target(request)
            form = form_dict(await request.form())
            kept_as = import_pages.key(kind, event["id"] if event else None, upload_id, form)
            kept = import_pages.get(kept_as)
            if kept is not None:  # another page of a large file whose rows were just checked
                filename, sheets, state, checked = kept
                state = copy.copy(state)
                state.page = max(_int(form, "page") or 1, 1)
                return await preview_page(request, event, upload_id, filename, sheets, state, checked=checked)
            filename, sheets = await load(request, event, upload_id)
            state = await state_of(event, sheets, form)
            checked = None
            if not state.mapping_errors and "name" in state.mapping and len(state.table.rows) >= import_pages.FROM_ROWS:
                checked = await imports.preview(event["id"] if event else None, state.table, state.mapping,
                                                state.choices, state.sessions)
                import_pages.put(kept_as, (filename, sheets, state, checked))
            return await preview_page(request, event, upload_id, filename, sheets, state,
                                      status=422 if state.mapping_errors else 200, checked=checked)

        @post("/{upload_id:str}/errors.xlsx", name=f"{prefix}.errors", status_code=200)
        async def errors_file(self, request: Request, upload_id: FromPath[str]) -> Response:
            """The rows with errors and an errors column, to fix in Excel and upload again."""
            event = await target(request)
            filename, sheets = await load(request, event, upload_id)
            state = await state_of(event, sheets, form_dict(await request.form()))
            if state.mapping_errors:
                return await preview_page(request, event, upload_id, filename, sheets, state, status=422)
            checked = await imports.preview(event["id"] if event else None, state.table, state.mapping,
                                            state.choices, state.sessions)
            stem = (filename.rsplit(".", 1)[0] or "participants")[:80]
            suffix = _("to fix")
            return _download(imports.errors_workbook(state.table, checked), f"{stem} - {suffix}.xlsx")

        @post("/{upload_id:str}/commit", name=f"{prefix}.commit")
        async def commit(self, request: Request, upload_id: FromPath[str]) -> Response:
            """Import the valid rows (one transaction; a large file as a job) and go to the registrations,
            the directory, or the job's progress."""
            user = current_user(request)
            event = await target(request)
            filename, sheets = await load(request, event, upload_id)
            state = await state_of(event, sheets, form_dict(await request.form()))
            if state.mapping_errors:
                return await preview_page(request, event, upload_id, filename, sheets, state, status=422)
            actor = user.actor(client_ip(request))
            event_id = event["id"] if event else None
            if len(state.table.rows) >= import_jobs.JOB_FROM_ROWS:
                job_id = await import_jobs.start(actor, event_id, upload_id, filename, state.options(),
                                                 len(state.table.rows))
                return redirect(request, job_url(request, event, job_id))
            try:
                counts = await imports.commit(event_id, state.table, state.mapping, actor, state.choices,
                                              state.sessions)
            except DomainError as exc:
                return await preview_page(request, event, upload_id, filename, sheets, state, {"file": exc.message},
                                          422)
            await import_uploads.discard(_storage(request), event_id or 0, upload_id)
            import_pages.forget(upload_id)
            return redirect(request, urls(request, event)["back"], done_message(event, counts))

        @get("/jobs/{job_id:int}", name=f"{prefix}.job")
        async def job(self, request: Request, job_id: FromPath[int]) -> Response:
            """A large import's progress: the component alone for htmx polling, a page otherwise."""
            event = await target(request)
            found = await import_jobs.get(job_id, event["id"] if event else None)
            context = {"event": event, "job": found, "urls": urls(request, event),
                       "job_url": job_url(request, event, job_id),
                       "restart_url": request.app.route_reverse(f"{prefix}.restart", **args(event, job_id=job_id)),
                       "message": done_message(event, found["counts"]) if found["status"] == "done" else ""}
            return render(request, "events/import/job.html", context, fragment="events/import/_job.html")

        @post("/jobs/{job_id:int}/restart", name=f"{prefix}.restart")
        async def restart(self, request: Request, job_id: FromPath[int]) -> Response:
            """Start a failed import again from the same upload (nothing of it was saved)."""
            event = await target(request)
            await import_jobs.restart(current_user(request).actor(client_ip(request)), job_id,
                                      event["id"] if event else None)
            return redirect(request, job_url(request, event, job_id))

    ImportController.__name__ = ImportController.__qualname__ = (
        "ImportController" if kind == "event" else "DirectoryImportController")
    return ImportController


def done_message(event: dict[str, Any] | None, counts: dict[str, int]) -> str:
    """What an import did, for the flash or the finished job."""
    counts = {"created": 0, "linked": 0, "registered": 0, "waitlisted": 0, "already": 0, "skipped": 0,
              "checkins": 0, "checkins_already": 0, **counts}
    shown = {key: format_number(value) for key, value in counts.items()}
    if event is None:
        return _("Imported into the directory: %(created)s new people, %(linked)s already there; %(skipped)s rows "
                 "with errors left out.") % shown
    message = _("Imported: %(registered)s registered, %(waitlisted)s waitlisted (%(created)s new people, "
                "%(linked)s already in the directory); %(already)s were registered already; %(skipped)s rows "
                "with errors left out.") % shown
    if counts["checkins"] or counts["checkins_already"]:
        message += " " + _("Attendance from paper: %(checkins)s check-ins recorded, %(checkins_already)s were "
                           "recorded already.") % shown
    return message


ImportController = _controller("event")
DirectoryImportController = _controller("directory")
