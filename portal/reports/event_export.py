"""One event's attendance export for whoever runs the event (/manage/events/{id}/attendance-export).

The full export form (/manage/reports/attendance) is for organizers and coordinators; a trainer who
runs a step-down training downloads its attendance here, behind the event staff guard
(portal/events/access.py), with the same data function and renderers.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from portal.auth.guards import current_user
from portal.core.errors import ValidationFailed
from portal.events.access import EVENT_STAFF
from portal.events.management import services as events
from portal.exports import header_language
from portal.reports import attendance
from portal.settings import Settings


class EventAttendanceExportController(Controller):
    """The attendance of one event, one row per person and session, as CSV or XLSX."""

    path = "/manage/events/{event_id:int}/attendance-export"
    guards = [EVENT_STAFF]

    @get("/", name="events.attendance.export")
    async def export(self, request: Request, event_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """Download the event's attendance (`format` csv, the default, or xlsx)."""
        await events.get_event(current_user(request), event_id)  # an organizer's district
        fmt = (request.query_params.get("format") or "csv").strip()
        if fmt not in attendance.FORMATS:
            raise ValidationFailed({"format": "Choose csv or xlsx."})
        flt = attendance.AttendanceFilter(event_id=event_id, tz=settings.tz,
                                          headers=header_language(request.query_params))
        export = await attendance.build_export(flt, "long", fmt, settings.secret_key)
        return Stream(attendance.stream_body(export.body), media_type=export.content_type,
                      headers={**export.headers, "Cache-Control": "no-store"})
