import asyncio
import datetime as dt

import pytest

from portal.core import clock
from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.checkin import services as checkin
from portal.events.checkin.corrections import Correction
from portal.events.checkin.services import CheckInError
from portal.events.registrations import services as registrations
from portal.events.tables import CheckIn, Session

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def test_first_scan_checks_in_and_is_audited(session_id, registration):
    result = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    assert (result.status, result.name, result.method) == ("ok", "Rahima Begum", "ticket_scan")
    assert await CheckIn.count() == 1
    assert await AuditEntry.count().where(AuditEntry.action == "checkin.create") == 1


async def test_repeat_scan_answers_already_with_the_first_time(session_id, registration):
    first = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    again = await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], method="manual")
    assert again.status == "already"
    assert again.at == first.at and again.method == "ticket_scan"
    assert await CheckIn.count() == 1


async def test_check_in_by_registration_id(session_id, registration):
    result = await checkin.check_in(session_id, ACTOR, registration_id=registration["id"], method="manual")
    assert result.status == "ok" and result.method == "manual"


async def test_each_session_is_its_own_check_in(event_id, registration):
    sessions = [s["id"] for s in await Session.select(Session.id).where(Session.event == event_id)]
    for sid in sessions:  # Day 2 is tomorrow: outside its window, so staff confirm
        assert (await checkin.check_in(sid, ACTOR, token=registration["ticket_token"], override=True)).status == "ok"
    assert await CheckIn.count() == len(sessions) == 2


async def test_unknown_ticket_is_refused(session_id):
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token="not-a-ticket-at-all")
    assert excinfo.value.code == "unknown_ticket"


async def test_unknown_session_is_refused(registration):
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(999_999, ACTOR, token=registration["ticket_token"])
    assert excinfo.value.code == "session_not_found"


async def test_ticket_of_another_event_is_refused(plan_event, register_person, session_id):
    other = await register_person(await plan_event(title="Sylhet meeting"))
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=other["ticket_token"])
    assert excinfo.value.code == "wrong_event"


async def test_cancelled_registration_is_refused(event_id, session_id, registration):
    await registrations.cancel(registration["id"], event_id, ACTOR)
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    assert excinfo.value.code == "cancelled"
    assert await CheckIn.count() == 0


async def test_waitlisted_registration_is_refused(plan_event, register_person):
    event_id = await plan_event(capacity="0")
    waiting = await register_person(event_id)
    sid = (await Session.select(Session.id).where(Session.event == event_id).first())["id"]
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(sid, ACTOR, token=waiting["ticket_token"])
    assert excinfo.value.code == "waitlisted"


async def test_unknown_registration_id_is_refused(session_id):
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, registration_id=999_999, method="manual")
    assert excinfo.value.code == "not_registered"


async def test_unknown_method_is_refused(session_id, registration):
    with pytest.raises(CheckInError) as excinfo:
        await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], method="telepathy")
    assert excinfo.value.code == "bad_method"


async def test_undo_removes_the_check_in_and_is_audited(session_id, registration):
    await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"])
    await checkin.undo(session_id, registration["id"], ACTOR, correction=Correction("duplicate"))
    assert await CheckIn.count() == 0
    entry = await AuditEntry.select().where(AuditEntry.action == "checkin.undo").output(load_json=True).first()
    assert entry["before"]["registration"] == registration["id"]


async def test_undo_without_check_in_is_refused(session_id, registration):
    with pytest.raises(CheckInError) as excinfo:
        await checkin.undo(session_id, registration["id"], ACTOR, correction=Correction("duplicate"))
    assert excinfo.value.code == "not_checked_in"


async def test_client_id_and_time_of_an_offline_scan_are_kept(session_id, registration):
    scanned = (clock.now() - dt.timedelta(minutes=5)).replace(microsecond=0)
    await checkin.check_in(session_id, ACTOR, token=registration["ticket_token"], client_id="c-1", at=scanned)
    row = await CheckIn.select().first()
    assert row["client_id"] == "c-1" and row["at"] == scanned


async def test_an_offline_scan_resent_at_once_many_times_is_recorded_once(session_id, registration):
    # The phone resends a queued scan (same client id, token and session) until it gets an answer.
    results = await asyncio.gather(*(checkin.check_in(session_id, ACTOR, token=registration["ticket_token"],
                                                      client_id="c-1") for _ in range(5)))
    assert sorted(r.status for r in results) == ["already"] * 4 + ["ok"]
    assert await CheckIn.count() == 1


async def test_a_client_id_is_not_an_identity_each_ticket_is(session_id, register_person, event_id):
    # Deduplication is by (registration, session), which the token decides: a client id reused for
    # another ticket (a buggy or hostile client) cannot hide that person's check-in or answer for them.
    first, second = [await register_person(event_id, name=n) for n in ("First", "Second")]
    one = await checkin.check_in(session_id, ACTOR, token=first["ticket_token"], client_id="same")
    two = await checkin.check_in(session_id, ACTOR, token=second["ticket_token"], client_id="same")
    assert (one.status, one.name, two.status, two.name) == ("ok", "First", "ok", "Second")
    rows = await CheckIn.select(CheckIn.registration).order_by(CheckIn.id)
    assert [r["registration"] for r in rows] == [first["id"], second["id"]]


async def test_counts_and_filters_of_the_attendance_list(event_id, session_id, register_person):
    here = await register_person(event_id, name="Here")
    await register_person(event_id, name="Away")
    await checkin.check_in(session_id, ACTOR, token=here["ticket_token"])
    assert await checkin.present_count(session_id, event_id) == {"present": 1, "expected": 2}
    assert [r["name"] for r in await checkin.attendance(session_id, event_id, show="present")] == ["Here"]
    assert [r["name"] for r in await checkin.attendance(session_id, event_id, show="absent")] == ["Away"]


async def test_hundreds_of_simultaneous_scans_with_duplicates_record_each_person_once(
        event_id, session_id, register_person):
    tickets = [(await register_person(event_id, name=f"Person {n}"))["ticket_token"] for n in range(120)]
    scans = tickets * 3  # every ticket three times, all at once
    results = await asyncio.gather(*(checkin.check_in(session_id, ACTOR, token=t) for t in scans))
    assert sum(r.status == "ok" for r in results) == 120
    assert sum(r.status == "already" for r in results) == 240
    assert await CheckIn.count() == 120
    assert await AuditEntry.count().where(AuditEntry.action == "checkin.create") == 120
