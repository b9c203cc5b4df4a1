"""The staff language preference: saved on the account from the profile or the header switch, and used on
every staff page from any browser the person logs in from."""

from __future__ import annotations

import httpx
import pytest

from portal.auth.tables import User

pytestmark = pytest.mark.anyio


async def test_the_choice_is_saved_on_the_account_and_follows_the_person(app, client, login, create_user):
    organizer = await create_user("organizer", districts=("dhaka",))
    await login(client, organizer)
    page = await client.get("/manage/profile/")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    saved = await client.post("/manage/profile/language", data={"language": "bn", "next": "/manage/events/"})
    assert saved.status_code == 303 and saved.headers["location"] == "/manage/events/"
    assert (await User.select(User.language).where(User.id == organizer.id).first())["language"] == "bn"
    # Another browser, no cookie, English preferred: the account's choice wins once logged in.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                 headers={"Accept-Language": "en"}) as other:
        assert '<html lang="en">' in (await other.get("/login")).text
        await login(other, organizer)
        events = await other.get("/manage/events/")
        assert '<html lang="bn">' in events.text and "অনুষ্ঠান" in events.text
        other.cookies.set("lang", "en")
        assert '<html lang="bn">' in (await other.get("/manage/events/")).text
        await other.post("/manage/profile/language", data={"language": "en", "next": "/manage/events/"})
        assert '<html lang="en">' in (await other.get("/manage/events/")).text


async def test_the_header_switch_for_staff_is_a_form_that_saves(client, login, create_user):
    await login(client, await create_user("trainer"))
    page = (await client.get("/manage/profile/")).text
    assert 'action="/manage/profile/language"' in page and 'name="language" value="bn"' in page
    response = await client.post("/manage/profile/language", data={"language": "bn", "next": "/manage/profile/"})
    assert response.status_code == 303
    after = await client.get("/manage/profile/")
    assert "আমার প্রোফাইল" in after.text and 'name="language" value="en"' in after.text


async def test_bad_language_and_bad_target(client, login, create_user):
    await login(client, await create_user("coordinator"))
    bad = await client.post("/manage/profile/language", data={"language": "fr"})
    assert bad.status_code == 422 and "Choose a language from the list." in bad.text
    offsite = await client.post("/manage/profile/language", data={"language": "en", "next": "//evil.example/"})
    assert offsite.headers["location"] == "/manage/profile"


async def test_anonymous_visitors_keep_the_cookie_link(client):
    assert (await client.get("/manage/profile/")).status_code in (303, 401)
    login_page = (await client.get("/login")).text
    assert 'href="/lang/bn?next=' in login_page and "/manage/profile/language" not in login_page
