"""A staff member's own settings (/manage/profile): for now the language of the staff pages.

The header's language switch posts here too when someone is logged in, so the choice follows the person
to every browser they log in from (participants' choice stays a cookie: they have no account)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from portal.auth import services
from portal.auth.controllers import ROLE_LABELS
from portal.auth.guards import current_user, staff
from portal.core.errors import ValidationFailed
from portal.core.i18n import LANG_COOKIE, current_language
from portal.core.i18n import gettext as _
from portal.core.web import form_dict, redirect, render
from portal.settings import Settings


def _safe_target(target: str | None, default: str) -> str:
    target = target or default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


class ProfileController(Controller):
    """The signed-in person's profile and language preference."""

    path = "/manage/profile"
    guards = [staff]

    @get("/", name="profile")
    async def profile(self, request: Request) -> Response:
        """Who I am, and the language I read the portal in."""
        return render(request, "auth/profile.html", {"errors": {}, "role_labels": ROLE_LABELS})

    @post("/language", name="profile.language")
    async def set_language(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Save the language on the account (and in the cookie), then go back to the page."""
        form = form_dict(await request.form())
        user = current_user(request)
        code = str(form.get("language", ""))
        try:
            await services.set_language(user.id, code)
        except ValidationFailed as exc:
            return render(request, "auth/profile.html", {"errors": exc.errors, "role_labels": ROLE_LABELS},
                          status_code=422)
        current_language.set(code)  # the flash below is read in the new language
        target = _safe_target(form.get("next"), request.app.route_reverse("profile"))
        response = redirect(request, target, _("Language saved: the portal will speak {language} to you.").format(
            language=_("Bangla") if code == "bn" else _("English")))
        response.cookies.append(Cookie(key=LANG_COOKIE, value=code, max_age=365 * 24 * 3600, path="/",
                                       samesite="lax", httponly=True,
                                       secure=settings.secure_cookies))
        return response
