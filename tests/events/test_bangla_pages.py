"""The participant's pages in Bangla: wording, Bangla digits and district, lang= on English text,
errors in Bangla tied to their field, and no script on pages that need none."""

from __future__ import annotations

import pytest

from portal.core import clock as portal_clock
from portal.core.i18n import format_when
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import Participant
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio


@pytest.fixture
def bangla(client):
    client.cookies["lang"] = "bn"
    return client


async def test_ticket_page_in_bangla(bangla, registration):
    await Participant.update({Participant.name_bn: "রহিমা বেগম"}).where(Participant.name == "Rahima Begum")
    page = (await bangla.get(f"/t/{registration['ticket_token']}")).text
    assert '<html lang="bn">' in page
    assert "সেশন ও আপনার উপস্থিতি" in page and "চেক-ইন হয়নি" in page and "অংশগ্রহণকারী" in page
    day = format_when(portal_clock.today(PORTAL_TZ), "%d %b %Y", "bn")  # the event starts today
    assert day in page and "খুলনা" in page and "দিন ১" in page
    # The English title and name are marked English; the Bangla name needs no mark on a Bangla page.
    assert '<h1 lang="en">Khulna workshop</h1>' in page
    assert '<strong lang="en">Rahima Begum</strong><br><span>রহিমা বেগম</span>' in page
    assert "<script" not in page


async def test_bangla_name_is_marked_on_an_english_page(client, registration):
    await Participant.update({Participant.name_bn: "রহিমা বেগম"}).where(Participant.name == "Rahima Begum")
    page = (await client.get(f"/t/{registration['ticket_token']}")).text
    assert '<span lang="bn">রহিমা বেগম</span>' in page and "<h1>Khulna workshop</h1>" in page


async def test_unknown_ticket_in_bangla(bangla):
    response = await bangla.get("/t/no-such-ticket-token-here")
    assert response.status_code == 404 and "টিকিট পাওয়া যায়নি" in response.text


async def test_self_check_in_refusal_is_in_bangla_and_tied_to_the_field(bangla, app, session_id, registration):
    code = selfcheck.code_for(app.state.settings.secret_key, session_id, portal_clock.now().timestamp())
    landing = await bangla.get(f"/c/{session_id}/{code}")
    assert "মোবাইল নম্বর দিয়ে চেক-ইন" in landing.text and "<script" not in landing.text
    response = await bangla.post(f"/c/{session_id}/{code}", data={
        "how": "phone", "phone": "12345", "_csrf_token": bangla.cookies["csrftoken"]})
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="phone-error"' in response.text
    assert '<p class="field-error" id="phone-error">এই মোবাইল নম্বরটি সঠিক নয় (বাংলাদেশের মোবাইল নম্বরে ১১টি' \
           ' অঙ্ক থাকে: 01XXXXXXXXX)।</p>' in response.text


async def test_expired_code_is_refused_in_bangla(bangla, app, session_id):
    code = selfcheck.code_for(app.state.settings.secret_key, session_id, portal_clock.now().timestamp() - 120)
    response = await bangla.get(f"/c/{session_id}/{code}")
    assert response.status_code == 422 and "এই কোডের মেয়াদ শেষ" in response.text


async def test_typed_code_with_bangla_digits_is_accepted(bangla, app, session_id):
    short = selfcheck.short_code_for(app.state.settings.secret_key, session_id, portal_clock.now().timestamp())
    typed = short.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    await bangla.get("/c")
    response = await bangla.post("/c", data={"code": typed, "_csrf_token": bangla.cookies["csrftoken"]})
    assert response.status_code == 200 and "মোবাইল নম্বর দিয়ে চেক-ইন" in response.text
