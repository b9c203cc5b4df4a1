"""The public registration page of an event (/r/{event id}) and the organizer's switch for it."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.districts import DISTRICTS
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import N_, current_language
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.management import services
from portal.events.signup import services as signup

# The vocabulary's gender labels, marked for translation here (the public page is read in Bangla).
GENDER_LABELS = {"female": N_("Female"), "male": N_("Male"), "third_gender": N_("Third gender (hijra)"),
                 "undisclosed": N_("Not stated")}


def _context(event: dict, form: dict, errors: dict) -> dict:
    genders = {key: GENDER_LABELS.get(key, label) for key, label in GENDERS.items()}
    return {"event": event, "form": form, "errors": errors, "districts": DISTRICTS, "genders": genders,
            "stakeholder_types": STAKEHOLDER_TYPES}


class SignupController(Controller):
    """Anyone may register for an event its organizer opened; light, no script."""

    path = "/r/{event_id:int}"

    @get("/", name="signup.form")
    async def form(self, request: Request, event_id: FromPath[int]) -> Response:
        """The form."""
        try:
            event = await signup.public_event(event_id)
        except NotFound as exc:
            return render(request, "events/signup/closed.html", {"message": exc.message}, status_code=404)
        return render(request, "events/signup/form.html", _context(event, {}, {}))

    @post("/", name="signup.submit")
    async def submit(self, request: Request, event_id: FromPath[int]) -> Response:
        """Register; the same thank-you whatever the number was."""
        form = form_dict(await request.form())
        try:
            event = await signup.public_event(event_id)
        except NotFound as exc:
            return render(request, "events/signup/closed.html", {"message": exc.message}, status_code=404)
        try:
            await signup.sign_up(event_id, form, client_ip(request), current_language.get())
        except ValidationFailed as exc:
            return render(request, "events/signup/form.html", _context(event, form, exc.errors), status_code=422)
        except signup.TooMany as exc:
            response = render(request, "events/signup/closed.html", {"message": exc.message}, status_code=429)
            response.headers["Retry-After"] = "3600"
            return response
        return render(request, "events/signup/done.html", {"event": event})


class SignupSwitchController(Controller):
    """Organizers open and close an event's public page."""

    path = "/manage/events/{event_id:int}/public-registration"
    guards = [EVENT_STAFF]

    @post("/", name="signup.switch")
    async def switch(self, request: Request, event_id: FromPath[int]) -> Response:
        """Open or close."""
        user = current_user(request)
        await services.get_event(user, event_id)
        opened = form_dict(await request.form()).get("open") == "1"
        await signup.set_open(event_id, opened, user.actor(client_ip(request)))
        return redirect(request, request.app.route_reverse("events.messages", event_id=event_id),
                        _("Public registration is open.") if opened else _("Public registration is closed."))
