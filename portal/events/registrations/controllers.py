"""Staff page of an event's people (/manage/events/{id}/registrations): search, invite, add, role, cancel."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.auth.guards import current_user
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.paging import page_number
from portal.core.refusals import refused_to
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.access import EVENT_STAFF
from portal.events.management import services
from portal.events.participants import services as participants
from portal.events.registrations import services as registrations
from portal.events.registrations.filters import RegistrationFilter
from portal.messages import outbox, wording

# A refused change goes back to the list with the reason as a flash (portal/core/refusals.py).
BACK_TO_LIST = refused_to("events.registrations.list")


def _actor(request: Request):
    return current_user(request).actor(client_ip(request))


class RegistrationController(Controller):
    """Who is registered for an event: search, invite, add a new person inline, role, cancel."""

    path = "/manage/events/{event_id:int}/registrations"
    guards = [EVENT_STAFF]

    async def _page(self, request: Request, event_id: int, errors: dict | None = None, status: int = 200,
                    person: dict | None = None) -> Response:
        user = current_user(request)
        event = await services.get_event(user, event_id)
        where = RegistrationFilter.from_query(request.query_params)
        find = request.query_params.get("find", "").strip()[:100]
        found = (await participants.list_participants(find))[0] if find else []
        page = await registrations.registrations_page(event_id, where, page_number(request.query_params))
        context = {
            "event": event, **page, "q": where.q, "where": where, "find": find,
            "found": found, "counts": await registrations.counts(event_id), "roles": registrations.ROLES,
            "reg_statuses": registrations.REG_STATUSES, "errors": errors or {}, "person": person or {},
            # The messages of the page's rows only, in one query (each person's last one, and a failure's reason).
            "messages": await outbox.latest("registration", [row["id"] for row in page["rows"]]),
            "kind_labels": {kind: spec.label for kind, spec in wording.KINDS.items()},
        }
        return render(request, "events/registrations/list.html", context,
                      fragment="events/registrations/_rows.html", status_code=status)

    @get("/", name="events.registrations.list")
    async def list_registrations(self, request: Request, event_id: FromPath[int]) -> Response:
        """Registrations with search; the directory search to invite people; the rows alone for htmx."""
        return await self._page(request, event_id)

    def _url(self, request: Request, event_id: int) -> str:
        return request.app.route_reverse("events.registrations.list", event_id=event_id)

    @post("/", name="events.registrations.add", opt=BACK_TO_LIST)
    async def add(self, request: Request, event_id: FromPath[int]) -> Response:
        """Register or invite a person from the directory."""
        await services.get_event(current_user(request), event_id)
        form = form_dict(await request.form())
        raw = str(form.get("participant_id", ""))
        if not raw.isdigit():
            return redirect(request, self._url(request, event_id), _("Choose a person from the directory."), "error")
        status = "invited" if form.get("status") == "invited" else "registered"
        made = await registrations.register(event_id, int(raw), _actor(request),
                                            role=str(form.get("role", "participant")), status=status)
        message = "On the waitlist: the event is full." if made["status"] == "waitlisted" else "Added."
        return redirect(request, self._url(request, event_id), message)

    @post("/new-person", name="events.registrations.add_new", opt=BACK_TO_LIST)
    async def add_new(self, request: Request, event_id: FromPath[int]) -> Response:
        """Add a new person to the directory and register them in one step."""
        user = current_user(request)
        await services.get_event(user, event_id)
        form = form_dict(await request.form())
        try:
            person_id = await participants.create_participant(form, user, client_ip(request))
        except ValidationFailed as exc:
            return await self._page(request, event_id, exc.errors, 422, form)
        except participants.DuplicatePerson as exc:
            return await self._page(request, event_id, {exc.field: exc.message + " Find them in the directory above."},
                                    422, form)
        made = await registrations.register(event_id, person_id, _actor(request),
                                            role=str(form.get("role", "participant")))
        message = "Added to the directory and put on the waitlist." if made["status"] == "waitlisted" else \
            "Added to the directory and registered."
        return redirect(request, self._url(request, event_id), message)

    @post("/{registration_id:int}/role", name="events.registrations.role", opt=BACK_TO_LIST)
    async def role(self, request: Request, event_id: FromPath[int], registration_id: FromPath[int]) -> Response:
        """Change the person's role at the event."""
        await services.get_event(current_user(request), event_id)
        form = form_dict(await request.form())
        await registrations.set_role(registration_id, event_id, str(form.get("role", "")), _actor(request))
        return redirect(request, self._url(request, event_id), _("Role changed."))

    @post("/{registration_id:int}/cancel", name="events.registrations.cancel", opt=BACK_TO_LIST)
    async def cancel(self, request: Request, event_id: FromPath[int], registration_id: FromPath[int]) -> Response:
        """Cancel a registration (the first person waiting gets the seat)."""
        await services.get_event(current_user(request), event_id)
        promoted = await registrations.cancel(registration_id, event_id, _actor(request))
        return redirect(request, self._url(request, event_id),
                        _("Cancelled; the first person waiting got the seat.") if promoted else _("Cancelled."))

    @post("/{registration_id:int}/promote", name="events.registrations.promote", opt=BACK_TO_LIST)
    async def promote(self, request: Request, event_id: FromPath[int], registration_id: FromPath[int]) -> Response:
        """Give a waitlisted person a seat."""
        await services.get_event(current_user(request), event_id)
        await registrations.promote(registration_id, event_id, _actor(request))
        return redirect(request, self._url(request, event_id), _("Moved from the waitlist to registered."))
