import pytest

from portal.auth.middleware import SESSION_COOKIE
from portal.auth.tables import LoginSession, User
from portal.auth.throttle import MAX_FAILURES_PER_ACCOUNT_ADDRESS
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio


async def post_login(client, identifier, password, next_url=""):
    await client.get("/login")
    return await client.post("/login", data={"identifier": identifier, "password": password, "next": next_url,
                                             "_csrf_token": client.cookies["csrftoken"]})


async def test_login_sets_an_httponly_session_cookie_and_goes_to_next(client, create_user):
    user = await create_user("organizer")
    response = await post_login(client, user.email, PASSWORD, "/manage/events")
    assert response.status_code == 303
    assert response.headers["location"] == "/manage/events"
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_login_refuses_offsite_next(client, create_user):
    user = await create_user("organizer")
    response = await post_login(client, user.email, PASSWORD, "//evil.example/")
    assert response.headers["location"] == "/manage"


async def test_wrong_password_rerenders_the_form_with_a_message(client, create_user):
    user = await create_user("organizer")
    response = await post_login(client, user.email, "wrong password")
    assert response.status_code == 400
    assert "not right" in response.text
    assert f'value="{user.email}"' in response.text


async def test_locked_account_gets_429_and_a_clear_message(client, create_user):
    user = await create_user("organizer")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        await post_login(client, user.email, "wrong password")
    response = await post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


async def test_login_rotates_the_session_and_logout_ends_it(client, create_user):
    user = await create_user("organizer")
    await post_login(client, user.email, PASSWORD)
    first = client.cookies[SESSION_COOKIE]
    await post_login(client, user.email, PASSWORD)
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert await LoginSession.count() == 1
    response = await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    assert response.status_code == 303
    assert await LoginSession.count() == 0
    client.cookies[SESSION_COOKIE] = second
    assert (await client.get("/manage")).status_code == 303


async def test_staff_page_sends_anonymous_visitors_to_login_with_next(client):
    response = await client.get("/manage/events?district=sylhet")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/manage/events"


async def test_htmx_request_for_staff_page_gets_hx_redirect(client):
    response = await client.get("/manage/events", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


async def test_admin_creates_and_deactivates_a_user(client, create_user, login):
    await login(client, await create_user("admin"))
    response = await client.post("/manage/users", data={
        "name": "Organizer Sylhet", "email": "sylhet@example.org", "role": "organizer", "districts": ["sylhet"],
        "password": "long enough password"})
    assert response.status_code == 303
    row = await User.select().where(User.email == "sylhet@example.org").first()
    assert row["districts"] == ["sylhet"]
    response = await client.post(f"/manage/users/{row['id']}", data={
        "name": "Organizer Sylhet", "email": "sylhet@example.org", "role": "organizer", "districts": ["sylhet"]})
    assert response.status_code == 303
    assert (await User.select(User.active).where(User.id == row["id"]).first())["active"] is False


async def test_user_form_errors_are_shown_by_the_field(client, create_user, login):
    await login(client, await create_user("admin"))
    response = await client.post("/manage/users", data={"name": "", "email": "bad", "role": "organizer",
                                                        "password": "short"})
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and 'aria-describedby="email-error"' in response.text
    assert await User.count() == 1


async def test_reset_link_page_shows_a_one_time_link(client, create_user, login):
    await login(client, await create_user("admin"))
    other = await create_user("trainer")
    response = await client.post(f"/manage/users/{other.id}/reset-link")
    assert response.status_code == 200
    assert "http://testserver.local/link/" in response.text


async def test_setup_link_creates_the_first_admin(client, db):
    from portal.auth.services import ensure_first_admin

    token = await ensure_first_admin("", "")
    page = await client.get(f"/link/{token}")
    assert page.status_code == 200 and "Set up the portal" in page.text
    response = await client.post(f"/link/{token}", data={
        "name": "First Admin", "email": "first@example.org", "password": "x" * 12,
        "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303
    assert (await User.select(User.role).first())["role"] == "admin"
    assert (await client.get(f"/link/{token}")).status_code == 410
