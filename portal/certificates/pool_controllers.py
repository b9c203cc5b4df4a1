"""Staff pages of the master-trainer pool (/manage/pool)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from portal.auth.guards import COORDINATORS, EVENT_STAFF, current_user
from portal.certificates import pool
from portal.certificates.pool import PoolFilter
from portal.core.districts import DISTRICTS
from portal.core.i18n import gettext as _
from portal.core.refusals import refused_to
from portal.core.web import client_ip, form_dict, redirect, render
from portal.exports import header_language
from portal.settings import Settings
from portal.trainings.tables import Course


def parse_filter(query: Any) -> tuple[PoolFilter, dict[str, str]]:
    """Pool filters from the query string; bad values are reported and ignored."""
    errors = {}
    status = query.get("status", "").strip()
    if status and status not in pool.STATUSES:
        errors["status"], status = "Unknown status.", ""
    course_raw = query.get("course", "").strip()
    course = int(course_raw) if course_raw.isdigit() and len(course_raw) < 10 else None
    if course_raw and course is None:
        errors["course"] = _("Unknown course.")
    return PoolFilter(district=query.get("district", "").strip()[:40], status=status, course=course), errors


class PoolController(Controller):
    """The pool list with filters and counts, CSV export, a member's page, status and invitations."""

    path = "/manage/pool"
    guards = [EVENT_STAFF]

    @get("/", name="pool.list")
    async def list_members(self, request: Request) -> Response:
        """Members with filters and counts per district; the results alone for htmx."""
        filters, errors = parse_filter(request.query_params)
        context = {
            "members": await pool.members(filters), "counts": await pool.counts_by_district(filters),
            "filters": filters, "errors": errors, "districts": DISTRICTS, "statuses": pool.STATUSES,
            "courses": await Course.select(Course.id, Course.title).order_by(Course.title),
            "query_string": request.url.query or "",
        }
        return render(request, "certificates/pool/list.html", context, fragment="certificates/pool/_results.html",
                      status_code=400 if errors else 200)

    @get("/export", name="pool.export")
    async def export(self, request: Request, settings: NamedDependency[Settings]) -> Stream:
        """The filtered pool as CSV; contacts only within an organizer's districts."""
        filters, _ = parse_filter(request.query_params)
        export = await pool.export_csv(filters, current_user(request), settings.tz,
                                       header_language(request.query_params))
        return Stream(export.body, media_type=export.content_type, headers=export.headers)

    @get("/{member_id:int}", name="pool.detail")
    async def detail(self, request: Request, member_id: FromPath[int]) -> Response:
        """One member: where they were certified, and the trainings they delivered since."""
        return render(request, "certificates/pool/detail.html", {
            "member": await pool.get_member(member_id), "delivered": await pool.delivered(member_id),
            "statuses": pool.STATUSES,
        })

    @post("/{member_id:int}/status", name="pool.status", opt=refused_to("pool.detail"), guards=[COORDINATORS])
    async def status(self, request: Request, member_id: FromPath[int]) -> Response:
        """Active or inactive."""
        form = form_dict(await request.form())
        url = request.app.route_reverse("pool.detail", member_id=member_id)
        await pool.set_status(current_user(request), member_id, str(form.get("status", "")), client_ip(request))
        return redirect(request, url, _("Status saved."))

    @post("/{member_id:int}/invite", name="pool.invite", opt=refused_to("pool.detail"), guards=[COORDINATORS])
    async def invite(self, request: Request, member_id: FromPath[int], settings: NamedDependency[Settings]) -> Response:
        """Create a trainer account and show the one-time link that lets the person choose a password."""
        token = await pool.invite(current_user(request), member_id, client_ip(request))
        link = settings.base_url + request.app.route_reverse("auth.link", token=token)
        return render(request, "certificates/pool/invited.html",
                      {"member": await pool.get_member(member_id), "link": link})
