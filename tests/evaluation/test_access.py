"""Who sees what: a participant only their own answers; trainers only the events they teach and the
banks of the courses they teach; organizers their districts; coordinators everything."""

from __future__ import annotations

import pytest

from portal.evaluation import attempts
from portal.events.tables import Participant, Registration
from tests.evaluation.worlds import answers, make_world
from tests.factories import make_registration, ticket_token

pytestmark = pytest.mark.anyio


async def _as_trainer_of(user, event_id: int) -> None:
    """Register the staff user (by email) as trainer of the event."""
    registration = await make_registration(event_id, role="trainer")
    person = await Registration.select(Registration.participant).where(Registration.id == registration).first()
    await Participant.update({Participant.email: user.email}).where(Participant.id == person["participant"])


async def test_a_participant_sees_only_their_own_answers(client, world):
    mine, theirs = await make_registration(world.event_id), await make_registration(world.event_id)
    a = await attempts.start(world.pre, mine)
    b = await attempts.start(world.pre, theirs)
    await attempts.submit(a["key"], {**answers(world, [True] * 4), f"q{world.question_ids[3]}": ["my own words"]})
    await attempts.submit(b["key"], {**answers(world, [True] * 4), f"q{world.question_ids[3]}": ["their words"]})
    from portal.evaluation.tables import EventQuiz

    await EventQuiz.update({EventQuiz.released: True}).where(EventQuiz.id == world.pre)
    page = (await client.get(f"/a/{a['key']}")).text
    assert "my own words" in page and "their words" not in page
    # A ticket opens its own attempts only: another person's test page, by another event's id, is not found.
    other = await make_world(district="dhaka")
    token = await ticket_token(mine)
    assert (await client.get(f"/t/{token}/tests/{other.pre}")).status_code == 404
    assert (await client.get("/a/not-a-key")).status_code == 404
    # The ticket page of one person does not list another's score.
    assert "their words" not in (await client.get(f"/t/{token}")).text


@pytest.mark.parametrize(("role", "teaches", "status"), [
    ("coordinator", False, 200), ("admin", False, 200), ("organizer_in", False, 200), ("organizer_out", False, 404),
    ("trainer", True, 200), ("trainer", False, 404),
])
async def test_results_of_an_event_by_role(client, world, create_user, login, role, teaches, status):
    districts = {"organizer_in": ("khulna",), "organizer_out": ("sylhet",)}.get(role, ())
    user = await create_user(role.split("_")[0], districts=districts)
    if teaches:
        await _as_trainer_of(user, world.event_id)
    await login(client, user)
    for path in ("", "results", "tests/pre/entry", "tests/pre/paper.pdf"):
        response = await client.get(f"/manage/events/{world.event_id}/evaluation/{path}")
        assert response.status_code == status, path
    listing = await client.get("/manage/evaluation")
    assert (f"/manage/events/{world.event_id}/evaluation" in listing.text) is (status == 200)


async def test_a_trainer_builds_the_bank_of_a_course_they_teach_only(client, world, create_user, login):
    trainer = await create_user("trainer")
    await login(client, trainer)
    assert (await client.get(f"/manage/evaluation/courses/{world.course_id}")).status_code == 404
    assert (await client.get(f"/manage/evaluation/questions/{world.question_ids[0]}")).status_code == 404
    await _as_trainer_of(trainer, world.event_id)
    assert (await client.get(f"/manage/evaluation/courses/{world.course_id}")).status_code == 200
    assert (await client.get(f"/manage/evaluation/tests/{world.quiz_id}")).status_code == 200


async def test_a_trainer_may_not_change_the_pass_mark_over_http(client, world, create_user, login):
    trainer = await create_user("trainer")
    await _as_trainer_of(trainer, world.event_id)
    await login(client, trainer)
    response = await client.post(f"/manage/events/{world.event_id}/evaluation/tests", data={
        "stage": "post", "quiz": str(world.quiz_id), "pass_mark": "80"})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Only organizers and coordinators change the certificate rule." in page.text
    from portal.evaluation import setup

    assert (await setup.event_quizzes(world.event_id))["post"]["pass_mark"] is None
