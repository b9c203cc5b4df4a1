"""The answer page of an invitation (/t/{token}/rsvp?answer=yes|no): a page with the event and one button,
so that a link preview or a virus scanner opening the link never answers for the person."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from portal.core.errors import DomainError, NotFound
from portal.core.web import form_dict, render
from portal.events.management import services
from portal.events.registrations import rsvp
from portal.events.registrations import services as registrations


class RsvpController(Controller):
    """Accept or decline an invitation with the ticket's secret token."""

    path = "/t/{token:str}/rsvp"

    async def _context(self, token: str) -> dict:
        registration = await registrations.by_token(token)
        return {"registration": registration, "event": await services.get_event_public(registration["event"]),
                "token": token}

    @get("/", name="tickets.rsvp")
    async def ask(self, request: Request, token: FromPath[str]) -> Response:
        """The invitation and the two answers (the one from the link first)."""
        try:
            context = await self._context(token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        context["answer"] = "no" if request.query_params.get("answer") == "no" else "yes"
        return render(request, "events/ticket/rsvp.html", context)

    @post("/", name="tickets.rsvp.answer")
    async def answer(self, request: Request, token: FromPath[str]) -> Response:
        """Record the answer."""
        form = form_dict(await request.form())
        try:
            context = await self._context(token)
        except NotFound:
            return render(request, "events/ticket/not_found.html", {}, status_code=404)
        if form.get("answer") not in ("yes", "no"):
            context.update(answer="yes", error=True)
            return render(request, "events/ticket/rsvp.html", context, status_code=422)
        try:
            result = await rsvp.answer(token, form["answer"] == "yes")
        except DomainError as exc:
            context.update(answer=form["answer"], refused=exc.message)
            return render(request, "events/ticket/rsvp.html", context, status_code=409)
        context["registration"] = {**context["registration"], "status": result["status"]}
        context.update(answer=form["answer"], done=True)
        return render(request, "events/ticket/rsvp.html", context)
