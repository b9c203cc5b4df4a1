"""The read-only JSON API (/api/v1) with bearer API keys, and the admin page that manages the keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter

from portal.auth.guards import ADMINS, current_user
from portal.core import clock
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES, STATUSES
from portal.core.web import client_ip, form_dict, redirect, render
from portal.reports import api, api_docs, api_keys, knowledge
from portal.reports.api_schema import (
    ERROR_RESPONSES,
    AttemptsPage,
    CertificatesPage,
    CheckInsPage,
    EvaluationSummary,
    EventsPage,
    FeedbackPage,
    ParticipantsPage,
    RegistrationsPage,
    SessionsPage,
)
from portal.settings import Settings


def _q(description: str, **constraints: Any) -> Any:
    return QueryParameter(description=description, **constraints)


def _one_of(values: Iterable[str]) -> Any:
    """A Literal of `values`: the schema lists them and Litestar refuses anything else with a 400."""
    return Literal[tuple(sorted(values))]  # type: ignore[valid-type]


DISTRICT = _one_of(api.DISTRICT_CODES)
EVENT_KIND = _one_of(KINDS)
EVENT_STATUS = _one_of(STATUSES)
GENDER = _one_of(GENDERS)
STAKEHOLDER = _one_of(STAKEHOLDER_TYPES)
REGISTRATION_STATUS = _one_of(api.REGISTRATION_STATUSES)
CERTIFICATE_KIND = _one_of(api.CERTIFICATE_KINDS)
ID = int | None
LIMIT = Annotated[int | None, _q(f"Page size, 1 to {api.MAX_LIMIT} (default {api.DEFAULT_LIMIT}).",
                                 ge=1, le=api.MAX_LIMIT)]
CURSOR = Annotated[str | None, _q("The next_cursor of the previous page; leave out for the first page.")]
EVENT = Annotated[ID, _q("Only records of this event id.", ge=1, le=api.MAX_ID)]
SINCE = "at or after (RFC 3339 date and time with an offset, e.g. 2026-11-23T10:00:00+06:00)"


async def api_key_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A live API key in `Authorization: Bearer KEY`; 401 (as JSON) otherwise."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    key = await api_keys.authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if key is None:
        raise NotAuthorizedException("A valid API key is required: send Authorization: Bearer KEY.",
                                     headers={"WWW-Authenticate": 'Bearer realm="portal-api"'})
    connection.state.api_key = key


async def _page(request: Request,
                settings: Settings, name: str, limit: int | None, cursor: str | None, **filters: Any) -> Any:
    key = request.state.api_key
    try:
        return await api.list_page(name, filters, given=request.query_params, limit=limit, cursor=cursor,
                                   personal=key["personal_data"], secret=settings.secret_key)
    except api.BadRequest as exc:
        raise ClientException(str(exc)) from None


class ApiV1Controller(Controller):
    """What every controller of /api/v1 shares: the path, the API key guard, and its place in the
    published OpenAPI schema. Subclass it for each part of the API (no routes of its own)."""

    path = "/api/v1"
    guards = [api_key_guard]
    include_in_schema = True
    security = [{"bearer": []}]
    tags = ["v1"]


class ApiController(ApiV1Controller):
    """Read-only collections, each ordered by id and paged with an opaque cursor."""

    @get("/events", name="api.events", responses=ERROR_RESPONSES)
    async def events(self, request: Request, settings: NamedDependency[Settings],
                     district: Annotated[DISTRICT | None, _q("District code, e.g. dhaka.")] = None,
                     kind: Annotated[EVENT_KIND | None, _q("Event kind.")] = None,
                     status: Annotated[EVENT_STATUS | None, _q("Event status.")] = None,
                     course: Annotated[ID, _q("Course id.", ge=1, le=api.MAX_ID)] = None,
                     start_from: Annotated[dt.date | None, _q("Events starting on or after this date.")] = None,
                     start_to: Annotated[dt.date | None, _q("Events starting on or before this date.")] = None,
                     limit: LIMIT = None, cursor: CURSOR = None) -> EventsPage:
        """Events (all statuses unless filtered)."""
        return await _page(request, settings, "events", limit, cursor, district=district, kind=kind, status=status,
                           course=course, start_from=start_from, start_to=start_to)

    @get("/sessions", name="api.sessions", responses=ERROR_RESPONSES)
    async def sessions(self, request: Request, settings: NamedDependency[Settings], event: EVENT = None,
                       starts_from: Annotated[dt.datetime | None, _q(f"Sessions starting {SINCE}.")] = None,
                       starts_to: Annotated[dt.datetime | None, _q("Sessions starting before (RFC 3339, with an "
                                                                   "offset).")] = None,
                       limit: LIMIT = None, cursor: CURSOR = None) -> SessionsPage:
        """Sessions (sittings) of events."""
        return await _page(request, settings, "sessions", limit, cursor, event=event, starts_from=starts_from,
                           starts_to=starts_to)

    @get("/participants", name="api.participants", responses=ERROR_RESPONSES)
    async def participants(self, request: Request,
                           settings: NamedDependency[Settings],
                           district: Annotated[DISTRICT | None, _q("District code.")] = None,
                           gender: Annotated[GENDER | None, _q("Gender.")] = None,
                           stakeholder_type: Annotated[STAKEHOLDER | None,
                                                       _q("Stakeholder type.")] = None,
                           limit: LIMIT = None, cursor: CURSOR = None) -> ParticipantsPage:
        """People. Names, phones and emails only for keys allowed personal data; otherwise ids are pseudonyms."""
        return await _page(request, settings, "participants", limit, cursor, district=district, gender=gender,
                           stakeholder_type=stakeholder_type)

    @get("/registrations", name="api.registrations", responses=ERROR_RESPONSES)
    async def registrations(self, request: Request, settings: NamedDependency[Settings], event: EVENT = None,
                            status: Annotated[REGISTRATION_STATUS | None,
                                              _q("Registration status.")] = None,
                            limit: LIMIT = None, cursor: CURSOR = None) -> RegistrationsPage:
        """Registrations of people in events (participant as id or pseudonym)."""
        return await _page(request, settings, "registrations", limit, cursor, event=event, status=status)

    @get("/check-ins", name="api.check_ins", responses=ERROR_RESPONSES)
    async def check_ins(self, request: Request, settings: NamedDependency[Settings], event: EVENT = None,
                        session: Annotated[ID, _q("Only this session id.", ge=1, le=api.MAX_ID)] = None,
                        since: Annotated[dt.datetime | None, _q(f"Check-ins {SINCE}.")] = None,
                        limit: LIMIT = None, cursor: CURSOR = None) -> CheckInsPage:
        """Check-ins: a registration present at a session."""
        return await _page(request, settings, "check-ins", limit, cursor, event=event, session=session, since=since)

    @get("/certificates", name="api.certificates", responses=ERROR_RESPONSES)
    async def certificates(self, request: Request, settings: NamedDependency[Settings], event: EVENT = None,
                           kind: Annotated[CERTIFICATE_KIND | None, _q("Certificate kind.")] = None,
                           issued_since: Annotated[dt.datetime | None, _q(f"Issued {SINCE}.")] = None,
                           limit: LIMIT = None, cursor: CURSOR = None) -> CertificatesPage:
        """Certificates, revoked ones included (revoked_at set)."""
        return await _page(request, settings, "certificates", limit, cursor, event=event, kind=kind,
                           issued_since=issued_since)

    @get("/test-attempts", name="api.test_attempts", responses=ERROR_RESPONSES)
    async def test_attempts(self, request: Request, settings: NamedDependency[Settings], event: EVENT = None,
                            stage: Annotated[_one_of(api.STAGES) | None, _q("pre or post.")] = None,
                            submitted_since: Annotated[dt.datetime | None, _q(f"Submitted {SINCE}.")] = None,
                            limit: LIMIT = None, cursor: CURSOR = None) -> AttemptsPage:
        """Submitted attempts at events' pre- and post-tests, scored (phone and paper alike)."""
        return await _page(request, settings, "test-attempts", limit, cursor, event=event, stage=stage,
                           submitted_since=submitted_since)

    @get("/feedback-responses", name="api.feedback_responses", responses=ERROR_RESPONSES)
    async def feedback_responses(self, request: Request,
                                 settings: NamedDependency[Settings], event: EVENT = None, limit: LIMIT = None,
                                 cursor: CURSOR = None) -> FeedbackPage:
        """Feedback responses with their ratings; comments for keys allowed personal data."""
        return await _page(request, settings, "feedback-responses", limit, cursor, event=event)

    @get("/evaluation-summary", name="api.evaluation_summary", responses=ERROR_RESPONSES)
    async def evaluation_summary(self, request: Request, settings: NamedDependency[Settings],
                                 date_from: Annotated[dt.date | None, _q("Events starting on or after this date "
                                                                         "(default: 1 January of this year).")] = None,
                                 date_to: Annotated[dt.date | None, _q("Events starting on or before this date "
                                                                       "(default: today).")] = None,
                                 ) -> EvaluationSummary:
        """Did people learn? Pre/post figures and feedback averages of the events held in a period: in all,
        per event, and by participants' district, gender and stakeholder type."""
        unknown = sorted(set(request.query_params) - {"date_from", "date_to"})
        if unknown:
            raise ClientException(f"unknown filter {unknown[0]!r}; this summary filters by date_from, date_to")
        today = clock.today(settings.tz)
        result = await knowledge.period_knowledge(date_from or today.replace(month=1, day=1), date_to or today)
        return knowledge.as_json(result)  # type: ignore[return-value]


class ApiDocsController(Controller):
    """Human-readable API documentation rendered on the server from the OpenAPI schema."""

    path = "/api/v1/docs"
    include_in_schema = False

    @get("/", name="api.docs")
    async def docs(self, request: Request) -> Response:
        """Each endpoint with its parameters' types and allowed values, read from the app's own OpenAPI
        schema; the machine-readable schema is linked."""
        schema = request.app.openapi_schema.to_schema()
        schema_url = request.app.openapi_config.path + "/openapi.json"
        return render(request, "reports/api_docs.html", {"schema": schema, "schema_url": schema_url,
                                                         "operations": api_docs.operations(schema)})


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
        return redirect(request, request.app.route_reverse("reports.api_keys"), _("The key was revoked."))
