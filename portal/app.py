"""create_app(settings): the one place that wires the portal together."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope

from portal.auth import services as auth_services
from portal.auth.controllers import AuthController, UserAdminController
from portal.auth.middleware import SessionAuthMiddleware
from portal.auth.profile import ProfileController
from portal.certificates import verify as certificate_verify
from portal.certificates.controllers import (
    CertificateController,
    CertificateSettingsController,
    EventCertificateController,
)
from portal.certificates.pool_controllers import PoolController
from portal.certificates.public_controllers import TicketCertificateController, VerifyController
from portal.certificates.trainer_access import provide_viewer
from portal.core import clock, jobs, refusals
from portal.core.errors import DomainError
from portal.core.files import restrict_umask
from portal.core.http import JsonFormatter, RefuseNulMiddleware, StaticFileSystem, wrap_app
from portal.core.i18n import LANG_COOKIE, LanguageMiddleware, choose_language, current_language
from portal.core.i18n import gettext as _
from portal.core.paths import REPO_ROOT
from portal.core.refusals import error_page, wants_html
from portal.core.storage import LocalStorage, Storage, make_storage
from portal.db import bind_engine, make_engine, start_engine, stop_engine
from portal.evaluation.bank_controllers import BankController
from portal.evaluation.event_controllers import EventEvaluationController
from portal.evaluation.participant_controllers import (
    AttemptController,
    FeedbackController,
    TicketTestController,
    VenueTestController,
)
from portal.events import notify as event_notify  # noqa: F401 - registers the reminder job
from portal.events.checkin.controllers import AttendanceController
from portal.events.facilitators.controllers import FacilitatorController
from portal.events.imports import uploads as import_uploads
from portal.events.imports.controllers import DirectoryImportController, ImportController
from portal.events.management.controllers import EventController
from portal.events.management.copying import EventCopyController
from portal.events.management.course_links import CourseEventLinkController, course_events
from portal.events.messaging.controllers import EventMessagesController
from portal.events.participants.controllers import ParticipantController
from portal.events.participants.duplicates_controllers import DuplicatesController, MergesController
from portal.events.registrations.controllers import RegistrationController
from portal.events.selfcheck import services as selfcheck
from portal.events.selfcheck.controllers import SelfCheckInController
from portal.events.signup import services as signup
from portal.events.signup.controllers import SignupController, SignupSwitchController
from portal.events.tickets.controllers import TicketController
from portal.events.tickets.details import TicketDetailsController
from portal.events.tickets.materials import TicketMaterialsController
from portal.events.tickets.rsvp import RsvpController
from portal.messages import outbox
from portal.messages import sender as message_sender  # noqa: F401 - registers the send jobs
from portal.messages.controllers import InboundSmsController, OutboxController, StopController, TemplateController
from portal.pages import HomeController, healthz, language_choice, ping
from portal.reports import jobs as report_jobs
from portal.reports.api_controllers import ApiController, ApiDocsController, ApiKeyController
from portal.reports.audit_controllers import AuditController
from portal.reports.cascade_api import CascadeApiController
from portal.reports.cascade_controllers import CascadeController
from portal.reports.controllers import CalendarController, ReportController
from portal.reports.event_export import EventAttendanceExportController
from portal.reports.summary_controllers import SummaryController
from portal.settings import Settings, provide_settings
from portal.stepdown.controllers import StepDownController
from portal.templating import configure_jinja
from portal.trainings.controllers import CourseController, MaterialAdminController
from portal.trainings.public_controllers import MaterialController, MyCoursesController

log = logging.getLogger("portal")
PURGE_INTERVAL_SECONDS = 6 * 3600
PURGE_FIRST_DELAY_SECONDS = 60

# Files served as they are stored: already compressed (PDF, ZIP, Office, media, woff2 fonts), and
# byte ranges (resumed downloads) must address the stored bytes, not a gzip stream.
NOT_COMPRESSED = [r"^/materials/", r"^/t/[^/]+/materials/", r"^/courses/\d+/pack", r"\.pdf$", r"\.zip$",
                  r"/zip$", r"/print$", r"/pdf$", r"\.woff2$"]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
}


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Friendly pages for 4xx; the login page for anonymous visitors to staff pages."""
    # An unknown path never reaches the route middleware, so the language is chosen here too.
    current_language.set(choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")))
    status = exc.status_code
    if status == 401 and wants_html(request):
        target = request.app.route_reverse("auth.login") + "?next=" + request.url.path
        if request.headers.get("hx-request") == "true":
            return Response(b"", status_code=200, headers={"HX-Redirect": target})
        return Response(b"", status_code=303, headers={"Location": target})
    messages = {
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This address does not accept that kind of request."),
        413: _("The upload is too large."),
    }
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        # Litestar says "Validation failed for GET /path?query"; name the parameters and what was wrong instead.
        detail = "; ".join(f"{item.get('key', '?')}: {item.get('message', 'invalid')}" if isinstance(item, dict)
                           else str(item) for item in exc.extra)
    if status == 403 and "csrf" in detail.lower():
        message = _("This form has expired. Go back, reload the page and try again.")
    elif status == 400 and detail:
        message = _("The request could not be understood: {detail}").format(detail=detail)
    else:
        message = messages.get(status, detail or _("The request could not be completed."))
    response = error_page(request, status, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response:
    """Never a stack trace to the browser; the exception goes to the log with its traceback."""
    log.error("unhandled error", exc_info=exc, extra={"fields": {
        "request_id": request.scope.get("state", {}).get("request_id", ""), "method": request.method,
        "path": request.url.path}})
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR,
                       _("Something went wrong on our side. It has been logged; please try again."))


# Every answer is kept out of shared caches and off the browser's disk unless its route says otherwise:
# staff pages, tickets, sign-in sheets, exports, certificates and one-time links carry names, phones
# and secrets. The routes that say otherwise (README, "Security"): static files (public assets),
# the calendar feeds (public events, 15 minutes) and material files ("private, no-cache": the
# browser may keep its own copy and revalidates it by ETag, so a 50 MB manual is not fetched twice).
DEFAULT_CACHE_CONTROL = "private, no-store"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Headers every response carries, error pages and redirects included; a route may set its own CSP
    and Cache-Control.

    A before_send hook, not after_request: after_request never sees the answers of exception handlers
    (401, 403, 404 pages, the redirect to the login page), nor of paths no route matches."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for key, value in SECURITY_HEADERS.items():
            if key not in headers:
                headers[key] = value
        if "cache-control" not in headers:
            headers["Cache-Control"] = DEFAULT_CACHE_CONTROL


async def _purge(name: str, purge: Callable[[], Awaitable[Any]]) -> None:
    try:
        await purge()
    except Exception:  # noqa: BLE001 - a failed clean-up must not stop the others, the loop or start-up
        log.exception("purging %s failed", name)


async def purge_once(settings: Settings, storage: Storage | None = None) -> None:
    """Every clean-up the stores need (none cleans itself); one failing does not stop the others."""
    storage = storage or LocalStorage(settings.data_dir)
    await _purge("expired sessions", auth_services.purge_expired)
    await _purge("old certificate look-ups", certificate_verify.purge)
    await _purge("expired export files",
                 lambda: report_jobs.housekeeping(storage, settings.export_retention, settings.exports_dir))
    await _purge("import uploads never committed", lambda: import_uploads.purge(storage))
    await _purge("old self check-in attempts", selfcheck.purge)
    await _purge("old public registration attempts", signup.purge)


# A periodic job (portal/core/jobs.py): inline, each web process runs it a minute after start-up (start-up
# stays quick, and a server stopped at once never has a query cut off mid-flight) and every 6 hours;
# through the PostgreSQL queue, one worker runs it every 6 hours for all machines.
@jobs.periodic("portal.purge", every=dt.timedelta(seconds=PURGE_INTERVAL_SECONDS),
               first_after=dt.timedelta(seconds=PURGE_FIRST_DELAY_SECONDS))
async def purge_job(ctx: jobs.JobContext) -> None:
    """The purges as a job."""
    await purge_once(ctx.settings, ctx.storage)


async def _purge_at_start_up() -> None:
    # The verify page's hits of addresses that never came back (one DELETE); export jobs clean up in
    # their own lifespan, sessions wait for the first round of the loop.
    await _purge("old certificate look-ups", certificate_verify.purge)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the portal for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    outbox.configure(settings.base_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = app.state.engine  # from state, so a test can give a built app its own database
        settings = app.state.settings  # the lifespan gets the app, not dependencies
        outbox.configure(settings.base_url)  # the links in messages (a test may give the app other settings)
        await start_engine(engine)
        storage = app.state.storage = make_storage(settings)
        queue = jobs.make_queue(settings, jobs.JobContext(settings, storage))
        await queue.start()
        jobs.bind(queue)
        await _purge_at_start_up()
        try:
            yield
        finally:
            await queue.stop()
            jobs.unbind(queue)
            await storage.close()
            await stop_engine(engine)

    templates = TemplateConfig(
        directory=REPO_ROOT / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=lambda jinja: configure_jinja(jinja.engine, settings),
    )
    app = Litestar(
        route_handlers=[
            HomeController, healthz, language_choice, AuthController, UserAdminController, EventController,
            ParticipantController, CourseController, MaterialAdminController, MyCoursesController, MaterialController,
            CourseEventLinkController, TicketMaterialsController, DuplicatesController,
            MergesController,
            EventCertificateController, CertificateController, CertificateSettingsController, PoolController,
            VerifyController, TicketCertificateController,
            RegistrationController, AttendanceController, TicketController, SelfCheckInController, ping,
            ImportController, DirectoryImportController, ReportController, SummaryController, ApiKeyController,
            ApiController, ApiDocsController,
            CalendarController, BankController, EventEvaluationController, TicketTestController, AttemptController,
            FeedbackController, VenueTestController, OutboxController, TemplateController, StopController,
            InboundSmsController, TicketDetailsController,
            RsvpController, EventMessagesController, SignupController, SignupSwitchController,
            StepDownController, EventAttendanceExportController, EventCopyController, CascadeController,
            FacilitatorController, CascadeApiController, AuditController, ProfileController,
            create_static_files_router(path="/static", directories=[REPO_ROOT / "static"], name="static",
                                       send_as_attachment=False, include_in_schema=False,
                                       file_system=StaticFileSystem()),
        ],
        # `settings`: any handler may take `settings: NamedDependency[Settings]` (portal/settings.py: provide_settings).
        # `viewer`, `course_events`: answers the trainings feature needs from later features (it must not
        # import them).
        dependencies={"settings": Provide(provide_settings, sync_to_thread=False),
                      "viewer": Provide(provide_viewer), "course_events": Provide(course_events)},
        state=State({"settings": settings, "engine": engine, "started_at": clock.now()}),
        lifespan=[lifespan, report_jobs.lifespan],
        template_config=templates,
        plugins=[HTMXPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name="csrftoken", header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies, cookie_httponly=True, cookie_samesite="lax",
            exclude=["/static", "/healthz", "/api/", "^/m/sms/inbound$"],
        ),
        middleware=[
            RefuseNulMiddleware, LanguageMiddleware,
            DefineMiddleware(SessionAuthMiddleware, exclude=["^/static/", "^/healthz", "^/api/"]),
        ],
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=512, gzip_compress_level=6, exclude=NOT_COMPRESSED,
        ),
        exception_handlers={
            HTTPException: http_exception_handler,
            DomainError: refusals.answer,
            HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
        },
        before_send=[add_security_headers],
        logging_config=LoggingConfig(
            log_exceptions="never",
            formatters={"json": {"()": JsonFormatter}},
            handlers={"json": {"class": "logging.StreamHandler", "formatter": "json"}},
            loggers={"portal": {"level": "INFO", "handlers": ["json"], "propagate": False}},
        ),
        request_max_body_size=10 * 1024 * 1024,
        debug=settings.debug,
        # The schema documents the JSON API only: HTML routes are left out here, the API opts back in.
        openapi_config=OpenAPIConfig(title="Training portal API", version="1", path="/api/v1/schema",
                                     render_plugins=[JsonRenderPlugin()], use_handler_docstrings=True,
                                     components=Components(security_schemes={"bearer": SecurityScheme(
                                         type="http", scheme="bearer", description="An API key from an admin")})),
        include_in_schema=False,
    )
    wrap_app(app)
    return app


# The collector's full passes were the long tail of a busy server: at 32 concurrent scans p99 was
# ~80 ms with the defaults and ~40 ms with this (bench/checkin.py). Objects made while starting (the
# app, routes, templates' modules) are frozen out of every pass, and young objects are collected
# every 20,000 allocations instead of 700. A server process only: tests keep the defaults.
GC_THRESHOLDS = (20_000, 50, 100)


def app_from_env() -> Litestar:
    """Factory for ASGI servers (`uvicorn --factory portal.app:app_from_env`)."""
    restrict_umask()  # the files a server process creates are private (portal/core/files.py)
    app = create_app(Settings.from_env())
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app


