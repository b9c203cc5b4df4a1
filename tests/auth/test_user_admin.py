"""The admin's user pages act on the account on the page, never on the admin looking at it."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from portal.auth import services
from portal.auth.tables import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio


@pytest.fixture
async def admin_client(client, create_user, login):
    await login(client, await create_user("admin", name="Head Admin"))
    return client


def form_action(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', html)


def field_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="[a-z]+" id="{name}" name="{name}"[^>]* value="([^"]*)"', html)
    return match.group(1) if match else None


async def can_log_in(client, identifier: str, password: str) -> bool:
    try:
        await services.authenticate(identifier, password, "10.0.0.1")
    except services.DomainError:
        return False
    return True


async def test_new_user_form_is_empty_and_creates(admin_client):
    response = await admin_client.get("/manage/users/new")
    assert response.status_code == 200
    form = response.text.split('<form method="post" action="/manage/users">', 1)[1]
    assert "Head Admin" not in form and "admin" not in form.split('name="role"', 1)[0]  # not the admin's details
    assert field_value(response.text, "name") == ""
    assert 'name="password"' in response.text
    assert form_action(response.text)[-1] == "/manage/users"


@pytest.mark.parametrize("role", ["admin", "coordinator", "organizer", "trainer"])
async def test_edit_form_shows_the_account_on_the_page(admin_client, create_user, role):
    other = await create_user(role, name="Rahim Uddin")
    response = await admin_client.get(f"/manage/users/{other.id}")
    assert response.status_code == 200
    assert field_value(response.text, "name") == "Rahim Uddin"
    assert field_value(response.text, "email") == other.email
    assert f'<option value="{role}" selected>' in response.text
    assert form_action(response.text)[-2:] == [f"/manage/users/{other.id}", f"/manage/users/{other.id}/reset-link"]
    assert 'id="active" name="active" checked' in response.text
    if role == "organizer":  # the chosen districts are said above the long list of boxes
        assert "Chosen: Khulna" in response.text


async def test_admin_creates_an_organizer_with_a_password(admin_client, client):
    response = await admin_client.post("/manage/users", data={
        "name": "Organizer Cumilla", "email": "cumilla@example.org", "role": "organizer",
        "districts": ["cumilla", "noakhali"], "password": PASSWORD})
    assert response.status_code == 303
    row = await User.select().where(User.email == "cumilla@example.org").first()
    assert row["name"] == "Organizer Cumilla" and row["role"] == "organizer"
    assert sorted(row["districts"]) == ["cumilla", "noakhali"]
    assert await can_log_in(client, "cumilla@example.org", PASSWORD)


async def test_admin_creates_a_user_without_a_password_and_gets_a_link(admin_client, client):
    response = await admin_client.post("/manage/users", data={
        "name": "Trainer Tania", "email": "tania@example.org", "role": "trainer"})
    assert response.status_code == 200
    assert "Account made for Trainer Tania" in response.text
    link = re.search(r"http://testserver\.local(/link/[A-Za-z0-9_-]+)", response.text).group(1)
    mail = re.search(r'href="(mailto:[^"]+)"', response.text).group(1).replace("&amp;", "&")
    assert mail.startswith("mailto:tania@example.org?subject=") and link in unquote(mail)
    assert not await can_log_in(client, "tania@example.org", "")
    admin_client.cookies.clear()  # the link is opened by Tania, not by the admin
    admin_client.headers.pop("x-csrftoken")
    page = await admin_client.get(link)
    assert page.status_code == 200 and "Welcome, Trainer Tania" in page.text
    await admin_client.get("/login")
    done = await admin_client.post(link, data={"password": "tania's own password",
                                               "_csrf_token": admin_client.cookies["csrftoken"]})
    assert done.status_code == 303
    assert await can_log_in(client, "tania@example.org", "tania's own password")
    assert (await admin_client.get(link)).status_code == 410  # used once


async def test_admin_deactivates_and_reactivates_another_admin(admin_client, create_user, client):
    other = await create_user("admin", name="Second Admin")
    form = {"name": "Second Admin", "email": other.email, "role": "admin"}
    assert (await admin_client.post(f"/manage/users/{other.id}", data=form)).status_code == 303
    assert not await can_log_in(client, other.email, PASSWORD)
    page = await admin_client.get(f"/manage/users/{other.id}")
    assert "Deactivated" in page.text and field_value(page.text, "name") == "Second Admin"
    assert (await admin_client.post(f"/manage/users/{other.id}", data={**form, "active": "on"})).status_code == 303
    assert await can_log_in(client, other.email, PASSWORD)
    head = await User.select(User.active).where(User.name == "Head Admin").first()
    assert head["active"] is True  # the admin who did it is untouched


async def test_reset_link_is_for_the_account_on_the_page(admin_client, create_user):
    other = await create_user("coordinator", name="Nusrat Jahan")
    response = await admin_client.post(f"/manage/users/{other.id}/reset-link")
    assert response.status_code == 200
    assert "Password link for Nusrat Jahan" in response.text
    token = re.search(r"/link/([A-Za-z0-9_-]+)", response.text).group(1)
    link = await services.link_details(token)
    assert link["user"] == other.id and link["purpose"] == "reset"


async def test_user_pages_in_bangla(admin_client, create_user):
    other = await create_user("organizer", districts=("cumilla",), name="Organizer Cumilla")
    admin_client.cookies.set("lang", "bn")
    listing = await admin_client.get("/manage/users")
    assert listing.status_code == 200 and "ব্যবহারকারী" in listing.text
    form = await admin_client.get(f"/manage/users/{other.id}")
    assert "জেলা" in form.text and "কুমিল্লা" in form.text
    assert field_value(form.text, "name") == "Organizer Cumilla"


async def test_an_organizer_needs_a_district(admin_client):
    response = await admin_client.post("/manage/users", data={
        "name": "Nowhere", "email": "nowhere@example.org", "role": "organizer", "password": PASSWORD})
    assert response.status_code == 422
    assert 'id="districts-error"' in response.text and "at least one district" in response.text
    assert await User.count().where(User.email == "nowhere@example.org") == 0


async def test_service_refuses_an_organizer_without_a_district(create_user):
    admin = await create_user("admin")
    organizer = await create_user("organizer", districts=("sylhet",))
    with pytest.raises(services.ValidationFailed) as excinfo:
        await services.update_user(organizer.id, {"name": "x", "email": organizer.email, "role": "organizer",
                                                  "districts": []}, admin.actor())
    assert "districts" in excinfo.value.errors
    row = await User.select(User.districts).where(User.id == organizer.id).first()
    assert row["districts"] == ["sylhet"]


async def test_other_roles_keep_no_districts(create_user):
    admin = await create_user("admin")
    user_id = await services.create_user({"name": "C", "email": "c@example.org", "role": "coordinator",
                                          "districts": ["sylhet"], "password": PASSWORD}, admin.actor())
    assert (await services.get_user(user_id))["districts"] == []
