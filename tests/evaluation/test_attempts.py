"""Taking a test: one attempt unless another is allowed, resends counted once, the time limit."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from portal.evaluation import attempts, setup
from portal.evaluation.tables import Answer, Attempt, EventQuiz
from tests.evaluation.worlds import answers
from tests.factories import make_registration

pytestmark = pytest.mark.anyio
ALL_RIGHT, ALL_WRONG = [True] * 4, [False] * 4


async def test_a_resend_after_a_lost_answer_is_not_counted_twice(world):
    registration = await make_registration(world.event_id)
    attempt = await attempts.start(world.pre, registration)
    first, stored = await attempts.submit(attempt["key"], answers(world, [True, True, False, False]))
    # The phone never saw the answer and sends again, this time with answers changed after the fact.
    again, stored_again = await attempts.submit(attempt["key"], answers(world, ALL_RIGHT))
    assert (stored, stored_again) == (True, False)
    assert again["score"] == first["score"] == 3
    assert await Attempt.count() == 1
    assert await Answer.count() == 4


async def test_two_sends_at_the_same_moment_store_one(world):
    registration = await make_registration(world.event_id)
    attempt = await attempts.start(world.pre, registration)
    outcomes = await asyncio.gather(*[attempts.submit(attempt["key"], answers(world, ALL_RIGHT)) for _ in range(4)])
    assert sorted(stored for _, stored in outcomes) == [False, False, False, True]
    assert await Answer.count() == 4


async def test_starting_twice_resumes_the_attempt_in_progress(world):
    registration = await make_registration(world.event_id)
    first = await attempts.start(world.pre, registration)
    assert (await attempts.start(world.pre, registration))["key"] == first["key"]
    assert await Attempt.count() == 1


async def test_one_attempt_unless_the_trainer_allows_another(world, create_user):
    registration = await make_registration(world.event_id)
    attempt = await attempts.start(world.pre, registration)
    await attempts.submit(attempt["key"], answers(world, ALL_WRONG))
    with pytest.raises(attempts.AttemptRefused) as refused:
        await attempts.start(world.pre, registration)
    assert refused.value.code == "no_attempts_left"
    await setup.allow_another(await create_user("coordinator"), world.event_id, "pre", registration)
    second = await attempts.start(world.pre, registration)
    assert second["number"] == 2 and second["key"] != attempt["key"]


async def test_a_closed_test_cannot_be_started_but_answers_begun_are_still_taken(world):
    registration = await make_registration(world.event_id)
    attempt = await attempts.start(world.post, registration)
    await EventQuiz.update({EventQuiz.state: "closed"}).where(EventQuiz.id == world.post)
    _, stored = await attempts.submit(attempt["key"], answers(world, ALL_RIGHT))
    assert stored
    other = await make_registration(world.event_id)
    with pytest.raises(attempts.AttemptRefused) as refused:
        await attempts.start(world.post, other)
    assert refused.value.code == "not_open"


async def test_only_seated_participants_take_tests(world):
    for kwargs in ({"role": "trainer"}, {"status": "cancelled"}, {"status": "waitlisted"}):
        registration = await make_registration(world.event_id, **kwargs)
        with pytest.raises(attempts.AttemptRefused) as refused:
            await attempts.start(world.pre, registration)
        assert refused.value.code == "not_a_participant"


async def test_answers_after_the_time_limit_are_kept_and_marked_late(clock, db):
    from tests.evaluation.worlds import make_world

    world = await make_world(time_limit=10)
    on_time, late = await make_registration(world.event_id), await make_registration(world.event_id)
    a = await attempts.start(world.pre, on_time)
    b = await attempts.start(world.pre, late)
    assert a["deadline"] - a["started_at"] == dt.timedelta(minutes=10)
    clock.advance(dt.timedelta(minutes=11))  # within the two minutes' grace
    assert not (await attempts.submit(a["key"], answers(world, ALL_RIGHT)))[0]["late"]
    clock.advance(dt.timedelta(minutes=5))  # the link came back a quarter of an hour late
    done, stored = await attempts.submit(b["key"], answers(world, ALL_RIGHT))
    assert stored and done["late"] and done["score"] == 5


async def test_attempt_page_and_resend_over_http(client, world):
    registration = await make_registration(world.event_id)
    token = (await attempts.registration(registration))["ticket_token"]
    intro = await client.get(f"/t/{token}/tests/{world.pre}")
    assert intro.status_code == 200 and "Start the test" in intro.text
    csrf = client.cookies["csrftoken"]
    started = await client.post(f"/t/{token}/tests/{world.pre}", data={"_csrf_token": csrf})
    assert started.status_code == 303
    url = started.headers["location"]
    page = await client.get(url)
    assert page.status_code == 200 and 'data-offline="attempt:' in page.text
    assert page.headers["cache-control"] == "private, no-store"
    form = {"_csrf_token": csrf, **answers(world, ALL_RIGHT)}
    for _ in range(2):  # the first answer was lost on the way back: the phone sends again
        sent = await client.post(url, data=form)
        assert sent.status_code == 303 and sent.headers["location"] == url
    assert await Attempt.count() == 1 and await Answer.count() == 4
    result = await client.get(url)
    assert "answers were received" in result.text and "Your score:" not in result.text  # not released yet
    await EventQuiz.update({EventQuiz.released: True}).where(EventQuiz.id == world.pre)
    assert "Your score: 5 of 5 points (100%)" in (await client.get(url)).text
    ticket = await client.get(f"/t/{token}")
    assert "Tests and feedback" in ticket.text and "your score: 100%" in ticket.text


async def test_removing_the_session_a_test_is_given_in_keeps_the_test(world, create_user):
    from portal.events.management import services

    coordinator = await create_user("coordinator")
    await setup.assign(coordinator, world.event_id, {"stage": "pre", "quiz": str(world.quiz_id),
                                                     "session": str(world.sessions[1])})
    form_id = await setup.add_form(coordinator, world.event_id, {"session": str(world.sessions[1])})
    await services.delete_session(world.event_id, world.sessions[1], coordinator)
    pre = (await setup.event_quizzes(world.event_id))["pre"]
    assert pre["session"] is None and pre["quiz"] == world.quiz_id
    assert [f["session"] for f in await setup.feedback_forms(world.event_id) if f["id"] == form_id] == [None]
