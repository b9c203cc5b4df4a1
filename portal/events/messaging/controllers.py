"""An event's messages page (/manage/events/{id}/messages): a bulk send with its preview and cost, its
progress, and each person's messages."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.i18n import gettext as _
from portal.core.paging import page_number
from portal.core.web import form_dict, redirect, render
from portal.events.management import services
from portal.events.messaging import services as messaging
from portal.events.registrations import services as registrations
from portal.events.registrations.filters import RegistrationFilter
from portal.events.signup import services as signup
from portal.messages import wording
from portal.settings import Settings


def _choice(value: str, allowed, default: str) -> str:
    return value if value in allowed else default


class EventMessagesController(Controller):
    """Bulk send and who got what, for the staff of the event's district."""

    path = "/manage/events/{event_id:int}/messages"
    guards = [EVENT_STAFF]

    async def _page(self, request: Request,
                    settings: Settings, event_id: int, kind: str, audience: str, status_code: int = 200,
                    error: str = "", where: RegistrationFilter | None = None) -> Response:
        event = await services.get_event(current_user(request), event_id)
        batch = request.query_params.get("batch", "")[:20]
        where = where or RegistrationFilter.from_query(request.query_params)
        context = {
            "event": event, "kind": kind, "audience": audience, "kinds": messaging.KINDS,
            "kind_labels": {k: spec.label for k, spec in wording.KINDS.items()}, "audiences": messaging.AUDIENCES,
            "where": where, "reg_statuses": registrations.REG_STATUSES,
            "preview": await messaging.preview(event_id, kind, audience, where),
            **await messaging.people_status(event_id, page_number(request.query_params)), "batch": batch,
            "progress": await messaging.progress(event_id, batch) if batch else None,
            "error": error, "public_open": await signup.is_open(event_id),
            "public_url": settings.base_url + request.app.route_reverse("signup.form",
                                                                                          event_id=event_id),
        }
        part = request.query_params.get("part")  # htmx asks for the progress, or a page of "who got what"
        fragment = {"progress": "events/messaging/_progress.html", "people": "events/messaging/_people.html"}.get(
            part or "")
        return render(request, "events/messaging/page.html", context, fragment=fragment, status_code=status_code)

    @get("/", name="events.messages")
    async def page(self, request: Request, settings: NamedDependency[Settings], event_id: FromPath[int]) -> Response:
        """The preview for the chosen message and audience, and each person's messages."""
        query = request.query_params
        return await self._page(request, settings, event_id, _choice(query.get("kind", ""), messaging.KINDS, "ticket"),
                                _choice(query.get("audience", ""), messaging.AUDIENCES, "not_sent"))

    @post("/", name="events.messages.send")
    async def send(self, request: Request, settings: NamedDependency[Settings], event_id: FromPath[int]) -> Response:
        """Start the bulk send (after the preview); then the page follows its progress."""
        event = await services.get_event(current_user(request), event_id)
        form = form_dict(await request.form())
        kind = form.get("kind", "")
        audience = form.get("audience", "")
        where = RegistrationFilter.from_query(form)
        if kind not in messaging.KINDS or audience not in messaging.AUDIENCES:
            return await self._page(request, settings, event_id, "ticket", "not_sent", 422,
                                    _("Choose a message and who gets it."), where)
        if event["status"] != "published":
            return await self._page(request, settings, event_id, kind, audience, 409,
                                    _("Messages go out for published events only."), where)
        batch = await messaging.start(event_id, kind, audience, where)
        url = request.app.route_reverse("events.messages", event_id=event_id)
        query = urlencode({"kind": kind, "audience": audience, **where.params(), "batch": batch})
        return redirect(request, f"{url}?{query}", _("The messages are being queued."))
