import datetime as dt

import pytest

from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.checkin import services as checkin
from portal.events.checkin.services import CheckInError
from portal.events.registrations import services as registrations
from portal.events.selfcheck import services as selfcheck
from portal.events.selfcheck.services import SelfCheckInError
from portal.events.tables import CheckIn, Participant, Registration, Session

pytestmark = pytest.mark.anyio
SECRET = "a-secret-key-for-tests"
NOW = 1_800_000_000.0
ACTOR = Actor(id=None, label="self check-in", ip="10.0.0.7")


@pytest.fixture(autouse=True)
def at_now(clock):
    """The portal's clock at NOW, where the codes below are made."""
    clock.move_to(dt.datetime.fromtimestamp(NOW, dt.UTC))


@pytest.mark.parametrize("moment", [NOW, NOW - selfcheck.WINDOW_SECONDS])
@pytest.mark.parametrize("maker", [selfcheck.code_for, selfcheck.short_code_for])
def test_code_of_this_window_and_the_previous_one_is_accepted(maker, moment):
    code = maker(SECRET, 7, moment)
    assert selfcheck.verify(SECRET, 7, code, NOW) is None  # accepted: no refusal raised
    # The same code is refused once its window is two behind, so the acceptance above was of this code.
    with pytest.raises(SelfCheckInError) as excinfo:
        selfcheck.verify(SECRET, 7, code, moment + 2 * selfcheck.WINDOW_SECONDS)
    assert excinfo.value.code == "expired_code"


@pytest.mark.parametrize("maker", [selfcheck.code_for, selfcheck.short_code_for])
def test_code_two_windows_old_is_expired(maker):
    with pytest.raises(SelfCheckInError) as excinfo:
        selfcheck.verify(SECRET, 7, maker(SECRET, 7, NOW - 2 * selfcheck.WINDOW_SECONDS), NOW)
    assert excinfo.value.code == "expired_code"


@pytest.mark.parametrize("code", [
    "0123456789ab", "", "7-000000",
    selfcheck.code_for("another-key", 7, NOW),  # signed with another secret
    selfcheck.code_for(SECRET, 8, NOW),  # the code of another session
])
def test_forged_codes_are_refused(code):
    with pytest.raises(SelfCheckInError) as excinfo:
        selfcheck.verify(SECRET, 7, code, NOW)
    assert excinfo.value.code == "forged_code"


def test_code_from_the_future_is_refused():
    with pytest.raises(SelfCheckInError):
        selfcheck.verify(SECRET, 7, selfcheck.code_for(SECRET, 7, NOW + 60), NOW)


@pytest.mark.parametrize(("typed", "parsed"), [("17-482913", (17, "17-482913")), (" 17 482913 ", (17, "17-482913")),
                                               ("17-48291", None), ("hello", None)])
def test_typed_short_code_is_parsed(typed, parsed):
    assert selfcheck.parse_short(typed) == parsed


async def test_phone_of_this_event_checks_in(session_id, event_id, register_person):
    await register_person(event_id, phone="+8801711234567")
    result = await selfcheck.by_phone(SECRET, session_id, selfcheck.code_for(SECRET, session_id, NOW),
                                      "01711234567", ACTOR)
    assert result.status == "ok" and result.method == "self_scan"


async def test_phone_registered_only_for_another_event_is_refused(session_id, plan_event, register_person):
    await register_person(await plan_event(title="Elsewhere"), phone="+8801711234567")
    with pytest.raises(SelfCheckInError) as excinfo:
        await selfcheck.by_phone(SECRET, session_id, selfcheck.code_for(SECRET, session_id, NOW),
                                 "01711234567", ACTOR)
    assert excinfo.value.code == "phone_not_registered"
    assert await CheckIn.count() == 0


async def test_guessing_numbers_is_stopped_after_five_failures(session_id, event_id, register_person):
    await register_person(event_id, phone="+8801711234567")
    code = selfcheck.code_for(SECRET, session_id, NOW)
    for n in range(selfcheck.FAILURES_PER_ADDRESS):
        with pytest.raises(SelfCheckInError):
            await selfcheck.by_phone(SECRET, session_id, code, f"0171100000{n}", ACTOR)
    with pytest.raises(SelfCheckInError) as excinfo:  # even the right number is refused now
        await selfcheck.by_phone(SECRET, session_id, code, "01711234567", ACTOR)
    assert excinfo.value.code == "too_many_attempts"


async def test_walk_in_is_refused_where_the_event_does_not_allow_it(session_id):
    with pytest.raises(SelfCheckInError) as excinfo:
        await selfcheck.walk_in(SECRET, session_id, selfcheck.code_for(SECRET, session_id, NOW),
                                {"name": "X", "phone": "01911222333"}, ACTOR)
    assert excinfo.value.code == "walk_ins_closed"


@pytest.fixture
async def walk_in_session(plan_event):
    """The session under way of an event that takes walk-ins."""
    event_id = await plan_event(walk_ins=True, title="Open day")
    return (await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id).first())["id"]


async def test_walk_in_creates_the_person_registers_and_checks_in(walk_in_session):
    result, token = await selfcheck.walk_in(SECRET, walk_in_session, selfcheck.code_for(SECRET, walk_in_session, NOW),
                                            {"name": "Nasima Akter", "phone": "01911-000555"}, ACTOR)
    assert result.status == "ok" and result.method == "self_scan"
    registration = await registrations.by_token(token)
    assert registration["name"] == "Nasima Akter"
    assert await Participant.count().where(Participant.phone == "+8801911000555") == 1
    assert await AuditEntry.exists().where((AuditEntry.action == "participant.create") & (AuditEntry.note == "walk-in"))


async def test_a_walk_in_refused_after_the_person_is_created_leaves_nothing_saved(walk_in_session, monkeypatch):
    async def refuse(*args, **kwargs):
        assert await Participant.count().where(Participant.phone == "+8801911000555") == 1  # created by now
        raise CheckInError("session_not_found", "The session was deleted meanwhile.")

    monkeypatch.setattr(checkin, "check_in", refuse)
    with pytest.raises(CheckInError):
        await selfcheck.walk_in(SECRET, walk_in_session, selfcheck.code_for(SECRET, walk_in_session, NOW),
                                {"name": "Nasima Akter", "phone": "01911-000555"}, ACTOR)
    assert await Participant.count().where(Participant.phone == "+8801911000555") == 0
    assert await Registration.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action.is_in(["participant.create", "registration.create"])) == 0


async def test_a_known_number_walking_in_is_refused(walk_in_session, create_person):
    await create_person(name="Already Here", phone="+8801911000555")
    with pytest.raises(SelfCheckInError) as excinfo:
        await selfcheck.walk_in(SECRET, walk_in_session, selfcheck.code_for(SECRET, walk_in_session, NOW),
                                {"name": "Nasima Akter", "phone": "01911-000555"}, ACTOR)
    assert excinfo.value.code == "known_phone"
    assert await Registration.count() == 0
