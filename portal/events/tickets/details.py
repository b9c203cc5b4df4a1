"""The participant's own details page (/t/{token}/details): correct the spelling of their name and their
organisation (rules in portal/events/tickets/corrections.py). Reached only with the ticket's secret token."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.registrations import services as registrations
from portal.events.tickets import corrections


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class TicketDetailsController(Controller):
    """A participant corrects their name and organisation with their ticket token."""

    path = "/t/{token:str}/details"

    async def _page(self, request: Request, registration: dict, form: dict, errors: dict | None = None,
                    status: int = 200, refused: str = "") -> Response:
        return _private(render(request, "events/ticket/details.html", {
            "registration": registration, "token": registration["ticket_token"], "form": form,
            "errors": errors or {}, "refused": refused}, status_code=status))

    @get("/", name="tickets.details")
    async def show(self, request: Request, token: FromPath[str]) -> Response:
        """The form with the details as they are."""
        try:
            registration = await registrations.by_token(token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        return await self._page(request, registration, await corrections.current(registration["participant"]))

    @post("/", name="tickets.details.save")
    async def save(self, request: Request, token: FromPath[str]) -> Response:
        """Save the corrections (audited); back to the ticket."""
        try:
            registration = await registrations.by_token(token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        form = form_dict(await request.form())
        try:
            changed = await corrections.correct(registration, form, client_ip(request))
        except ValidationFailed as exc:
            return await self._page(request, registration, form, exc.errors, 422)
        except corrections.TooManyCorrections as exc:
            return await self._page(request, registration, form, {}, 429, exc.message)
        return redirect(request, request.app.route_reverse("tickets.show", token=registration["ticket_token"]),
                        _("Thank you: your details are corrected.") if changed else _("Nothing was changed."))
