"""The read-only JSON API (/api/v1) with bearer API keys, and the admin page that manages the keys."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter

from portal.auth.guards import ADMINS, current_user
from portal.core.errors import ValidationFailed
from portal.core.web import client_ip, form_dict, redirect, render
from portal.reports import api, api_keys

Q = str | None


def _q(description: str) -> Any:
    return QueryParameter(description=description)


LIMIT = Annotated[Q, _q(f"Page size, 1 to {api.MAX_LIMIT} (default {api.DEFAULT_LIMIT}).")]
CURSOR = Annotated[Q, _q("The next_cursor of the previous page; leave out for the first page.")]
EVENT = Annotated[Q, _q("Only records of this event id.")]


async def api_key_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A live API key in `Authorization: Bearer KEY`; 401 (as JSON) otherwise."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    key = await api_keys.authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if key is None:
        raise NotAuthorizedException("A valid API key is required: send Authorization: Bearer KEY.",
                                     headers={"WWW-Authenticate": 'Bearer realm="portal-api"'})
    connection.state.api_key = key


async def _page(request: Request, name: str) -> dict[str, Any]:
    key = request.state.api_key
    query = {k: v for k, v in request.query_params.items()}
    try:
        return await api.list_page(name, query, personal=key["personal_data"],
                                   secret=request.app.state.settings.secret_key)
    except api.BadRequest as exc:
        raise ClientException(str(exc)) from None


class ApiController(Controller):
    """Read-only collections, each ordered by id and paged with an opaque cursor."""

    path = "/api/v1"
    guards = [api_key_guard]
    include_in_schema = True
    security = [{"bearer": []}]
    tags = ["v1"]

    @get("/events", name="api.events")
    async def events(self, request: Request, district: Annotated[Q, _q("District code, e.g. dhaka.")] = None,
                     kind: Annotated[Q, _q("Event kind.")] = None, status: Annotated[Q, _q("Event status.")] = None,
                     course: Annotated[Q, _q("Course id.")] = None,
                     start_from: Annotated[Q, _q("Events starting on or after this date.")] = None,
                     start_to: Annotated[Q, _q("Events starting on or before this date.")] = None,
                     limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """Events (all statuses unless filtered)."""
        return await _page(request, "events")

    @get("/sessions", name="api.sessions")
    async def sessions(self, request: Request, event: EVENT = None,
                       starts_from: Annotated[Q, _q("Sessions starting at or after (ISO 8601 with offset).")] = None,
                       starts_to: Annotated[Q, _q("Sessions starting before (ISO 8601 with offset).")] = None,
                       limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """Sessions (sittings) of events."""
        return await _page(request, "sessions")

    @get("/participants", name="api.participants")
    async def participants(self, request: Request, district: Annotated[Q, _q("District code.")] = None,
                           gender: Annotated[Q, _q("Gender.")] = None,
                           stakeholder_type: Annotated[Q, _q("Stakeholder type.")] = None,
                           limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """People. Names, phones and emails only for keys allowed personal data; otherwise ids are pseudonyms."""
        return await _page(request, "participants")

    @get("/registrations", name="api.registrations")
    async def registrations(self, request: Request, event: EVENT = None,
                            status: Annotated[Q, _q("Registration status.")] = None,
                            limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """Registrations of people in events (participant as id or pseudonym)."""
        return await _page(request, "registrations")

    @get("/check-ins", name="api.check_ins")
    async def check_ins(self, request: Request, event: EVENT = None,
                        session: Annotated[Q, _q("Only this session id.")] = None,
                        since: Annotated[Q, _q("Check-ins at or after (ISO 8601 with offset).")] = None,
                        limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """Check-ins: a registration present at a session."""
        return await _page(request, "check-ins")

    @get("/certificates", name="api.certificates")
    async def certificates(self, request: Request, event: EVENT = None,
                           kind: Annotated[Q, _q("Certificate kind.")] = None,
                           issued_since: Annotated[Q, _q("Issued at or after (ISO 8601 with offset).")] = None,
                           limit: LIMIT = None, cursor: CURSOR = None) -> dict[str, Any]:
        """Certificates, revoked ones included (revoked_at set)."""
        return await _page(request, "certificates")


class ApiDocsController(Controller):
    """Human-readable API documentation rendered on the server from the OpenAPI schema."""

    path = "/api/v1/docs"
    include_in_schema = False

    @get("/", name="api.docs")
    async def docs(self, request: Request) -> Response:
        """Each endpoint with its parameters; the machine-readable schema is linked."""
        schema = request.app.openapi_schema.to_schema()
        schema_url = request.app.openapi_config.path + "/openapi.json"
        return render(request, "reports/api_docs.html", {"schema": schema, "schema_url": schema_url})


class ApiKeyController(Controller):
    """Admins create and revoke API keys."""

    path = "/manage/api-keys"
    guards = [ADMINS]
    include_in_schema = False

    @get("/", name="reports.api_keys")
    async def list_keys(self, request: Request) -> Response:
        """The keys and a form for a new one."""
        return render(request, "reports/api_keys.html", {"keys": await api_keys.list_keys(), "errors": {}})

    @post("/", name="reports.api_keys.create")
    async def create_key(self, request: Request) -> Response:
        """Create a key and show it once."""
        form = form_dict(await request.form())
        actor = current_user(request).actor(client_ip(request))
        try:
            key_id, key = await api_keys.create_key(form, actor)
        except ValidationFailed as exc:
            return render(request, "reports/api_keys.html",
                          {"keys": await api_keys.list_keys(), "errors": exc.errors, "form": form}, status_code=422)
        response = render(request, "reports/api_keys.html",
                          {"keys": await api_keys.list_keys(), "errors": {}, "new_key": key, "new_id": key_id},
                          status_code=201)
        response.headers["Cache-Control"] = "no-store"
        return response

    @post("/{key_id:int}/revoke", name="reports.api_keys.revoke")
    async def revoke_key(self, request: Request, key_id: FromPath[int]) -> Response:
        """Revoke a key; it stops working at once."""
        await api_keys.revoke_key(key_id, current_user(request).actor(client_ip(request)))
        return redirect(request, request.app.route_reverse("reports.api_keys"), "The key was revoked.")
