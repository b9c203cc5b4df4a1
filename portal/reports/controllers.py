"""Staff pages of the reports feature: attendance exports and export jobs (/manage/reports)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core import clock
from portal.core.districts import districts_in
from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES
from portal.core.web import form_dict, redirect, render
from portal.events.management import services as events
from portal.events.tables import Event
from portal.exports import CONTENT_TYPES, content_disposition
from portal.reports import attendance, calendar, jobs
from portal.reports.attendance import FORMATS, SHAPES
from portal.settings import Settings
from portal.trainings.tables import Course

# An XLSX is written whole before it can be sent: above this many rows it becomes a job with
# progress instead of a download that keeps the tab waiting. CSV always streams.
XLSX_DIRECT_LIMIT = 20_000


async def _checked_filter(request: Request,
                          settings: Settings, values: Any) -> tuple[attendance.AttendanceFilter, dict[str, str]]:
    user = current_user(request)
    flt, errors = attendance.parse_filter(values)
    flt = replace(attendance.scoped(flt, user), tz=settings.tz)
    if flt.event_id:
        event = await Event.select(Event.district).where(Event.id == flt.event_id).first()
        if event is None or not user.sees_district(event["district"]):
            raise NotFound(_("No such event."))
    return flt, errors


def _choice(values: Any, name: str, allowed: dict[str, str], default: str, errors: dict[str, str]) -> str:
    raw = (values.get(name) or default).strip()
    if raw not in allowed:
        errors[name] = _("Choose one of the listed options.")
        return default
    return raw


async def _event_choices(request: Request, text: str, selected: int | None) -> list[dict[str, Any]]:
    """The events the picker offers: those matching `text` (the latest ones when empty), with the chosen
    event first when it is not among them, so that searching never changes the choice by itself."""
    user = current_user(request)
    matches = await events.find_events(user, text)
    if selected and all(row["id"] != selected for row in matches):
        chosen = await events.find_events(user, str(selected), limit=50)
        matches = [row for row in chosen if row["id"] == selected] + matches
    return matches


def _job_context(settings: Settings, job: dict[str, Any]) -> dict[str, Any]:
    return {"job": job, "retention_hours": settings.export_retention_hours}


class ReportController(Controller):
    """Attendance exports for event staff (organizers see their districts only)."""

    path = "/manage/reports"
    guards = [EVENT_STAFF]

    async def _context(self, request: Request, flt: Any, errors: dict, shape: str, fmt: str) -> dict[str, Any]:
        count = 0 if errors else await attendance.count_rows(flt, shape)
        courses = await Course.select(Course.id, Course.title).order_by(Course.title)
        event_q = (request.query_params.get("event_q") or "").strip()[:100]
        return {
            "event_q": event_q, "event_choices": await _event_choices(request, event_q, flt.event_id),
            "filters": flt, "errors": errors, "shape": shape, "fmt": fmt, "count": count,
            "query_string": flt.as_query(), "shapes": SHAPES, "formats": FORMATS,
            "districts": districts_in(flt.scope),
            "kinds": KINDS, "genders": GENDERS, "stakeholder_types": STAKEHOLDER_TYPES,
            "courses": [(str(c["id"]), c["title"]) for c in courses], "direct_limit": XLSX_DIRECT_LIMIT,
        }

    @get("/attendance", name="reports.attendance")
    async def attendance_form(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """The export form with the number of rows the current filter gives; the summary alone for htmx."""
        flt, errors = await _checked_filter(request, settings, request.query_params)
        shape = _choice(request.query_params, "shape", SHAPES, "long", errors)
        fmt = _choice(request.query_params, "format", FORMATS, "csv", errors)
        context = await self._context(request, flt, errors, shape, fmt)
        return render(request, "reports/attendance.html", context, fragment="reports/_export_summary.html",
                      status_code=400 if errors else 200)

    @get("/attendance/events", name="reports.attendance.events")
    async def event_options(self, request: Request) -> Response:
        """The export form's event picker: the options of the events matching `event_q` (htmx swaps them in)."""
        event_q = (request.query_params.get("event_q") or "").strip()[:100]
        raw = (request.query_params.get("event") or "").strip()
        selected = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
        return render(request, "reports/_event_options.html", {
            "event_q": event_q, "event_choices": await _event_choices(request, event_q, selected),
            "filters": attendance.AttendanceFilter(event_id=selected)})

    @get("/attendance/export", name="reports.attendance.export")
    async def attendance_export(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Download the export: CSV streams from the database; a big XLSX is offered as a job instead."""
        query = request.query_params
        flt, errors = await _checked_filter(request, settings, query)
        shape = _choice(query, "shape", SHAPES, "long", errors)
        fmt = _choice(query, "format", FORMATS, "csv", errors)
        if errors:
            return render(request, "reports/attendance.html", await self._context(request, flt, errors, shape, fmt),
                          status_code=400)
        if fmt == "xlsx" and await attendance.count_rows(flt, shape) > XLSX_DIRECT_LIMIT:
            context = await self._context(request, flt, errors, shape, fmt)
            context["too_big"] = True
            return render(request, "reports/attendance.html", context, status_code=409)
        secret = settings.secret_key
        export = await attendance.build_export(flt, shape, fmt, secret)
        return Stream(attendance.stream_body(export.body), media_type=export.content_type,
                      headers={**export.headers, "Cache-Control": "no-store"})

    @post("/jobs", name="reports.jobs.create")
    async def create_job(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Start a background export of the posted filter and show its progress."""
        form = form_dict(await request.form())
        flt, errors = await _checked_filter(request, settings, form)
        shape = _choice(form, "shape", SHAPES, "long", errors)
        fmt = _choice(form, "format", FORMATS, "xlsx", errors)
        if errors:
            return render(request, "reports/attendance.html", await self._context(request, flt, errors, shape, fmt),
                          status_code=400)
        state = request.app.state
        job_id = await jobs.create_job(current_user(request), flt, shape, fmt, state.storage,
                                       state.settings.export_retention)
        return redirect(request, request.app.route_reverse("reports.jobs.detail", job_id=job_id))

    @get("/jobs/{job_id:int}", name="reports.jobs.detail")
    async def job_detail(self, request: Request,
                         settings: NamedDependency[Settings], job_id: FromPath[int]) -> Response:
        """The job: a component that polls itself while the file is written, then offers the download."""
        job = await jobs.get_job(current_user(request), job_id, request.app.state.storage)
        return render(request, "reports/job.html", _job_context(settings, job), fragment="reports/_job.html")

    @get("/jobs/{job_id:int}/download", name="reports.jobs.download")
    async def job_download(self, request: Request,
                           settings: NamedDependency[Settings], job_id: FromPath[int]) -> Response:
        """The finished file of a job; otherwise the job's page says why not (410 expired, 409 not ready)."""
        storage = request.app.state.storage
        job = await jobs.get_job(current_user(request), job_id, storage)
        if job["status"] != "done":
            return render(request, "reports/job.html", _job_context(settings, job),
                          status_code=410 if job["status"] == "expired" else 409)
        size = await storage.size(job["key"]) or 0
        return Stream(storage.read(job["key"]), media_type=CONTENT_TYPES[job["fmt"]], headers={
            "Cache-Control": "no-store", "Content-Length": str(size),
            "Content-Disposition": content_disposition(job["filename"])})


class CalendarController(Controller):
    """Public iCalendar feeds of events: /calendar.ics and /calendar/{district}.ics."""

    include_in_schema = False

    async def _feed(self, request: Request, settings: Settings, district: str | None) -> Response:
        body = await calendar.feed(settings.base_url, clock.today(settings.tz), district)
        return Response(body, media_type=CONTENT_TYPES["ics"],
                        headers={"Cache-Control": "public, max-age=900",
                                 "Content-Disposition": content_disposition("events.ics", "inline")})

    @get("/calendar.ics", name="reports.calendar")
    async def all_events(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Every district's events."""
        return await self._feed(request, settings, None)

    @get("/calendar/{filename:str}", name="reports.calendar.district")
    async def district_events(self, request: Request,
                              settings: NamedDependency[Settings], filename: FromPath[str]) -> Response:
        """One district's events; the file name is the district code with .ics, e.g. dhaka.ics."""
        code = filename.removesuffix(".ics")
        if not filename.endswith(".ics") or code not in attendance.DISTRICT_CODES:
            raise NotFound(_("No such district calendar."))
        return await self._feed(request, settings, code)
