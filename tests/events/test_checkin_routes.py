import asyncio
import datetime as dt
import re

import pytest

from portal.core import clock as portal_clock
from portal.events.checkin import services as checkin
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import CheckIn, Registration, Session
from tests.events.conftest import DHAKA  # noqa: F401 - fixtures come from the conftest

pytestmark = pytest.mark.anyio
HX = {"hx-request": "true"}


def window_start() -> dt.datetime:
    """The start of the venue code's 30-second window the portal's clock is in (inside Day 1)."""
    now = portal_clock.now().timestamp()
    return dt.datetime.fromtimestamp(now // selfcheck.WINDOW_SECONDS * selfcheck.WINDOW_SECONDS, dt.UTC)


def url(event_id, session_id, tail=""):
    return f"/manage/events/{event_id}/sessions/{session_id}{tail}"


async def test_registrations_page_lists_people(staff_client, event_id, registration):
    response = await staff_client.get(f"/manage/events/{event_id}/registrations")
    assert response.status_code == 200
    assert "Rahima Begum" in response.text and "<html" in response.text


async def test_registrations_search_fragment_has_only_rows(staff_client, event_id, register_person):
    await register_person(event_id, name="Rahima Begum")
    await register_person(event_id, name="Karim Sheikh")
    response = await staff_client.get(f"/manage/events/{event_id}/registrations?q=karim", headers=HX)
    assert "<html" not in response.text
    assert "Karim Sheikh" in response.text and "Rahima Begum" not in response.text


async def test_new_person_is_added_and_registered_inline(staff_client, event_id):
    response = await staff_client.post(f"/manage/events/{event_id}/registrations/new-person",
                                       data={"name": "Nasima Akter", "phone": "01811-000111", "role": "guest"})
    assert response.status_code == 303
    row = await Registration.select(Registration.role, Registration.participant.name.as_alias("name")).first()
    assert row == {"role": "guest", "name": "Nasima Akter"}


async def test_new_person_with_bad_phone_is_shown_again_with_the_error(staff_client, event_id):
    response = await staff_client.post(f"/manage/events/{event_id}/registrations/new-person",
                                       data={"name": "Nasima Akter", "phone": "12"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and await Registration.count() == 0


async def test_invite_from_directory(staff_client, event_id, create_person):
    person = await create_person(name="Invited Person")
    response = await staff_client.post(f"/manage/events/{event_id}/registrations",
                                       data={"participant_id": str(person), "status": "invited"})
    assert response.status_code == 303
    assert (await Registration.select(Registration.status).first())["status"] == "invited"


async def test_attendance_page_and_fragment(staff_client, event_id, session_id, registration):
    page = await staff_client.get(url(event_id, session_id, "/attendance"))
    fragment = await staff_client.get(url(event_id, session_id, "/attendance?show=absent"), headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "0</strong> of 1 present" in page.text
    assert "<html" not in fragment.text and "Rahima Begum" in fragment.text


async def test_one_tap_check_in_swaps_the_row_and_the_counter(staff_client, event_id, session_id, registration):
    response = await staff_client.post(url(event_id, session_id, f"/attendance/{registration['id']}"), headers=HX)
    assert response.status_code == 200
    assert f'id="att-{registration["id"]}"' in response.text and "Undo" in response.text
    assert "1</strong> of 1 present" in response.text
    assert (await CheckIn.select(CheckIn.method).first())["method"] == "manual"


async def test_check_in_without_javascript_redirects_back(staff_client, event_id, session_id, registration):
    response = await staff_client.post(url(event_id, session_id, f"/attendance/{registration['id']}"))
    assert response.status_code == 303 and response.headers["location"].endswith("/attendance")


async def test_undo_by_htmx(staff_client, event_id, session_id, registration):
    await staff_client.post(url(event_id, session_id, f"/attendance/{registration['id']}"), headers=HX)
    response = await staff_client.post(url(event_id, session_id, f"/attendance/{registration['id']}/undo"),
                                       headers=HX, data={"reason": "wrong_person"})
    # The button names the person for screen readers (the list has one "Check in" per person).
    button = '>Check in<span class="visually-hidden">: <bdi>Rahima Begum</bdi></span></button>'
    assert response.status_code == 200 and button in response.text
    assert await CheckIn.count() == 0


async def test_scan_answers_ok_then_already(staff_client, event_id, session_id, registration):
    body = {"token": f"http://testserver.local/t/{registration['ticket_token']}", "client_id": "abc"}
    first = (await staff_client.post(url(event_id, session_id, "/scan"), json=body)).json()
    second = (await staff_client.post(url(event_id, session_id, "/scan"), json=body)).json()
    assert (first["status"], second["status"]) == ("ok", "already")
    assert first["count"] == {"present": 1, "expected": 1}


async def test_scan_of_unknown_code_is_red_with_its_code(staff_client, event_id, session_id):
    answer = (await staff_client.post(url(event_id, session_id, "/scan"), json={"token": "nonsense"})).json()
    assert (answer["status"], answer["code"]) == ("error", "unknown_ticket")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"token": 5}'])
async def test_scan_with_a_bad_body_is_a_400(staff_client, event_id, session_id, body):
    response = await staff_client.post(url(event_id, session_id, "/scan"), content=body,
                                       headers={"content-type": "application/json"})
    assert response.status_code == 400


async def test_scanner_page_alone_allows_wasm(staff_client, event_id, session_id):
    scan = await staff_client.get(url(event_id, session_id, "/scan"))
    other = await staff_client.get(url(event_id, session_id, "/attendance"))
    assert "'wasm-unsafe-eval'" in scan.headers["content-security-policy"]
    assert "wasm-unsafe-eval" not in other.headers["content-security-policy"]
    # The script, the decoder and its wasm (~0.5 MB gzipped) are cached for a year, not fetched each visit.
    for asset in ("js/scanner.js", "vendor/barcode-detector/polyfill.js", "vendor/barcode-detector/zxing_reader.wasm"):
        assert re.search(rf'"/static/{re.escape(asset)}\?v=[0-9a-f]{{10}}"', scan.text), asset


async def test_tickets_list_for_offline_scanning(staff_client, event_id, session_id, registration):
    answer = (await staff_client.get(url(event_id, session_id, "/tickets"))).json()
    assert answer["tickets"] == {registration["ticket_token"]: "Rahima Begum"}


async def test_simultaneous_scans_through_http_record_each_once(staff_client, event_id, session_id,
                                                                register_person):
    tokens = [(await register_person(event_id, name=f"P{n}"))["ticket_token"] for n in range(60)]
    responses = await asyncio.gather(*(staff_client.post(url(event_id, session_id, "/scan"), json={"token": t})
                                       for t in tokens * 3))
    assert all(r.status_code == 200 for r in responses)
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("ok") == 60 and statuses.count("already") == 120
    assert await CheckIn.count() == 60


async def test_ticket_page_shows_qr_and_remembers_the_ticket(client, registration):
    response = await client.get(f"/t/{registration['ticket_token']}")
    assert response.status_code == 200
    assert "<svg" in response.text and "Rahima Begum" in response.text
    cookie = response.headers["set-cookie"]
    assert f"ticket={registration['ticket_token']}" in cookie and "HttpOnly" in cookie and "Max-Age=" in cookie


async def test_unknown_ticket_is_a_clear_404(client, db):
    response = await client.get("/t/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404 and "Ticket not found" in response.text


async def test_ticket_pdf(client, registration):
    response = await client.get(f"/t/{registration['ticket_token']}/ticket.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


async def test_sign_in_sheet_pdf_has_a_page_per_fourteen_people(staff_client, event_id, session_id,
                                                                  register_person):
    for n in range(15):
        await register_person(event_id, name=f"P{n}")
    response = await staff_client.get(url(event_id, session_id, "/sheet.pdf"))
    assert response.status_code == 200 and response.content.count(b"/Type /Page\n") + response.content.count(
        b"/Type /Page ") >= 2


async def test_venue_screen_page_and_polled_fragment(staff_client, app, clock, event_id, session_id):
    start = window_start()
    clock.move_to(start)
    page = await staff_client.get(url(event_id, session_id, "/display"))
    fragment = await staff_client.get(url(event_id, session_id, "/display"), headers=HX)
    short = selfcheck.short_code_for(app.state.settings.secret_key, session_id, start.timestamp())
    assert short in page.text and "<html" in page.text
    assert short in fragment.text and "<html" not in fragment.text


async def _landing(client, app, session_id):
    start = window_start()
    portal_clock.current().move_to(start)
    code = selfcheck.code_for(app.state.settings.secret_key, session_id, start.timestamp())
    await client.get("/c")  # the CSRF cookie
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return f"/c/{session_id}/{code}"


async def test_self_check_in_with_the_ticket_cookie(client, app, session_id, registration):
    await client.get(f"/t/{registration['ticket_token']}")
    link = await _landing(client, app, session_id)
    assert "Check me in" in (await client.get(link)).text
    response = await client.post(link, data={"how": "ticket"})
    assert response.status_code == 200 and "Checked in" in response.text
    assert (await CheckIn.select(CheckIn.method).first())["method"] == "self_scan"


async def test_self_check_in_by_phone(client, app, session_id, register_person, event_id):
    await register_person(event_id, phone="+8801711234567")
    link = await _landing(client, app, session_id)
    response = await client.post(link, data={"how": "phone", "phone": "01711-234567"})
    assert response.status_code == 200 and "Checked in" in response.text
    assert "ticket=" not in response.headers.get("set-cookie", "")


async def test_expired_code_gets_a_clear_message(client, app, session_id):
    link = await _landing(client, app, session_id)
    portal_clock.current().advance(dt.timedelta(seconds=120))
    response = await client.get(link)
    assert response.status_code == 422 and "expired" in response.text


async def test_walk_in_registers_and_checks_in(client, app, plan_event):
    event_id = await plan_event(walk_ins=True, title="Open meeting")
    session_id = (await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id).first())["id"]
    link = await _landing(client, app, session_id)
    response = await client.post(link, data={"how": "walk_in", "name": "Walk In", "phone": "01911-222333"})
    assert response.status_code == 200 and "Checked in" in response.text
    assert "ticket=" in response.headers["set-cookie"]
    assert await checkin.present_count(session_id, event_id) == {"present": 1, "expected": 1}


async def test_a_nul_in_a_scan_is_dropped_not_a_500(staff_client, event_id, session_id, registration):
    # PostgreSQL refuses NUL in text: neither the token nor the client id may carry one to the database.
    answer = await staff_client.post(url(event_id, session_id, "/scan"),
                                     json={"token": registration["ticket_token"] + "\x00", "client_id": "a\x00b"})
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    row = await CheckIn.select(CheckIn.client_id).where(CheckIn.registration == registration["id"]).first()
    assert row["client_id"] == "ab"
