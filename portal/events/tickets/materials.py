"""Course materials on a participant's ticket (/t/{token}/materials).

A ticket (registration, not cancelled) of an event linked to a course shows that course's
participant and public materials. The ticket page includes templates/trainings/_ticket_materials.html
with `materials=await for_registration(registration)` and `token`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.web import render
from portal.events.registrations import services as registrations
from portal.trainings import materials
from portal.trainings.files import Store
from portal.trainings.materials import Viewer
from portal.trainings.serving import file_response


def viewer_for(registration: dict[str, Any]) -> Viewer:
    """What a ticket's holder may see: the event's course's participant materials; NotFound when cancelled."""
    if registration["status"] == "cancelled":
        raise NotFound(_("No such ticket."))
    courses = frozenset({registration["course"]}) if registration["course"] is not None else frozenset()
    return Viewer(participant_courses=courses, ticket_token=registration["ticket_token"])


async def for_registration(registration: dict[str, Any]) -> list[dict[str, Any]]:
    """Participant and public materials of the ticket's course (empty when the event has none or the
    ticket is cancelled)."""
    if registration["course"] is None or registration["status"] == "cancelled":
        return []
    return await materials.list_materials(registration["course"], viewer_for(registration))


class TicketMaterialsController(Controller):
    """Materials reached through a participant's ticket link (no login)."""

    path = "/t/{token:str}/materials"

    @get("/", name="events.ticket.materials")
    async def list_materials(self, request: Request, token: FromPath[str]) -> Response:
        """The course materials for this ticket's event."""
        registration = await registrations.by_token(token)
        viewer_for(registration)  # a cancelled ticket opens nothing
        return render(request, "trainings/ticket_materials.html", {
            "event_title": registration["event_title"], "token": token,
            "materials": await for_registration(registration),
        })

    @get("/{version_id:int}", name="events.ticket.material")
    async def download(self, request: Request, token: FromPath[str], version_id: FromPath[int]) -> Response:
        """One file, if the ticket may see it (404 otherwise); Range and ETag as for staff."""
        viewer = viewer_for(await registrations.by_token(token))
        version = await materials.get_version(version_id, viewer)
        response, sent = file_response(
            request, request.app.state.storage, Store.key_for(version["sha256"]), size=version["size"],
            sha256=version["sha256"],
            content_type=version["content_type"], file_name=version["file_name"],
        )
        if sent.status in (200, 206):
            await materials.log_download(version, viewer, "ticket", sent.start)
        return response
