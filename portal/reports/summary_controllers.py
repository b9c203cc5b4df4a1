"""Coordinators' report pages: the period summary (page and workbook) and the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Stream

from portal.auth.guards import COORDINATORS, current_user
from portal.core import clock
from portal.core.i18n import gettext as _
from portal.core.validation import query_date
from portal.core.web import render
from portal.exports import header_language, render_workbook, sheets_in_language
from portal.reports import cascade, knowledge, summary
from portal.reports.attendance import stream_body, user_scope
from portal.settings import Settings


def _today(settings: Settings) -> dt.date:
    return clock.today(settings.tz)


def parse_period(request: Request, settings: Settings) -> tuple[dt.date, dt.date, dict[str, str]]:
    """The period from the query string; by default this year so far."""
    today = _today(settings)
    errors: dict[str, str] = {}
    values = {"date_from": today.replace(month=1, day=1), "date_to": today}
    for name in values:
        values[name] = query_date(request.query_params, errors, name) or values[name]
    if values["date_from"] > values["date_to"]:
        errors["date_to"] = _("The end of the period is before its start.")
    return values["date_from"], values["date_to"], errors


class SummaryController(Controller):
    """The period summary and the dashboard (coordinators and admins)."""

    path = "/manage/reports"
    guards = [COORDINATORS]

    @get("/summary", name="reports.summary")
    async def summary_page(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Tables and charts for a period; the report body alone for htmx."""
        date_from, date_to, errors = parse_period(request, settings)
        context: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "errors": errors}
        if not errors:
            scope = user_scope(current_user(request))
            result = await summary.period_summary(date_from, date_to, scope, settings.tz)
            reached = await cascade.cascade(date_from, date_to, scope)
            context.update(summary=result, charts=summary.charts(result), totals=summary.totals(result),
                           knowledge=await knowledge.period_knowledge(date_from, date_to, scope),
                           dimensions=knowledge.DIMENSIONS, group_label=knowledge.label,
                           cascade=reached, cascade_chart=cascade.chart(reached),
                           cascade_totals=cascade.totals(reached))
        return render(request, "reports/summary.html", context, fragment="reports/_summary.html",
                      status_code=400 if errors else 200)

    @get("/summary/export", name="reports.summary.export")
    async def summary_workbook(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """The summary as an XLSX workbook, a sheet per table."""
        date_from, date_to, errors = parse_period(request, settings)
        if errors:
            return render(request, "reports/summary.html",
                          {"date_from": date_from, "date_to": date_to, "errors": errors}, status_code=400)
        scope = user_scope(current_user(request))
        result = await summary.period_summary(date_from, date_to, scope, settings.tz)
        learned = await knowledge.period_knowledge(date_from, date_to, scope)
        reached = await cascade.cascade(date_from, date_to, scope)
        # Sheet names and headers in the requester's language (headers=en for English), as declared with N_ in
        # reports/summary.py, knowledge.py and cascade.py.
        sheets = sheets_in_language(summary.workbook_sheets(result) + knowledge.sheets(learned)
                                    + cascade.workbook_sheets(reached), header_language(request.query_params))
        export = render_workbook(f"summary_{date_from}-to-{date_to}", sheets, tz=settings.tz)
        return Stream(stream_body(export.body), media_type=export.content_type,
                      headers={**export.headers, "Cache-Control": "no-store"})

    @get("/dashboard", name="reports.dashboard")
    async def dashboard(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Upcoming events, this month's attendance, weak sessions, certificates and the pool."""
        data = await summary.dashboard(_today(settings), user_scope(current_user(request)),
                                       settings.tz)
        return render(request, "reports/dashboard.html", data)
