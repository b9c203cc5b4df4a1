"""Course materials on a participant's ticket (/t/{token}/materials).

A ticket (registration, not cancelled) of an event linked to a course shows that course's
participant and public materials. The ticket page can include templates/trainings/_ticket_materials.html
with `materials=await materials_for_ticket(token)` and `token=token`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.web import render
from portal.events.tables import Registration
from portal.trainings import materials
from portal.trainings.files import Store
from portal.trainings.materials import Viewer
from portal.trainings.serving import file_response


async def ticket_viewer(token: str) -> tuple[Viewer, dict[str, Any]]:
    """The materials viewer for a ticket token; NotFound for an unknown or cancelled ticket."""
    row = await Registration.select(
        Registration.id, Registration.status, Registration.event.title.as_alias("event_title"),
        Registration.event.course.as_alias("course"),
    ).where(Registration.ticket_token == token[:32]).first()
    if row is None or row["status"] == "cancelled":
        raise NotFound(_("No such ticket."))
    courses = frozenset({row["course"]}) if row["course"] is not None else frozenset()
    return Viewer(participant_courses=courses, ticket_token=token[:32]), row


async def materials_for_ticket(token: str) -> list[dict[str, Any]]:
    """Participant and public materials of the ticket's course (empty when the event has none)."""
    viewer, row = await ticket_viewer(token)
    if row["course"] is None:
        return []
    return await materials.list_materials(row["course"], viewer)


class TicketMaterialsController(Controller):
    """Materials reached through a participant's ticket link (no login)."""

    path = "/t/{token:str}/materials"

    @get("/", name="events.ticket.materials")
    async def list_materials(self, request: Request, token: FromPath[str]) -> Response:
        """The course materials for this ticket's event."""
        row = (await ticket_viewer(token))[1]
        return render(request, "trainings/ticket_materials.html", {
            "event_title": row["event_title"], "token": token, "materials": await materials_for_ticket(token),
        })

    @get("/{version_id:int}", name="events.ticket.material")
    async def download(self, request: Request, token: FromPath[str], version_id: FromPath[int]) -> Response:
        """One file, if the ticket may see it (404 otherwise); Range and ETag as for staff."""
        viewer = (await ticket_viewer(token))[0]
        version = await materials.get_version(version_id, viewer)
        response, sent = file_response(
            request, request.app.state.storage, Store.key_for(version["sha256"]), size=version["size"],
            sha256=version["sha256"],
            content_type=version["content_type"], file_name=version["file_name"],
        )
        if sent.status in (200, 206):
            await materials.log_download(version, viewer, "ticket", sent.start)
        return response
