"""Login, logout, one-time links, and the admin's user pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from portal.auth import services, throttle
from portal.auth.guards import ADMINS, current_user
from portal.auth.middleware import SESSION_COOKIE
from portal.core.districts import DISTRICTS
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.messages.providers import providers_for
from portal.settings import Settings


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would make phishing links look like ours."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/manage"


def _session_cookie(request: Request, settings: Settings, token: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value=token, max_age=max_age, path="/", httponly=True, samesite="lax",
        secure=settings.secure_cookies,
    )


async def _login_response(request: Request, settings: Settings, user: services.CurrentUser, next_url: str) -> Response:
    # A fresh session id at every login; the old one (if any) is ended.
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await services.end_session(old)
    token = await services.start_session(user.id, client_ip(request), request.headers.get("user-agent", ""))
    response = redirect(request, _safe_next(next_url), _("Welcome, {name}.").format(name=user.name))
    response.cookies.append(_session_cookie(request, settings, token, int(services.SESSION_LIFETIME.total_seconds())))
    return response


async def _link_account(link: dict) -> dict | None:
    """The account a welcome or reset link is for (None for the first admin's set-up link)."""
    return await services.get_user(link["user"]) if link["user"] else None


class AuthController(Controller):
    """Public pages to sign in and out."""

    @get("/login", name="auth.login")
    async def login_page(
        self, request: Request, next_url: Annotated[str, QueryParameter(name="next")] = ""
    ) -> Response:
        """The login form."""
        if current_user(request):
            return redirect(request, _safe_next(next_url))
        return render(request, "auth/login.html", {"next": next_url, "errors": {}, "identifier": ""})

    @post("/login", name="auth.login.submit")
    async def login(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Check the credentials; re-render with a message on failure."""
        form = form_dict(await request.form())
        identifier, next_url = str(form.get("identifier", "")), str(form.get("next", ""))
        secret = settings.secret_key
        known_user = throttle.device_user(secret, request.cookies.get(throttle.DEVICE_COOKIE))
        try:
            user = await services.authenticate(identifier, str(form.get("password", "")), client_ip(request),
                                               known_user=known_user)
        except DomainError as exc:
            response = render(
                request, "auth/login.html",
                {"next": next_url, "identifier": identifier, "errors": {"form": exc.message}},
                status_code=exc.status_code if exc.code == "locked" else 400,
            )
            if isinstance(exc, throttle.LoginThrottled):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        response = await _login_response(request, settings, user, next_url)
        if known_user != user.id:  # this browser is now one the account is known at (login throttling)
            response.cookies.append(Cookie(
                key=throttle.DEVICE_COOKIE, value=throttle.device_cookie_value(secret, user.id),
                max_age=throttle.DEVICE_COOKIE_AGE, path="/login", httponly=True, samesite="lax",
                secure=settings.secure_cookies))
        return response

    @post("/logout", name="auth.logout")
    async def logout(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """End the session on the server and clear the cookie."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await services.end_session(token)
        response = redirect(request, request.app.route_reverse("auth.login"), _("You are logged out."))
        response.cookies.append(_session_cookie(request, settings, "", 0))
        return response

    @get("/forgot", name="auth.forgot")
    async def forgot_page(self, request: Request) -> Response:
        """Ask for a link to choose a new password."""
        return render(request, "auth/forgot.html", {"errors": {}, "identifier": "", "done": False})

    @post("/forgot", name="auth.forgot.submit")
    async def forgot(self, request: Request) -> Response:
        """Send a reset link to the account's email (or phone), if there is such an account; the answer is
        the same either way."""
        form = form_dict(await request.form())
        identifier = str(form.get("identifier", ""))[:254]
        try:
            await services.forgot_password(identifier, client_ip(request))
        except services.TooManyRequests as exc:
            return render(request, "auth/forgot.html", {"errors": {"form": exc.message}, "identifier": identifier,
                                                        "done": False}, status_code=429)
        return render(request, "auth/forgot.html", {"errors": {}, "identifier": "", "done": True})

    @get("/link/{token:str}", name="auth.link")
    async def link_page(self, request: Request, token: FromPath[str]) -> Response:
        """Set a password through a one-time link (first admin, or a reset)."""
        try:
            link = await services.link_details(token)
        except DomainError as exc:
            return render(request, "errors/error.html", {"status": 410, "message": exc.message}, status_code=410)
        return render(request, "auth/link.html", {"link": link, "token": token, "errors": {}, "form": {},
                                                  "account": await _link_account(link)})

    @post("/link/{token:str}", name="auth.link.submit")
    async def link_submit(self, request: Request,
                          settings: NamedDependency[Settings], token: FromPath[str]) -> Response:
        """Use the link; log the person in."""
        form = form_dict(await request.form())
        try:
            link = await services.link_details(token)
            user = await services.use_link(token, form, client_ip(request))
        except ValidationFailed as exc:
            return render(
                request, "auth/link.html", {"link": link, "token": token, "errors": exc.errors, "form": form,
                                            "account": await _link_account(link)},
                status_code=422,
            )
        except DomainError as exc:
            return render(request, "errors/error.html", {"status": 410, "message": exc.message}, status_code=410)
        return await _login_response(request, settings, user, "/manage")


USER_FORM_LISTS = ("districts",)
ROLE_LABELS = {"admin": N_("Admin"), "coordinator": N_("Coordinator"), "organizer": N_("Organizer"),
               "trainer": N_("Trainer")}


def _mail_link(account: dict, url: str, purpose: str) -> str:
    """A mailto: address that opens the admin's mail program with the link written out (when the account
    has an email address)."""
    if not account.get("email"):
        return ""
    if purpose == "welcome":
        subject = _("Your account on the training portal")
        body = _("Hello {name},\n\nan account on the training portal was made for you. Open this link to choose "
                 "your password (it works once, for 3 days):\n\n{url}\n").format(name=account["name"], url=url)
    else:
        subject = _("Choose a new password for the training portal")
        body = _("Hello {name},\n\nopen this link to choose a new password (it works once, for 3 days):"
                 "\n\n{url}\n").format(name=account["name"], url=url)
    query = urlencode({"subject": subject, "body": body}, quote_via=quote)
    return f"mailto:{quote(account['email'], safe='@')}?{query}"


class UserAdminController(Controller):
    """The admin's pages to create, edit, deactivate and reactivate staff accounts and hand out links to
    choose a password. The account on a page is `account`; the admin looking at it is `current_user()`."""

    path = "/manage/users"
    guards = [ADMINS]

    @get("/", name="auth.users.list")
    async def list_users(self, request: Request) -> Response:
        """All staff accounts."""
        return render(request, "auth/users.html", {"users": await services.list_users(), "role_labels": ROLE_LABELS})

    def _form(self, request: Request, account: dict, errors: dict, status: int = 200) -> Response:
        return render(
            request, "auth/user_form.html",
            {"account": account, "errors": errors, "roles": ROLE_LABELS, "districts": DISTRICTS},
            status_code=status,
        )

    def _link_page(self, request: Request, settings: Settings, account: dict, token: str, purpose: str) -> Response:
        url = settings.base_url + request.app.route_reverse("auth.link", token=token)
        channel = "email" if account.get("email") else "sms" if account.get("phone") else ""
        response = render(request, "auth/reset_link.html", {
            "account": account, "url": url, "purpose": purpose, "mail": _mail_link(account, url, purpose),
            "sent_to": account.get("email") or account.get("phone") or "", "channel": channel,
            "delivered": channel in providers_for(settings)})
        response.headers["Cache-Control"] = "no-store"  # the page shows a live one-time link
        return response

    @get("/new", name="auth.users.new")
    async def new_user(self, request: Request) -> Response:
        """Empty user form."""
        return self._form(request, {"role": "organizer", "districts": [], "active": True}, {})

    @post("/", name="auth.users.create")
    async def create_user(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """Create a user: with the password typed here, or without one and a link for them to choose it."""
        form = form_dict(await request.form(), USER_FORM_LISTS)
        actor = current_user(request).actor(client_ip(request))
        try:
            user_id = await services.create_user(form, actor, password_required=False)
        except ValidationFailed as exc:
            return self._form(request, {**form, "active": True}, exc.errors, 422)
        if form.get("password"):
            return redirect(request, request.app.route_reverse("auth.users.list"), _("User created."))
        token = await services.create_link("welcome", user_id, actor, send=True)
        return self._link_page(request, settings, await services.get_user(user_id), token, "welcome")

    @get("/{user_id:int}", name="auth.users.edit")
    async def edit_user(self, request: Request, user_id: FromPath[int]) -> Response:
        """Edit form for one user."""
        return self._form(request, await services.get_user(user_id), {})

    @post("/{user_id:int}", name="auth.users.update")
    async def update_user(self, request: Request, user_id: FromPath[int]) -> Response:
        """Save changes to a user (ticking off "Active" deactivates them and ends their sessions)."""
        form = form_dict(await request.form(), USER_FORM_LISTS)
        form.setdefault("active", "off")
        try:
            await services.update_user(user_id, form, current_user(request).actor(client_ip(request)))
        except ValidationFailed as exc:
            account = await services.get_user(user_id)
            return self._form(request, {**account, **form, "active": form["active"] == "on"}, exc.errors, 422)
        return redirect(request, request.app.route_reverse("auth.users.list"), _("User saved."))

    @post("/{user_id:int}/reset-link", name="auth.users.reset")
    async def reset_link(self, request: Request,
                         settings: NamedDependency[Settings], user_id: FromPath[int]) -> Response:
        """Make a one-time link for the user to choose a new password."""
        account = await services.get_user(user_id)
        purpose = "reset" if await services.has_password(user_id) else "welcome"
        token = await services.create_link(purpose, user_id, current_user(request).actor(client_ip(request)),
                                           send=True)
        return self._link_page(request, settings, account, token, purpose)
