"""The audit log page (/manage/audit): admin and coordinators see everything, organizers their districts."""

from __future__ import annotations

import math

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Stream

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.web import render
from portal.exports import header_language
from portal.reports import audit_log
from portal.settings import Settings


def _page(raw: str | None) -> int:
    raw = (raw or "1").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


class AuditController(Controller):
    """Filter, page and export the audit log."""

    path = "/manage/audit"
    guards = [EVENT_STAFF]

    async def _context(self, request: Request, settings: Settings) -> tuple[dict, dict]:
        user = current_user(request)
        tz = settings.tz
        flt, errors = audit_log.parse_filter(request.query_params)
        page = _page(request.query_params.get("page"))
        rows, total = ([], 0) if errors else await audit_log.search(user, flt, tz, page)
        context = {
            "entries": rows, "total": total, "page": page, "filters": flt, "params": flt.params(),
            "pages": max(1, math.ceil(total / audit_log.PAGE_SIZE)), "errors": errors,
            "sessions": await audit_log.sessions_of(user, flt.event), **await audit_log.choices(user),
        }
        return context, errors

    @get("/", name="audit.list")
    async def list_entries(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """The filter form and one page of entries; the rows alone for htmx."""
        context, errors = await self._context(request, settings)
        return render(request, "reports/audit.html", context, fragment="reports/_audit_rows.html",
                      status_code=400 if errors else 200)

    @get("/export", name="audit.export")
    async def export(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """The matching entries as CSV (default) or XLSX."""
        fmt = request.query_params.get("format", "csv")
        flt, errors = audit_log.parse_filter(request.query_params)
        if errors or fmt not in audit_log.RENDERERS:
            context, _ = await self._context(request, settings)
            if fmt not in audit_log.RENDERERS:
                context["errors"] = {**context["errors"], "format": "csv / xlsx"}
            return render(request, "reports/audit.html", context, status_code=400)
        export = await audit_log.export(current_user(request), flt, settings.tz, fmt,
                                        header_language(request.query_params))
        return Stream(export.body, media_type=export.content_type,
                      headers={**export.headers, "Cache-Control": "no-store"})
