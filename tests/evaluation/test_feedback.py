"""Feedback forms: one response a person, anonymous ones without the person, passes that cannot be forged."""

from __future__ import annotations

import pytest

from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.evaluation import feedback, setup
from portal.evaluation.tables import FeedbackForm, FeedbackResponse, FeedbackRoll
from tests.factories import make_registration

pytestmark = pytest.mark.anyio
SECRET = "test-secret-key" * 3
ANSWERS = {"content": "5", "facilitators": "4", "logistics": "", "overall": "4", "useful": "Referral pathways",
           "improve": "More time for the case studies"}


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


async def _form(coordinator, world, **form) -> int:
    form_id = await setup.add_form(coordinator, world.event_id, form)
    await setup.set_form_state(coordinator, world.event_id, form_id, "open")
    return form_id


async def test_anonymous_feedback_keeps_no_person_and_only_the_day(world, coordinator, clock):
    form_id = await _form(coordinator, world)
    registration = await make_registration(world.event_id)
    assert await feedback.submit(form_id, registration, ANSWERS)
    assert not await feedback.submit(form_id, registration, {**ANSWERS, "content": "1"})  # a resend
    [row] = await FeedbackResponse.select()
    assert row["registration"] is None and (row["content"], row["logistics"]) == (5, None)
    local = row["submitted_at"]
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert await FeedbackRoll.count().where(FeedbackRoll.registration == registration) == 1


async def test_named_feedback_keeps_the_registration(world, coordinator):
    form_id = await _form(coordinator, world, named="on")
    registration = await make_registration(world.event_id)
    await feedback.submit(form_id, registration, ANSWERS)
    assert (await FeedbackResponse.select(FeedbackResponse.registration).first())["registration"] == registration


async def test_an_empty_or_late_response_is_refused(world, coordinator):
    form_id = await _form(coordinator, world)
    registration = await make_registration(world.event_id)
    with pytest.raises(ValidationFailed):
        await feedback.submit(form_id, registration, {"content": "9", "useful": "  "})
    await setup.set_form_state(coordinator, world.event_id, form_id, "closed")
    with pytest.raises(DomainError) as refused:
        await feedback.submit(form_id, registration, ANSWERS)
    assert refused.value.code == "not_open"


async def test_one_form_for_the_event_and_one_per_session(world, coordinator):
    await setup.add_form(coordinator, world.event_id, {})
    await setup.add_form(coordinator, world.event_id, {"session": str(world.sessions[0])})
    with pytest.raises(DomainError) as refused:
        await setup.add_form(coordinator, world.event_id, {"session": str(world.sessions[0])})
    assert refused.value.code == "form_exists"
    assert await FeedbackForm.count() == 2


def test_a_pass_opens_one_form_for_one_person():
    code = feedback.pass_for(SECRET, 3, 41)
    assert feedback.read_pass(SECRET, code) == (3, 41)
    for forged in (code.replace("-41-", "-42-"), code[:-1] + ("0" if code[-1] != "0" else "1"), "3-41", "", "a-b-c"):
        with pytest.raises(NotFound):
            feedback.read_pass(SECRET, forged)


async def test_feedback_from_the_ticket_over_http_is_stored_once(client, world, coordinator):
    form_id = await _form(coordinator, world)
    registration = await make_registration(world.event_id)
    from tests.factories import ticket_token

    token = await ticket_token(registration)
    assert "Tell us what you thought" in (await client.get(f"/t/{token}")).text
    link = await client.get(f"/t/{token}/feedback/{form_id}")
    assert link.status_code == 303
    url = link.headers["location"]
    assert url.startswith("/f/") and token not in url  # the pass never carries the ticket
    page = await client.get(url)
    assert page.status_code == 200 and "anonymous" in page.text
    form = {**ANSWERS, "_csrf_token": client.cookies["csrftoken"]}
    for _ in range(2):
        sent = await client.post(url, data=form)
        assert sent.status_code == 303
    assert await FeedbackResponse.count() == 1
    assert "Your feedback is in" in (await client.get(url)).text
    empty = await client.post(url.replace(f"-{registration}-", f"-{registration + 1}-"), data=form)
    assert empty.status_code == 404
