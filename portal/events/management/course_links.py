"""Events and the course they teach, seen from the course page (trainings cannot query events).

`course_events` is a Litestar dependency the course page asks for; the controller links and
unlinks an event from the course page (the event form is another feature's file).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import FromPath

from portal.auth.guards import COORDINATORS, current_user
from portal.core import audit, clock
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect
from portal.events.tables import Event
from portal.trainings.services import get_course

CANDIDATE_LIMIT = 200
COLUMNS = (Event.id, Event.title, Event.kind, Event.district, Event.start_date, Event.end_date, Event.status)


async def course_events(course_id: FromPath[int]) -> dict[str, list[dict[str, Any]]]:
    """Dependency: the course's events (newest first) and events without a course to link."""
    # Newest first, and among events of one day the latest created first: without the id the databases
    # order ties differently (seen: one list, two orders on SQLite and PostgreSQL after a move).
    linked = await Event.select(*COLUMNS).where(Event.course == course_id).order_by(
        Event.start_date, Event.id, ascending=False)
    unlinked = await Event.select(*COLUMNS).where(Event.course.is_null() & (Event.status != "cancelled")).order_by(
        Event.start_date, Event.id, ascending=False).limit(CANDIDATE_LIMIT)
    return {"linked": linked, "unlinked": unlinked}


async def set_course(event_id: int, course_id: int | None, actor: Any) -> None:
    """Point an event at a course (or at none), audited."""
    before = await Event.select(Event.course).where(Event.id == event_id).first()
    if before is None:
        raise NotFound(_("No such event."))
    await Event.update({Event.course: course_id, Event.updated_at: clock.now()}).where(Event.id == event_id)
    await audit.record(actor, "event.course", "event", event_id, before={"course": before["course"]},
                       after={"course": course_id})


class CourseEventLinkController(Controller):
    """Link events to a course from the course page (coordinators)."""

    path = "/manage/courses/{course_id:int}/events"
    guards = [COORDINATORS]

    def _back(self, request: Request, course_id: int, message: str, kind: str = "success") -> Response:
        url = request.app.route_reverse("trainings.courses.detail", course_id=course_id) + "#events"
        return redirect(request, url, message, kind)

    @post("/", name="events.course_links.link")
    async def link(self, request: Request, course_id: FromPath[int]) -> Response:
        """Link the chosen event to this course."""
        await get_course(course_id)
        raw = str(form_dict(await request.form()).get("event", ""))
        if not raw.isdigit():
            return self._back(request, course_id, "Choose an event to link.", "error")
        user = current_user(request)
        try:
            await set_course(int(raw), course_id, user.actor(client_ip(request)))
        except (NotFound, ValidationFailed):
            return self._back(request, course_id, "That event does not exist.", "error")
        return self._back(request, course_id, "Event linked to the course.")

    @post("/{event_id:int}/unlink", name="events.course_links.unlink")
    async def unlink(self, request: Request, course_id: FromPath[int], event_id: FromPath[int]) -> Response:
        """Remove the link between an event and this course."""
        await get_course(course_id)
        linked = await Event.exists().where((Event.id == event_id) & (Event.course == course_id))
        if not linked:
            raise NotFound(_("No such event in this course."))
        await set_course(event_id, None, current_user(request).actor(client_ip(request)))
        return self._back(request, course_id, "Event unlinked.")
