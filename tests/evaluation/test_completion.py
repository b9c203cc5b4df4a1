"""The certificate rule with a post-test pass mark beside attendance, its override and its audit."""

from __future__ import annotations

import pytest

from portal.certificates import eligibility, issue
from portal.certificates.eligibility import decide
from portal.core.errors import DomainError
from portal.core.tables import AuditEntry
from portal.evaluation import access, setup
from tests.evaluation.worlds import make_world, take
from tests.factories import make_registration

pytestmark = pytest.mark.anyio
BASE = {"status": "registered", "role": "participant", "total": 2, "percent": 100, "override": None}


@pytest.mark.parametrize(("attended", "pass_mark", "post_test", "expected"), [
    (2, None, None, (True, "attended")),  # no pass mark: attendance alone, as before
    (2, 60, 60.0, (True, "passed")),  # at the mark is enough
    (2, 60, 59.9, (False, "below_pass_mark")),
    (2, 60, None, (False, "no_post_test")),
    (1, 60, 100.0, (False, "too_few_sessions")),  # attendance still counts first
])
def test_decide_with_a_pass_mark(attended, pass_mark, post_test, expected):
    assert decide(attended=attended, pass_mark=pass_mark, post_test=post_test, **BASE) == expected


def test_an_override_decides_whatever_the_score():
    assert decide(**{**BASE, "override": True}, attended=2, pass_mark=60, post_test=10.0) == (True, "override_yes")


async def test_standings_read_the_best_post_test_and_an_override_is_audited(create_user):
    world = await make_world(pass_mark=60)
    coordinator = await create_user("coordinator")
    passed, failed, absent = [await make_registration(world.event_id, attend=world.sessions) for _ in range(3)]
    await take(world, passed, "post", [True, True, False, False])  # 3/5 = 60%
    await take(world, failed, "post", [True, False, False, False])  # 1/5 = 20%
    event = await eligibility.load_event(coordinator, world.event_id)
    by_id = {s.registration_id: s for s in await eligibility.event_standings(event)}
    assert (by_id[passed].eligible, by_id[passed].reason, by_id[passed].post_test) == (True, "passed", 60.0)
    assert (by_id[failed].eligible, by_id[failed].reason) == (False, "below_pass_mark")
    assert (by_id[absent].eligible, by_id[absent].reason) == (False, "no_post_test")
    assert by_id[passed].pass_mark == 60
    with pytest.raises(DomainError) as refused:
        await issue.issue_one(coordinator, world.event_id, failed)
    assert refused.value.code == "not_eligible"
    await eligibility.set_override(coordinator, world.event_id, failed, "yes", "Sat the test on paper, lost sheet")
    assert (await eligibility.standing(event, failed)).reason == "override_yes"
    certificate, created = await issue.issue_one(coordinator, world.event_id, failed)
    assert created and certificate["serial"]
    entry = await AuditEntry.select().where(AuditEntry.action == "certificate.override").first()
    assert entry["record_id"] == str(failed) and "lost sheet" in entry["note"]


async def test_the_pass_mark_is_set_by_event_staff_and_audited(create_user):
    world = await make_world()
    organizer = await create_user("organizer", districts=("khulna",))
    await setup.assign(organizer, world.event_id, {"stage": "post", "quiz": str(world.quiz_id), "pass_mark": "70"})
    assert (await setup.event_quizzes(world.event_id))["post"]["pass_mark"] == 70
    entry = await AuditEntry.select().where(AuditEntry.action == "evaluation.event_quiz").output(load_json=True).first()
    assert entry["after"]["pass_mark"] == 70 and entry["note"] == "certificate rule changed"
    # Emptying the field takes the pass mark away: attendance alone decides again.
    await setup.assign(organizer, world.event_id, {"stage": "post", "quiz": str(world.quiz_id), "pass_mark": ""})
    assert (await setup.event_quizzes(world.event_id))["post"]["pass_mark"] is None


async def test_a_trainer_runs_the_test_but_does_not_change_the_certificate_rule(create_user):
    from portal.events.tables import Participant, Registration

    world = await make_world()
    trainer = await create_user("trainer")
    registration = await make_registration(world.event_id, role="trainer")
    person = (await Registration.select(Registration.participant).where(Registration.id == registration).first())
    await Participant.update({Participant.email: trainer.email}).where(Participant.id == person["participant"])
    await setup.change(trainer, world.event_id, "post", "close")
    with pytest.raises(access.Forbidden) as refused:
        await setup.assign(trainer, world.event_id, {"stage": "post", "quiz": str(world.quiz_id), "pass_mark": "50"})
    assert refused.value.status_code == 403
    # Saving the session without touching the pass mark is fine.
    await setup.assign(trainer, world.event_id, {"stage": "post", "quiz": str(world.quiz_id),
                                                 "session": str(world.sessions[1])})
    assert (await setup.event_quizzes(world.event_id))["post"]["session"] == world.sessions[1]


async def test_a_pass_mark_out_of_range_is_refused(create_user):
    from portal.core.errors import ValidationFailed

    world = await make_world()
    coordinator = await create_user("coordinator")
    for value in ("0", "101", "abc", "-5"):
        with pytest.raises(ValidationFailed) as refused:
            await setup.assign(coordinator, world.event_id, {"stage": "post", "quiz": str(world.quiz_id),
                                                              "pass_mark": value})
        assert "pass_mark" in refused.value.errors
