"""The cascade report's page and workbook (/manage/reports/cascade), for coordinators and admins."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Stream

from portal.auth.guards import COORDINATORS, current_user
from portal.core.districts import district_name
from portal.core.i18n import current_language, format_number
from portal.core.web import render
from portal.exports import header_language, render_workbook, sheets_in_language
from portal.reports import cascade
from portal.reports.attendance import stream_body, user_scope
from portal.reports.summary_controllers import parse_period
from portal.settings import Settings


def _shown(rows: list[dict], numbers: tuple[str, ...]) -> list[dict]:
    """Rows as the page shows them: numbers and district names in the page's language."""
    lang = current_language.get()
    return [{**row, **{k: format_number(row[k], lang) for k in numbers if k in row},
             **({"district": district_name(row["code"], lang)} if "code" in row else {})} for row in rows]


class CascadeController(Controller):
    """What the master-trainer pool reached through step-down trainings."""

    path = "/manage/reports/cascade"
    guards = [COORDINATORS]

    @get("/", name="reports.cascade")
    async def page(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Totals, the cascade chart, per trainer and per district; the report body alone for htmx."""
        date_from, date_to, errors = parse_period(request, settings)
        context: dict = {"date_from": date_from, "date_to": date_to, "errors": errors}
        if not errors:
            result = await cascade.cascade(date_from, date_to, user_scope(current_user(request)))
            numbers = ("generation", "trainings", "people", "person_days", "female", "male", "certificates",
                       "next_generation", "pool_active", "trainers_active")
            context.update(result=result, totals=cascade.totals(result), chart=cascade.chart(result),
                           trainers=_shown(cascade.trainer_rows(result), numbers),
                           districts=_shown(result.districts, numbers), months=_shown(result.months, numbers))
        return render(request, "reports/cascade.html", context, fragment="reports/_cascade.html",
                      status_code=400 if errors else 200)

    @get("/export", name="reports.cascade.export")
    async def workbook(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """The cascade report as an XLSX workbook, a sheet per table."""
        date_from, date_to, errors = parse_period(request, settings)
        if errors:
            return render(request, "reports/cascade.html",
                          {"date_from": date_from, "date_to": date_to, "errors": errors}, status_code=400)
        result = await cascade.cascade(date_from, date_to, user_scope(current_user(request)))
        sheets = sheets_in_language(cascade.workbook_sheets(result), header_language(request.query_params))
        export = render_workbook(f"cascade_{date_from}-to-{date_to}", sheets, tz=settings.tz)
        return Stream(stream_body(export.body), media_type=export.content_type,
                      headers={**export.headers, "Cache-Control": "no-store"})
