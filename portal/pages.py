"""Pages that belong to no one feature: home, the staff dashboard, the health check.

Like app.py, this module sits above the features and may import any of them.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from portal.auth.guards import current_user, staff
from portal.certificates.trainer_access import participant_ids
from portal.core import clock
from portal.core.i18n import LANG_COOKIE, LANGUAGES
from portal.core.web import render
from portal.db import all_tables
from portal.events.facilitators import services as facilitators
from portal.events.management.services import EventFilter, list_events
from portal.settings import Settings
from portal.trainings import materials
from portal.trainings import services as trainings
from portal.trainings.materials import Viewer


class HomeController(Controller):
    """The front door."""

    @get("/", name="home")
    async def home(self, request: Request) -> Response:
        """Staff go to their dashboard; everyone else sees what the portal is."""
        if current_user(request):
            return Redirect(path=request.app.route_reverse("dashboard"), status_code=303)
        return render(request, "home.html")

    @get("/manage", name="dashboard", guards=[staff])
    async def dashboard(self, request: Request, viewer: NamedDependency[Viewer],
                        settings: NamedDependency[Settings]) -> Response:
        """The staff landing page: what is coming up, and the courses a trainer teaches."""
        user = current_user(request)
        today = clock.today(settings.tz)
        upcoming: list = []
        if user.has_role("coordinator", "organizer"):
            rows, _ = await list_events(user, EventFilter(date_from=today))
            upcoming = sorted(rows, key=lambda r: r["start_date"])[:10]
        running: list = []
        if user.role == "trainer":  # the step-down trainings they run (list_events narrows to their own)
            running = (await list_events(user, EventFilter()))[0]
        led = await facilitators.sessions_led(await participant_ids(user), clock.now())
        return render(request, "dashboard.html", {"upcoming": upcoming, "today": today, "running": running,
                                                  "led": led, "facilitator_roles": facilitators.ROLES,
                                                  "courses": await _teaching(viewer)})


async def _teaching(viewer: Viewer) -> list[dict]:
    """The courses this person teaches, each with how many of its files are new or updated for them
    (none for coordinators and admins, who see every course under "Courses")."""
    if viewer.sees_all or not viewer.trainer_courses:
        return []
    courses = await trainings.list_courses(set(viewer.trainer_courses))
    for course in courses:
        items = await materials.list_materials(course["id"], viewer)
        course["changed"] = sum(1 for item in items if item["changed"])
    return courses


@get("/lang/{code:str}", name="language")
async def language_choice(request: Request, code: FromPath[str], settings: NamedDependency[Settings]) -> Response:
    """Remember a language choice for a year and go back to the page the person was on."""
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    if code not in LANGUAGES:
        return Redirect(path=target, status_code=303)
    cookie = Cookie(key=LANG_COOKIE, value=code, max_age=365 * 24 * 3600, path="/", samesite="lax",
                    httponly=True, secure=settings.secure_cookies)
    return Redirect(path=target, status_code=303, cookies=[cookie])


@get("/healthz", name="healthz", exclude_from_auth=True, exclude_from_csrf=True)
async def healthz() -> Response:
    """200 when the database answers; 503 otherwise (for load balancers and scripts)."""
    try:
        await all_tables()[0].raw("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return Response({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
    return Response({"status": "ok"})


@get("/ping", name="ping", exclude_from_csrf=True, media_type="text/plain")
async def ping() -> str:
    """A bare route with no database query: the baseline the benchmarks compare routes with."""
    return "pong"
