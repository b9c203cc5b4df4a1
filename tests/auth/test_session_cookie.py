"""The login session cookie and its neighbours: HttpOnly and SameSite always, Secure behind HTTPS (and only
there, or login over plain http would break), a fresh id at every login whatever the browser held, and a
logout that ends the session on the server and clears the cookie."""

from __future__ import annotations

import dataclasses
from http.cookies import SimpleCookie

import httpx
import pytest

from portal.app import create_app
from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from portal.auth.tables import LoginSession
from portal.db import is_sqlite
from portal.events.tickets.cookie import TICKET_COOKIE
from tests.factories import make_event_with_sessions, make_registration, ticket_token
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio


def set_cookies(response: httpx.Response) -> dict[str, dict]:
    """name -> attributes of every Set-Cookie header (attribute names lower-case; flags map to True)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            attributes = {key: value for key, value in morsel.items() if value}
            flags = {part.strip().lower() for part in header.split(";")[1:]}
            attributes.update(secure="secure" in flags, httponly="httponly" in flags)
            found[name] = {"value": morsel.value, **attributes}
    return found


async def log_in(client: httpx.AsyncClient, user) -> httpx.Response:
    client.headers.pop("x-csrftoken", None)
    await client.get("/login")
    response = await client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return response


async def walk(client: httpx.AsyncClient, user) -> dict[str, dict]:
    """Every cookie the portal sets on a visit: CSRF, session, flash, language, ticket, and logout's clearing."""
    seen: dict[str, list[dict]] = {}

    def note(response: httpx.Response) -> None:
        for name, attributes in set_cookies(response).items():
            seen.setdefault(name, []).append(attributes)

    note(await client.get("/login"))
    note(await log_in(client, user))
    note(await client.get("/manage"))  # shows, then clears, the welcome flash
    note(await client.get("/lang/bn?next=/manage"))
    event_id, _ = await make_event_with_sessions(days=1)
    note(await client.get(f"/t/{await ticket_token(await make_registration(event_id))}"))
    note(await client.post("/logout"))
    return seen


async def test_cookies_are_httponly_samesite_and_not_secure_over_plain_http(client, create_user):
    seen = await walk(client, await create_user("coordinator"))
    assert {"csrftoken", SESSION_COOKIE, "flash", "lang", TICKET_COOKIE} <= seen.keys()
    for name, versions in seen.items():
        for attributes in versions:
            assert attributes["httponly"] and attributes["samesite"].lower() == "lax", (name, attributes)
            assert not attributes["secure"], (name, attributes)  # http://127.0.0.1:8000 must still log in


@pytest.fixture
async def https_client(settings, db):
    """The portal as served behind HTTPS (PORTAL_BASE_URL https://..., so PORTAL_SECURE_COOKIES defaults on)."""
    app = create_app(dataclasses.replace(settings, base_url="https://portal.example.org", secure_cookies=True))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://portal.example.org") as client:
            yield client
    if is_sqlite(app.state.engine):
        await app.state.engine.close_shared()


async def test_every_cookie_is_secure_behind_https(https_client, create_user):
    seen = await walk(https_client, await create_user("coordinator"))
    assert {"csrftoken", SESSION_COOKIE, "flash", "lang", TICKET_COOKIE} <= seen.keys()
    for name, versions in seen.items():
        for attributes in versions:
            assert attributes["secure"] and attributes["httponly"], (name, attributes)


async def test_login_replaces_a_session_id_the_browser_already_held(client, create_user):
    """Session fixation: an id planted before login (by a shared computer, a crafted link) is never the
    one the login uses, and it is worthless afterwards."""
    user = await create_user("organizer")
    for planted in (await auth_services.start_session(user.id), "chosen-by-an-attacker"):  # live, or made up
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
        issued = set_cookies(await log_in(client, user))[SESSION_COOKIE]["value"]
        assert issued != planted and await auth_services.user_for_session(issued) is not None
        assert await auth_services.user_for_session(planted) is None


async def test_session_cookie_lives_as_long_as_the_session_and_is_site_wide(client, create_user):
    cookie = set_cookies(await log_in(client, await create_user("organizer")))[SESSION_COOKIE]
    assert int(cookie["max-age"]) == int(auth_services.SESSION_LIFETIME.total_seconds())
    assert cookie["path"] == "/" and "domain" not in cookie


async def test_logout_clears_the_cookie_and_ends_the_session_on_the_server(client, create_user):
    await log_in(client, await create_user("organizer"))
    token = client.cookies[SESSION_COOKIE]
    response = await client.post("/logout")
    cleared = set_cookies(response)[SESSION_COOKIE]
    assert cleared["value"] == "" and int(cleared["max-age"]) == 0
    assert await LoginSession.count() == 0
    client.cookies[SESSION_COOKIE] = token  # a copy kept by anyone is worthless
    assert (await client.get("/manage")).headers["location"].startswith("/login")
