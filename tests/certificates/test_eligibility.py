"""Eligibility: attendance against the completion rule, staff roles, cancellations, overrides."""

import pytest

from portal.certificates import eligibility
from portal.certificates.eligibility import decide, required_sessions
from portal.core.audit import history
from portal.core.errors import ValidationFailed

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("total", "percent", "needed"), [(3, 100, 3), (3, 67, 3), (3, 66, 2), (4, 50, 2),
                                                           (3, 0, 1), (0, 100, 0), (5, 80, 4)])
def test_required_sessions_round_up(total, percent, needed):
    assert required_sessions(total, percent) == needed


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"status": "registered", "role": "participant", "attended": 3, "total": 3}, (True, "attended")),
    ({"status": "registered", "role": "participant", "attended": 2, "total": 3}, (False, "too_few_sessions")),
    ({"status": "cancelled", "role": "participant", "attended": 3, "total": 3}, (False, "cancelled")),
    ({"status": "registered", "role": "facilitator", "attended": 3, "total": 3}, (False, "staff_role")),
    ({"status": "registered", "role": "guest", "attended": 3, "total": 3}, (False, "staff_role")),
    ({"status": "registered", "role": "participant", "attended": 0, "total": 0}, (False, "no_sessions")),
])
def test_decide(kwargs, expected):
    assert decide(percent=100, override=None, **kwargs) == expected


@pytest.mark.parametrize(("role", "override", "expected"), [
    ("trainer", True, (True, "override_yes")), ("participant", False, (False, "override_no")),
])
def test_override_decides_before_attendance_and_role(role, override, expected):
    assert decide(status="registered", role=role, attended=3, total=3, percent=100, override=override) == expected


def test_cancelled_registration_is_never_eligible_even_with_override():
    assert decide(status="cancelled", role="participant", attended=3, total=3, percent=100, override=True) == (
        False, "cancelled")


async def test_standings_list_attendance_and_missed_sessions(create_event_with_sessions, create_registration):
    event_id, sessions = await create_event_with_sessions(days=3)
    full = await create_registration(event_id, attend=sessions)
    partial = await create_registration(event_id, attend=sessions[:2])
    event = await eligibility.load_event(None, event_id)
    by_id = {s.registration_id: s for s in await eligibility.event_standings(event)}
    assert (by_id[full].eligible, by_id[partial].eligible) == (True, False)
    assert by_id[partial].missed == ("Day 3",)
    assert (by_id[partial].attended, by_id[partial].required) == (2, 3)


async def test_event_without_sessions_certifies_nobody(create_event_with_sessions, create_registration):
    event_id, _ = await create_event_with_sessions(days=0)
    await create_registration(event_id)
    [standing] = await eligibility.event_standings(await eligibility.load_event(None, event_id))
    assert (standing.eligible, standing.reason) == (False, "no_sessions")


async def test_override_is_saved_with_reason_and_audited(create_event_with_sessions, create_registration, create_user):
    user = await create_user("coordinator")
    event_id, sessions = await create_event_with_sessions(days=3)
    registration = await create_registration(event_id, attend=sessions[:1])
    await eligibility.set_override(user, event_id, registration, "yes", "Hospitalised on day 2, made up the work")
    event = await eligibility.load_event(None, event_id)
    assert (await eligibility.standing(event, registration)).reason == "override_yes"
    [entry] = await history("registration", registration)
    assert entry["action"] == "certificate.override"
    assert entry["note"] == "Hospitalised on day 2, made up the work"


async def test_override_without_reason_is_refused(create_event_with_sessions, create_registration, create_user):
    user = await create_user("coordinator")
    event_id, _ = await create_event_with_sessions()
    registration = await create_registration(event_id)
    with pytest.raises(ValidationFailed) as info:
        await eligibility.set_override(user, event_id, registration, "yes", "  ")
    assert "reason" in info.value.errors


async def test_clearing_an_override_returns_to_the_rule(create_event_with_sessions, create_registration, create_user):
    user = await create_user("coordinator")
    event_id, _ = await create_event_with_sessions()
    registration = await create_registration(event_id, role="trainer")
    await eligibility.set_override(user, event_id, registration, "yes", "Co-facilitated and attended all")
    await eligibility.set_override(user, event_id, registration, "rule", "")
    event = await eligibility.load_event(None, event_id)
    assert (await eligibility.standing(event, registration)).reason == "staff_role"


@pytest.mark.parametrize(("kind", "course", "expected"), [
    ("tot", False, "master_trainer"), ("district_workshop", True, "completion"),
    ("district_workshop", False, "participation"), ("cso_meeting", False, "participation"),
])
def test_certificate_kind(kind, course, expected):
    assert eligibility.certificate_kind({"kind": kind, "course": 1 if course else None}) == expected
