"""Deleting a session: refused with a message while attendance hangs on it, never a 500."""

import pytest

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.events.checkin import services as checkin
from portal.events.management import services
from portal.events.tables import CheckIn, SelfCheckInFailure, Session

pytestmark = pytest.mark.anyio
ACTOR = Actor.system("tests")


async def test_session_with_check_ins_is_not_deleted(coordinator, event_id, session_id, register_person):
    for name in ("Rahima", "Karim"):
        registration = await register_person(event_id, name=name)
        await checkin.check_in(session_id, ACTOR, registration_id=registration["id"], method="manual")
    with pytest.raises(DomainError) as excinfo:
        await services.delete_session(event_id, session_id, coordinator)
    assert excinfo.value.code == "session_has_checkins"
    assert excinfo.value.message == "This session has 2 check-ins; it cannot be deleted."
    assert excinfo.value.status_code == 409
    assert await Session.exists().where(Session.id == session_id)
    assert await CheckIn.count() == 2


async def test_session_without_check_ins_is_deleted_with_its_failed_lookups(coordinator, event_id, session_id):
    # Failed self check-in look-ups only rate-limit guessing: they go with their session, deliberately.
    await SelfCheckInFailure(session=session_id, ip="10.0.0.1").save()
    await services.delete_session(event_id, session_id, coordinator)
    assert not await Session.exists().where(Session.id == session_id)
    assert await SelfCheckInFailure.count() == 0


async def test_delete_route_shows_the_refusal_with_a_409(staff_client, event_id, session_id, registration):
    await checkin.check_in(session_id, ACTOR, registration_id=registration["id"], method="manual")
    response = await staff_client.post(f"/manage/events/{event_id}/sessions/{session_id}/delete")
    assert response.status_code == 409
    assert "This session has 1 check-in; it cannot be deleted." in response.text
    assert "Delete this session" in response.text  # the session's own page, so the user can go on from there
    assert await Session.exists().where(Session.id == session_id)


async def test_delete_route_refuses_the_last_session_with_a_409(staff_client, coordinator, event_id, session_id):
    other = await Session.select(Session.id).where((Session.event == event_id) & (Session.id != session_id)).first()
    await services.delete_session(event_id, other["id"], coordinator)
    response = await staff_client.post(f"/manage/events/{event_id}/sessions/{session_id}/delete")
    assert response.status_code == 409
    assert "An event needs at least one session." in response.text


async def test_delete_route_removes_an_empty_session(staff_client, event_id, session_id):
    response = await staff_client.post(f"/manage/events/{event_id}/sessions/{session_id}/delete")
    assert response.status_code == 303
    assert not await Session.exists().where(Session.id == session_id)
