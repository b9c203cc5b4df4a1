"""The check-in window of a session (staff warned and may confirm, self check-in refused with the time it
opens), undone check-ins that stay undone against a late resend, and true messages for another event's ticket.

The plan_event fixture's Day 1 is under way at the clock's time; Day 2 is tomorrow, 09:00-17:00 in Dhaka."""

import datetime as dt

import pytest

from portal.core import clock
from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.checkin import services as checkin
from portal.events.checkin.corrections import Correction
from portal.events.checkin.services import CheckInError, OutsideWindow
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import CheckIn, Event, Registration, Session
from tests.events.test_checkin_routes import HX, url, window_start

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


@pytest.fixture
async def day_2(event_id):
    rows = await Session.select(Session.id, Session.starts_at).where(Session.event == event_id).order_by(Session.id)
    return rows[1]


async def test_a_scan_for_tomorrows_session_is_refused_as_outside_the_window(day_2, registration):
    with pytest.raises(OutsideWindow) as excinfo:
        await checkin.check_in(day_2["id"], ACTOR, token=registration["ticket_token"])
    assert excinfo.value.code == "outside_window" and excinfo.value.early
    assert excinfo.value.window.opens == day_2["starts_at"] - dt.timedelta(minutes=60)
    assert await CheckIn.count() == 0


async def test_staff_can_confirm_a_check_in_outside_the_window_and_the_audit_says_so(day_2, registration):
    result = await checkin.check_in(day_2["id"], ACTOR, token=registration["ticket_token"], override=True)
    assert result.status == "ok" and result.outside_window
    entry = await AuditEntry.select().where(AuditEntry.action == "checkin.create").output(load_json=True).first()
    assert entry["after"]["outside_window"] is True and "outside the check-in window" in entry["note"]


async def test_inside_the_window_the_audit_has_no_override(session_id, registration):
    result = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    assert result.status == "ok" and not result.outside_window
    entry = await AuditEntry.select().where(AuditEntry.action == "checkin.create").output(load_json=True).first()
    assert "outside_window" not in entry["after"] and entry["note"] == ""


async def test_self_check_in_cannot_be_confirmed_outside_the_window(day_2, registration):
    with pytest.raises(OutsideWindow):
        await checkin.check_in(day_2["id"], ACTOR, token=registration["ticket_token"], method="self_scan",
                               override=True)


@pytest.mark.parametrize(("before", "allowed"), [(60, True), (10, False)])
async def test_the_grace_before_a_session_is_set_per_event(event_id, session_id, registration, before, allowed):
    # Day 1 starts in 30 minutes: inside a 60-minute grace, outside a 10-minute one.
    now = clock.now()
    await Session.update({Session.starts_at: now + dt.timedelta(minutes=30),
                          Session.ends_at: now + dt.timedelta(hours=3)}).where(Session.id == session_id)
    await Event.update({Event.checkin_opens_before: before}).where(Event.id == event_id)
    if allowed:
        assert (await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])).status == "ok"
    else:
        with pytest.raises(OutsideWindow):
            await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])


async def test_the_grace_after_a_session_closes_the_window(event_id, session_id, registration):
    now = clock.now()
    await Session.update({Session.starts_at: now - dt.timedelta(hours=5),
                          Session.ends_at: now - dt.timedelta(minutes=90)}).where(Session.id == session_id)
    with pytest.raises(OutsideWindow) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    assert not excinfo.value.early
    await Event.update({Event.checkin_closes_after: 120}).where(Event.id == event_id)
    assert (await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])).status == "ok"


async def test_an_offline_scan_is_judged_by_when_it_was_made(day_2, session_id, registration):
    # Scanned during Day 1's window, received later: inside. Scanned "tomorrow" on a wrong phone clock: outside.
    made = clock.now() - dt.timedelta(minutes=10)
    assert (await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], at=made)).status == "ok"


async def test_the_event_form_sets_the_grace_and_refuses_nonsense(staff_client, event_id):
    event = await Event.select().where(Event.id == event_id).first()
    form = {key: str(event[key]) for key in ("kind", "title", "district", "venue", "start_date", "end_date",
                                             "completion_percent")}
    response = await staff_client.post(f"/manage/events/{event_id}/edit", data={
        **form, "checkin_opens_before": "30", "checkin_closes_after": "240"})
    assert response.status_code == 303
    saved = await Event.select(Event.checkin_opens_before, Event.checkin_closes_after).where(
        Event.id == event_id).first()
    assert saved == {"checkin_opens_before": 30, "checkin_closes_after": 240}
    response = await staff_client.post(f"/manage/events/{event_id}/edit", data={
        **form, "checkin_opens_before": "-5", "checkin_closes_after": "a lot"})
    assert response.status_code == 422
    assert 'id="checkin_opens_before-error"' in response.text and 'id="checkin_closes_after-error"' in response.text


# Staff routes: a warning they can confirm.

async def test_the_scanner_answers_outside_then_records_the_confirmed_scan(staff_client, event_id, day_2,
                                                                          registration):
    scan = url(event_id, day_2["id"], "/scan")
    answer = (await staff_client.post(scan, json={"token": registration["ticket_token"], "client_id": "a"})).json()
    assert answer["status"] == "outside" and answer["code"] == "outside_window"
    # The time is in Dhaka: Day 2 opens at 08:00 there (02:00 UTC).
    assert "opens" in answer["message"] and "08:00" in answer["message"]
    assert await CheckIn.count() == 0
    answer = (await staff_client.post(scan, json={"token": registration["ticket_token"], "client_id": "a",
                                                  "confirm": True})).json()
    assert answer["status"] == "ok" and answer["outside_window"] is True
    assert await CheckIn.count() == 1


async def test_by_hand_outside_the_window_asks_to_confirm(staff_client, event_id, day_2, registration):
    target = url(event_id, day_2["id"], f"/attendance/{registration['id']}")
    response = await staff_client.post(target, headers=HX)
    assert response.status_code == 200 and "Check in anyway" in response.text
    assert 'name="confirm" value="1"' in response.text and "opens" in response.text
    assert await CheckIn.count() == 0
    response = await staff_client.post(target, headers=HX, data={"confirm": "1"})
    assert "Present since" in response.text and await CheckIn.count() == 1


async def test_by_hand_without_javascript_returns_to_the_row_asking_to_confirm(staff_client, event_id, day_2,
                                                                              registration):
    response = await staff_client.post(url(event_id, day_2["id"], f"/attendance/{registration['id']}"))
    assert response.status_code == 303 and f"confirm={registration['id']}" in response.headers["location"]
    page = await staff_client.get(response.headers["location"])
    assert "Check in anyway" in page.text and "opens" in page.text


# Self check-in: refused, saying when it opens.

async def _code_link(client, app, session_id: int) -> str:
    start = window_start()
    clock.current().move_to(start)
    await client.get("/c")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return f"/c/{session_id}/{selfcheck.code_for(app.state.settings.secret_key, session_id, start.timestamp())}"


async def test_self_check_in_before_the_window_says_when_it_opens(client, app, day_2, registration):
    link = await _code_link(client, app, day_2["id"])
    opens = (day_2["starts_at"] - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=6)))
    page = await client.get(link)
    assert page.status_code == 422 and f"opens {opens:%a %d %b, %H:%M}" in page.text
    await client.get(f"/t/{registration['ticket_token']}")  # the ticket cookie
    response = await client.post(link, data={"how": "ticket"})
    assert response.status_code == 422 and "opens" in response.text and await CheckIn.count() == 0


async def test_typed_code_outside_the_window_is_refused_with_the_time(client, app, day_2):
    await _code_link(client, app, day_2["id"])
    short = selfcheck.short_code_for(app.state.settings.secret_key, day_2["id"], clock.now().timestamp())
    response = await client.post("/c", data={"code": short})
    assert response.status_code == 422 and "opens" in response.text


async def test_a_walk_in_outside_the_window_registers_nobody(client, app, plan_event):
    event_id = await plan_event(walk_ins=True)
    day_2 = (await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id))[1]["id"]
    link = await _code_link(client, app, day_2)
    response = await client.post(link, data={"how": "walk_in", "name": "Walk In", "phone": "01911-000222"})
    assert response.status_code == 422 and await Registration.count() == 0


async def test_self_check_in_refusal_is_in_bangla(client, app, day_2):
    link = await _code_link(client, app, day_2["id"])
    client.cookies["lang"] = "bn"
    page = await client.get(link)
    assert "চেক-ইন" in page.text and "খুলবে" in page.text


# Defect 20: an undone check-in stays undone against a late resend of the same scan.

async def test_a_late_resend_of_an_undone_scan_stays_undone(session_id, registration, create_user):
    staff = await create_user("organizer", districts=("khulna",), name="Desk Officer")
    await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], client_id="phone-1")
    await checkin.undo(session_id, registration["id"], staff.actor("10.0.0.1"), correction=Correction("duplicate"))
    again = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], client_id="phone-1")
    assert again.status == "undone" and again.undone_by == "Desk Officer"
    assert await CheckIn.count() == 0
    # A scan made after the undo is a new scan (its own client id): it counts.
    new = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], client_id="phone-2")
    assert new.status == "ok" and await CheckIn.count() == 1


async def test_the_scanner_answers_a_resend_of_an_undone_scan_with_who_undid_it(staff_client, event_id, session_id,
                                                                               registration):
    scan = url(event_id, session_id, "/scan")
    body = {"token": registration["ticket_token"], "client_id": "c-9"}
    assert (await staff_client.post(scan, json=body)).json()["status"] == "ok"
    await staff_client.post(url(event_id, session_id, f"/attendance/{registration['id']}/undo"), headers=HX,
                            data={"reason": "duplicate"})
    answer = (await staff_client.post(scan, json=body)).json()
    assert answer["status"] == "undone" and answer["undone_by"] and "local_time" in answer
    assert await CheckIn.count() == 0


# Defect 16: a ticket of another event, true to the person's registration in this one.

async def test_ticket_of_another_event_of_someone_registered_here_says_so(plan_event, register_person,
                                                                         create_person, event_id, session_id):
    from portal.events.registrations import services as registrations

    person = await create_person(name="Selina Khatun")
    other_event = await plan_event(title="Sylhet meeting")
    other = await registrations.register(other_event, person, ACTOR)
    await registrations.register(event_id, person, ACTOR)
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=other["ticket_token"])
    assert excinfo.value.code == "other_event_ticket"
    assert "registered for this one too" in excinfo.value.message


async def test_ticket_of_another_event_of_someone_not_registered_here(plan_event, register_person,
                                                                     session_id):
    other = await register_person(await plan_event(title="Sylhet meeting"))
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=other["ticket_token"])
    assert excinfo.value.code == "wrong_event" and "registered for another event" in excinfo.value.message
