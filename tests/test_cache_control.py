"""No private answer may be cached (issue 13, item 6): every route of the app (the route list of
tests/test_access.py, which the suite holds equal to the app's), GET and POST, as each role, answers
with `Cache-Control: ... no-store`, apart from the documented exceptions below (README, "Security").
Token-scoped pages are also fetched with real tokens, so their 200s are looked at, not only 404s."""

from __future__ import annotations

import pytest

from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from tests.factories import ticket_token
from tests.test_access import ACCESS, FORMS, ROLES, fill, world  # noqa: F401 - world is a fixture used here

pytestmark = pytest.mark.anyio

# Route -> the Cache-Control it may send instead of no-store, when it serves its content (its error
# answers are no-store like any other).
EXCEPTIONS = {
    "/static/{file_path:path}": {"public, max-age=31536000, immutable", "no-cache"},  # public assets
    "/calendar.ics": {"public, max-age=900"},  # published events only
    "/calendar/{filename:str}": {"public, max-age=900"},
    "/materials/versions/{version_id:int}": {"private, no-cache"},  # revalidated by ETag, never shared
}


def cache_problem(path: str, response) -> str:
    """What is wrong with one answer's Cache-Control ('' when nothing)."""
    value = response.headers.get("cache-control", "")
    if "no-store" in value.replace(" ", "").split(","):
        return ""
    if value in EXCEPTIONS.get(path, ()) and response.status_code < 400:
        return ""
    return f"{response.request.method} {path} -> {response.status_code}: Cache-Control {value!r}"


@pytest.mark.parametrize("role", ROLES)
async def test_every_answer_of_every_route_is_kept_out_of_caches(client, world, role):  # noqa: F811
    users, params = world
    if role != "anonymous":
        client.cookies[SESSION_COOKIE] = await auth_services.start_session(users[role].id)
    csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    problems, served = [], 0
    # GETs first: some POSTs change the world (a session deleted, a status changed).
    for method, path in sorted(ACCESS, key=lambda key: (key[0] == "POST", key)):
        url = fill(path, params)
        if method == "POST":
            response = await client.post(url, data={**FORMS.get(path, {}), "_csrf_token": csrf})
        else:
            response = await client.request(method, url)
        served += response.status_code == 200
        problems.append(cache_problem(path, response))
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)
    assert served >= 10


async def test_token_pages_with_real_tokens_are_kept_out_of_caches(client, world):  # noqa: F811
    users, params = world
    token = await ticket_token(params["registration_id"])
    link = await auth_services.create_link("reset", users["trainer"].id, users["admin"].actor())
    paths = [f"/t/{token}", f"/t/{token}/ticket.pdf", f"/t/{token}/materials",
             f"/t/{token}/certificate/{params['serial']}", f"/link/{link}", f"/verify/{params['code']}"]
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not cache_problem(path, response), cache_problem(path, response)


async def test_the_sweep_would_catch_a_missing_header():
    class Answer:
        status_code = 200
        headers = {"cache-control": "max-age=60"}

        class request:  # noqa: N801 - shaped like httpx's
            method = "GET"

    assert cache_problem("/manage", Answer())
    Answer.headers = {}
    assert cache_problem("/manage", Answer())
    Answer.headers = {"cache-control": "private, no-cache"}
    assert cache_problem("/manage", Answer()) and not cache_problem("/materials/versions/{version_id:int}", Answer())
