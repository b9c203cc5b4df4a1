"""A trainer's page to open a step-down training from a course (/manage/step-down)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency

from portal.auth.guards import current_user, roles
from portal.core.districts import districts_in
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.settings import Settings
from portal.stepdown import services

TRAINERS = roles("trainer")


class StepDownController(Controller):
    """Trainers of the pool create step-down trainings; running them uses the event pages."""

    path = "/manage/step-down"
    guards = [TRAINERS]

    async def _form(self, request: Request, values: dict[str, Any], errors: dict[str, str],
                    status: int = 200) -> Response:
        user = current_user(request)
        districts = await services.work_districts(user)
        context = {"values": values, "errors": errors, "courses": await services.teachable_courses(user),
                   "districts": districts_in(districts)}
        return render(request, "stepdown/form.html", context, status_code=status)

    @get("/new", name="stepdown.new")
    async def new(self, request: Request) -> Response:
        """The form: one of the trainer's courses, one of their districts, dates and venue."""
        districts = await services.work_districts(current_user(request))
        values = {"completion_percent": 100, "district": districts[0] if len(districts) == 1 else "",
                  "course": request.query_params.get("course", "")}
        return await self._form(request, values, {})

    @post("/", name="stepdown.create")
    async def create(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Create the training (a draft with a session a day) and open its page."""
        form = form_dict(await request.form())
        try:
            event_id = await services.create_step_down(form, current_user(request), settings.tz,
                                                       client_ip(request))
        except ValidationFailed as exc:
            return await self._form(request, {**form, "walk_ins": "walk_ins" in form}, exc.errors, 422)
        return redirect(request, request.app.route_reverse("events.manage.detail", event_id=event_id),
                        _("Step-down training created. Publish it when the details are right, then register "
                          "participants."))
