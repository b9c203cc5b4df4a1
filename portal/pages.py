"""Pages that belong to no one feature: home, the staff dashboard, the health check.

Like app.py, this module sits above the features and may import any of them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from portal.auth.guards import EVENT_STAFF, current_user, staff
from portal.core import clock
from portal.core.i18n import LANG_COOKIE, LANGUAGES
from portal.core.web import render
from portal.db import all_tables
from portal.events.access import participant_ids
from portal.events.facilitators import services as facilitators
from portal.events.management.services import EventFilter, list_events
from portal.reports import home
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
        """Each role's home (any staff): organizers their districts' day, week and what needs attention;
        coordinators and admins the programme at a glance too; trainers their courses and trainings."""
        user = current_user(request)
        today, now = clock.today(settings.tz), clock.now()
        led = await facilitators.sessions_led(await participant_ids(user), now)
        context = {"today": today, "led": led, "facilitator_roles": facilitators.ROLES,
                   "courses": await _teaching(viewer)}
        if user.role == "trainer":  # the step-down trainings they run (list_events narrows to their own)
            running = (await list_events(user, EventFilter()))[0]
            figures = await home.trainer_figures([e["id"] for e in running])
            return render(request, "home/trainer.html", {**context, "running": running, "figures": figures})
        scope = user.district_scope
        context.update(sessions=await home.today_sessions(today, scope, settings.tz, now),
                       week=await home.week_ahead(today, scope),
                       **await home.attention(today, scope, settings.tz, now, request.app.state.storage))
        if user.role == "organizer":
            return render(request, "home/organizer.html", context)

        def url(name: str, **query: str) -> str:
            return f"{request.app.route_reverse(name)}?{urlencode(query)}"

        context.update(await home.programme(today, settings.tz, url))
        return render(request, "home/coordinator.html", context)

    @get("/manage/today", name="home.today", guards=[EVENT_STAFF])
    async def today_page(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Today's sessions in the user's districts with live present counts (coordinators, admins,
        organizers); the list alone for htmx, which polls it from the home page."""
        today, now = clock.today(settings.tz), clock.now()
        sessions = await home.today_sessions(today, current_user(request).district_scope, settings.tz, now)
        return render(request, "home/today.html", {"sessions": sessions, "today": today},
                      fragment="home/_today.html")


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
