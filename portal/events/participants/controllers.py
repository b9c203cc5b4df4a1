"""Staff pages for the participant directory (/manage/participants)."""

from __future__ import annotations

import math

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.districts import DISTRICTS, districts_in
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.participants import merge as merging
from portal.events.participants import phones
from portal.events.participants import services as participants
from portal.events.participants.services import DuplicatePerson


def _choices() -> dict:
    return {"genders": GENDERS, "stakeholder_types": STAKEHOLDER_TYPES, "districts": DISTRICTS}


class ParticipantController(Controller):
    """Directory search, create and edit. Every event staff member may search the whole
    directory (people travel to events outside their district); organizers limited to
    districts edit only people of those districts."""

    path = "/manage/participants"
    guards = [EVENT_STAFF]

    @get("/", name="participants.manage.list")
    async def list_people(self, request: Request) -> Response:
        """Search the directory; the rows alone for htmx."""
        query = request.query_params
        page_raw = query.get("page", "1")
        page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 100_000 else 1
        q, district = query.get("q", "").strip()[:100], query.get("district", "").strip()[:40]
        rows, total = await participants.list_participants(q, district, page)
        context = {"people": rows, "total": total, "q": q, "district": district, "page": page,
                   "pages": max(1, math.ceil(total / participants.PAGE_SIZE)), **_choices()}
        return render(request, "events/participants/list.html", context,
                      fragment="events/participants/_rows.html")

    async def _form(self, request: Request, person: dict, errors: dict, status: int = 200, duplicate=None) -> Response:
        choices = _choices()
        extra: dict = {"contacts": [], "merges": []}
        if person.get("id"):
            if person.get("editable"):
                # An organizer may move the people of their districts within those districts only.
                choices["districts"] = districts_in(current_user(request).district_scope)
            saved = await participants.get_participant(person["id"])
            extra = {"contacts": await participants.contacts_of(saved),
                     "merges": await merging.merges_into(person["id"])}
            if "messages_shown" not in person:
                person["messages_stopped"] = any(c["stopped"] for c in extra["contacts"])
        return render(request, "events/participants/form.html",
                      {"person": person, "errors": errors, "duplicate": duplicate, **choices, **extra},
                      status_code=status)

    @get("/new", name="participants.manage.new")
    async def new_person(self, request: Request) -> Response:
        """Empty form."""
        return await self._form(request, {"gender": "undisclosed", "stakeholder_type": "other"}, {})

    @post("/", name="participants.manage.create")
    async def create(self, request: Request) -> Response:
        """Add a person unless the phone or email is already known."""
        form = form_dict(await request.form())
        try:
            person_id = await participants.create_participant(form, current_user(request), client_ip(request))
        except DuplicatePerson as exc:
            return await self._form(request, form, {exc.field: exc.message}, 409, exc.existing)
        except ValidationFailed as exc:
            return await self._form(request, form, exc.errors, 422)
        return redirect(request, request.app.route_reverse("participants.manage.edit", participant_id=person_id),
                        _("Participant added."))

    @get("/{participant_id:int}", name="participants.manage.edit")
    async def edit(self, request: Request, participant_id: FromPath[int]) -> Response:
        """A person's details, editable when the user may edit them."""
        person = await participants.get_participant(participant_id)
        context_person = {**person, "editable": participants.may_edit(current_user(request), person),
                          "other_phones": "\n".join(await phones.others(participant_id))}
        return await self._form(request, context_person, {})

    @post("/{participant_id:int}", name="participants.manage.update")
    async def update(self, request: Request, participant_id: FromPath[int]) -> Response:
        """Save a person."""
        form = form_dict(await request.form())
        try:
            await participants.update_participant(participant_id, form, current_user(request), client_ip(request))
        except DuplicatePerson as exc:
            return await self._form(request, {**form, "id": participant_id, "editable": True}, {exc.field: exc.message},
                              409, exc.existing)
        except ValidationFailed as exc:
            return await self._form(request, {**form, "id": participant_id, "editable": True}, exc.errors, 422)
        except NotFound:
            raise
        return redirect(request, request.app.route_reverse("participants.manage.list"), _("Participant saved."))
