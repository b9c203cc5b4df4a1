"""Staff page of who leads each session (/manage/events/{id}/facilitators)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.refusals import refused_to
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.facilitators import services
from portal.events.management import services as events
from portal.events.participants import services as participants
from portal.events.tables import Participant


class FacilitatorController(Controller):
    """Assign trainers, resource persons and guest speakers to the sessions of an event."""

    path = "/manage/events/{event_id:int}/facilitators"
    guards = [EVENT_STAFF]

    async def _page(self, request: Request, event_id: int, errors: dict | None = None, status: int = 200,
                    values: dict | None = None) -> Response:
        event = await events.get_event(current_user(request), event_id)
        find = request.query_params.get("find", "").strip()[:100]
        found = (await participants.list_participants(find))[0][:8] if find else []
        chosen = str((values or {}).get("participant_id", ""))
        if not found and chosen.isdigit() and int(chosen) < 2**31:  # a refused form: the same person again
            found = await Participant.select().where(Participant.id == int(chosen))
        context = {"event": event, "sessions": await events.list_sessions(event_id), "find": find, "found": found,
                   "assigned": await services.by_session(event_id), "roles": services.ROLES,
                   "errors": errors or {}, "values": values or {}}
        return render(request, "events/facilitators.html", context, status_code=status)

    @get("/", name="events.facilitators.list")
    async def page(self, request: Request, event_id: FromPath[int]) -> Response:
        """Each session with its facilitators; a directory search to assign someone."""
        return await self._page(request, event_id)

    @post("/", name="events.facilitators.assign", opt=refused_to("events.facilitators.list"))
    async def assign(self, request: Request, event_id: FromPath[int]) -> Response:
        """Assign the chosen person to the chosen sessions."""
        user = current_user(request)
        await events.get_event(user, event_id)
        form = form_dict(await request.form(), lists=("sessions",))
        url = request.app.route_reverse("events.facilitators.list", event_id=event_id)
        try:
            added = await services.assign(event_id, form, user.actor(client_ip(request)))
        except ValidationFailed as exc:
            return await self._page(request, event_id, exc.errors, 422, form)
        return redirect(request, url, _("Assigned to %(count)s sessions.") % {"count": added} if added != 1
                        else _("Assigned to the session."))

    @post("/{facilitator_id:int}/remove", name="events.facilitators.remove")
    async def remove(self, request: Request, event_id: FromPath[int], facilitator_id: FromPath[int]) -> Response:
        """Take a person off one session."""
        user = current_user(request)
        await events.get_event(user, event_id)
        await services.remove(event_id, facilitator_id, user.actor(client_ip(request)))
        return redirect(request, request.app.route_reverse("events.facilitators.list", event_id=event_id),
                        _("Removed from the session."))
