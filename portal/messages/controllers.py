"""Pages of the messages feature: the outbox for coordinators (filter, look at one, send a failed one
again, stop an address), the wording of each message for admins, and the public STOP link."""

from __future__ import annotations

import json
import math

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from markupsafe import Markup

from portal.auth.guards import ADMINS, COORDINATORS, current_user
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.messages import inbound, outbox, providers, sms, wording
from portal.messages.tables import Contact, OutboxMessage
from portal.settings import Settings

PER_PAGE = 50
KIND_LABELS = {kind: spec.label for kind, spec in wording.KINDS.items()} | {"custom": N_("Message")}
# How consent was given and how an opt-out came (stored in English, shown in the page's language).
SOURCES = {"registered by staff": N_("registered by staff"), "public registration form": N_("public registration form"),
           "link": N_("the STOP link"), "staff": N_("recorded by staff"), "sms reply": N_("a STOP reply by SMS"),
           "staff account": N_("a staff account")}


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _configured(settings: Settings) -> dict[str, bool]:
    configured = providers.providers_for(settings)
    return {channel: channel in configured for channel in wording.CHANNELS}


class OutboxController(Controller):
    """The outbox: every message, its status and the provider's reason when it failed."""

    path = "/manage/messages"
    guards = [COORDINATORS]

    @get("/", name="messages.outbox")
    async def outbox_list(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Messages newest first, filtered by status, channel and address or name; the rows alone for htmx."""
        query = request.query_params
        status = query.get("status", "") if query.get("status", "") in outbox.STATUSES else ""
        channel = query.get("channel", "") if query.get("channel", "") in wording.CHANNELS else ""
        q = query.get("q", "").strip()[:100]
        page = _page(query.get("page", "1"))
        rows, total = await outbox.listing(status=status, channel=channel, q=q, page=page, per_page=PER_PAGE)
        context = {"messages": rows, "total": total, "status": status, "channel": channel, "q": q, "page": page,
                   "pages": max(1, math.ceil(total / PER_PAGE)), "counts": await outbox.counts(),
                   "statuses": outbox.STATUSES, "configured": _configured(settings), "kind_labels": KIND_LABELS}
        return render(request, "messages/outbox.html", context, fragment="messages/_rows.html")

    @get("/{message_id:int}", name="messages.detail")
    async def detail(self, request: Request,
                     settings: NamedDependency[Settings], message_id: FromPath[int]) -> Response:
        """One message as it was (or will be) sent."""
        row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
        if row is None:
            raise NotFound("No such message.")
        contact = await Contact.select().where(Contact.address == row["to_address"]).first()
        size = sms.size(row["body"]) if row["channel"] == "sms" else None
        hidden = row["kind"] in wording.STAFF_KINDS and not current_user(request).has_role("admin")
        if hidden:  # a staff account's one-time link: an admin's to hand out, no one else's to see
            row = {**row, "body": ""}
        return render(request, "messages/detail.html", {"m": row, "contact": contact, "size": size,
                                                         "statuses": outbox.STATUSES, "kind_labels": KIND_LABELS,
                                                         "sources": SOURCES, "hidden": hidden,
                                                         "configured": _configured(settings)})

    @post("/{message_id:int}/retry", name="messages.retry")
    async def retry(self, request: Request, message_id: FromPath[int]) -> Response:
        """Queue a failed message again."""
        try:
            await outbox.retry(message_id, current_user(request).actor(client_ip(request)))
        except NotFound:
            raise
        except DomainError as exc:
            return redirect(request, request.app.route_reverse("messages.detail", message_id=message_id),
                            _(exc.message), "error")
        await outbox.kick()
        return redirect(request, request.app.route_reverse("messages.detail", message_id=message_id),
                        _("The message is queued again."))

    @post("/{message_id:int}/stop", name="messages.stop")
    async def stop(self, request: Request, message_id: FromPath[int]) -> Response:
        """Record that the person at this message's address wants no more messages (or lift it)."""
        row = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.id == message_id).first()
        if row is None:
            raise NotFound("No such message.")
        form = form_dict(await request.form())
        stopped = form.get("stopped") == "1"
        await outbox.set_opt_out(row["to_address"], stopped, "staff", current_user(request).actor(client_ip(request)))
        return redirect(request, request.app.route_reverse("messages.detail", message_id=message_id),
                        _("No more messages go to this address.") if stopped
                        else _("Messages may go to this address again."))


class TemplateController(Controller):
    """Admins word the messages, per kind, language and channel."""

    path = "/manage/message-templates"
    guards = [ADMINS]

    async def _page(self, request: Request, errors: dict | None = None, form: dict | None = None,
                    status_code: int = 200) -> Response:
        return render(request, "messages/templates.html",
                      {"rows": await wording.table(), "kinds": wording.KINDS, "errors": errors or {},
                       "form": form or {},
                       "placeholder_list": Markup(", ").join(
                           Markup("<code>{{{}}}</code>").format(p) for p in wording.PLACEHOLDERS)},
                      status_code=status_code)

    @get("/", name="messages.templates")
    async def templates(self, request: Request) -> Response:
        """Every wording with its SMS parts."""
        return await self._page(request)

    @post("/", name="messages.templates.save")
    async def save(self, request: Request) -> Response:
        """Store one wording (an empty text restores the built-in one)."""
        form = form_dict(await request.form())
        try:
            await wording.save(form.get("kind", ""), form.get("language", ""), form.get("channel", ""),
                               form.get("subject", ""), form.get("body", ""), current_user(request).name)
        except ValidationFailed as exc:
            return await self._page(request, exc.errors, form, 422)
        return redirect(request, request.app.route_reverse("messages.templates") + f"#t-{form.get('kind')}-"
                        f"{form.get('language')}-{form.get('channel')}", _("The wording is saved."))


class StopController(Controller):
    """The STOP link in every email: a page with one button (a link preview must not unsubscribe anyone)."""

    path = "/m/stop"

    @get("/{token:str}", name="messages.stop_link")
    async def confirm(self, request: Request, token: FromPath[str]) -> Response:
        """Ask before stopping."""
        row = await Contact.select(Contact.opted_out_at).where(Contact.stop_token == token[:40]).first()
        if row is None:
            raise NotFound("No such link.")
        return render(request, "messages/stop.html", {"token": token, "stopped": row["opted_out_at"] is not None})

    @post("/{token:str}", name="messages.stop_link.post")
    async def stop(self, request: Request, token: FromPath[str]) -> Response:
        """Stop every message to this address."""
        await outbox.opt_out(token[:40], "link")
        return render(request, "messages/stop.html", {"token": token, "stopped": True, "just_stopped": True})


class InboundSmsController(Controller):
    """The SMS gateway's callbacks: replies (STOP opts a person out) and delivery reports. No session and no
    CSRF token (a gateway has neither): the shared secret PORTAL_SMS_INBOUND_SECRET, compared in constant
    time, is the only key. Answers JSON: 200 with what was done, 400 for a body it cannot read, 403 for a
    wrong or missing secret (and for every call while no secret is configured)."""

    path = "/m/sms/inbound"

    async def _answer(self, request: Request, settings: Settings, values: dict) -> Response:
        given = request.headers.get("x-portal-secret") or request.query_params.get("secret")
        if not inbound.secret_matches(settings.sms_inbound_secret, given):
            return Response({"error": "forbidden"}, status_code=403)
        try:
            done = await inbound.handle(values)
        except inbound.BadCallback as exc:
            return Response({"error": exc.code, "message": exc.message}, status_code=400)
        return Response({"result": done}, status_code=200)

    @get("/", name="messages.sms_inbound.get")
    async def callback_get(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """A callback as query parameters (gateways that call a URL with GET)."""
        values = {k: v for k, v in request.query_params.items() if k != "secret"}
        return await self._answer(request, settings, values)

    @post("/", name="messages.sms_inbound")
    async def callback(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """A callback as a form or a JSON object."""
        values: dict = {}
        if "json" in request.headers.get("content-type", ""):
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return Response({"error": "bad_body", "message": "Expected a JSON object."}, status_code=400)
            values = body
        else:
            values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        values.pop("secret", None)
        return await self._answer(request, settings, values)
