"""Staff pages of tests and feedback, as a coordinator uses them, and the venue code on a phone."""

from __future__ import annotations

import io

import pypdf
import pytest

from portal.core import clock as portal_clock
from portal.evaluation.tables import Answer, Attempt, EventQuiz, Question, Quiz
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import Registration
from tests.evaluation.worlds import take
from tests.factories import make_registration, ticket_token

pytestmark = pytest.mark.anyio


async def test_build_a_bank_and_a_test_through_the_pages(staff_client, world):
    base = f"/manage/evaluation/courses/{world.course_id}"
    assert "Knowledge test" in (await staff_client.get(base)).text
    bad = await staff_client.post(f"{base}/questions", data={"kind": "single", "text_en": "Which?",
                                                             "choice_en_0": "One", "choice_en_1": "Two"})
    assert bad.status_code == 422 and "Mark exactly one choice as correct." in bad.text
    made = await staff_client.post(f"{base}/questions", data={
        "kind": "multiple", "text_en": "Pick the services", "text_bn": "সেবাগুলো বাছুন", "points": "2",
        "choice_en_0": "Counselling", "choice_en_1": "Loans", "choice_en_2": "Lottery", "correct": ["0", "1"]})
    assert made.status_code == 303
    question = await Question.select().where(Question.text_en == "Pick the services").output(load_json=True).first()
    assert [c["correct"] for c in question["choices"]] == [True, True, False]
    chosen = [str(question["id"]), str(world.question_ids[0])]
    test = await staff_client.post(f"{base}/tests", data={"title": "Parallel form B", "time_limit": "15",
                                                          "questions": chosen,
                                                          f"position_{question['id']}": "2",
                                                          f"position_{world.question_ids[0]}": "1"})
    assert test.status_code == 303
    quiz = await Quiz.select().where(Quiz.title == "Parallel form B").first()
    assert quiz["time_limit"] == 15
    from portal.evaluation import bank

    assert [q["id"] for q in await bank.quiz_questions(quiz["id"])] == [world.question_ids[0], question["id"]]
    no_limit = await staff_client.post(f"/manage/evaluation/tests/{quiz['id']}", data={
        "title": "Parallel form B", "time_limit": "999", "questions": [str(question["id"])]})
    assert no_limit.status_code == 422 and "from 1 to 240" in no_limit.text


async def test_a_question_people_answered_keeps_its_answer(staff_client, world):
    await take(world, await make_registration(world.event_id), "pre", [True] * 4)
    url = f"/manage/evaluation/questions/{world.question_ids[0]}"
    page = await staff_client.get(url)
    assert "its answer and points stay as they are" in page.text
    changed = await staff_client.post(url, data={"kind": "single", "text_en": "Who leads?", "points": "1",
                                                 "choice_en_0": "The DEMO", "choice_en_1": "The bank",
                                                 "correct": ["1"]})
    assert changed.status_code == 409
    reworded = await staff_client.post(url, data={"kind": "single", "text_en": "Who leads the services?",
                                                  "points": "1", "choice_en_0": "The DEMO", "choice_en_1": "The bank",
                                                  "choice_en_2": "Nobody", "correct": ["0"]})
    assert reworded.status_code == 303
    archived = await staff_client.post(f"{url}/archive", data={"archived": "on"})
    assert archived.status_code == 303
    assert (await Question.select(Question.archived).where(Question.id == world.question_ids[0]).first())["archived"]


async def test_results_page_shows_figures_and_hardest_questions(staff_client, world):
    a, b = await make_registration(world.event_id), await make_registration(world.event_id)
    await take(world, a, "pre", [True, False, False, False])
    await take(world, a, "post", [True, True, True, True])
    await take(world, b, "pre", [True, True, False, False])
    await take(world, b, "post", [True, True, False, True])
    page = await staff_client.get(f"/manage/events/{world.event_id}/evaluation/results")
    assert page.status_code == 200
    # a: 20 -> 100 (+80); b: 60 -> 80 (+20): average pre 40%, post 90%, gain +50, both increased.
    for text in ("<strong>40%</strong>", "<strong>90%</strong>", "<strong>+50</strong>", "<strong>100%</strong>",
                 "(2 of 2)", "Returnees need no support."):
        assert text in page.text, text


async def test_open_close_and_release_are_audited_and_shown(staff_client, world):
    url = f"/manage/events/{world.event_id}/evaluation"
    for action in ("close", "release"):
        done = await staff_client.post(f"{url}/tests/pre", data={"action": action})
        assert done.status_code == 303
    row = await EventQuiz.select().where(EventQuiz.id == world.pre).first()
    assert (row["state"], row["released"]) == ("closed", True)
    page = await staff_client.get(url)
    assert "Scores released" in page.text and "Open the test" in page.text
    odd = await staff_client.post(f"{url}/tests/pre", data={"action": "explode"})
    assert "Unknown action." in (await staff_client.get(odd.headers["location"])).text


async def test_paper_test_pdf_and_fast_entry(staff_client, world):
    pdf = await staff_client.get(f"/manage/events/{world.event_id}/evaluation/tests/pre/paper.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Who leads reintegration services in a district?" in text and "Answer sheet" in text
    first, second = await make_registration(world.event_id), await make_registration(world.event_id)
    url = f"/manage/events/{world.event_id}/evaluation/tests/pre/entry"
    page = await staff_client.get(f"{url}?registration={first}")
    assert page.status_code == 200 and f'name="q{world.question_ids[1]}"' in page.text
    q = world.question_ids
    saved = await staff_client.post(url, data={"registration": str(first), f"q{q[0]}": "0", f"q{q[1]}": ["0", "1", "3"],
                                               f"q{q[2]}": "1", f"q{q[3]}": "Integrated"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?registration={second}"
    attempt = await Attempt.select().first()
    assert (attempt["via"], attempt["score"], attempt["max_score"]) == ("paper", 5, 5)
    # A typing mistake is corrected by saving the person's sheet again: still one attempt.
    await staff_client.post(url, data={"registration": str(first), f"q{q[0]}": "1"})
    assert await Attempt.count() == 1
    assert (await Attempt.select(Attempt.score).first())["score"] == 0
    assert await Answer.count() == 4
    refill = await staff_client.get(f"{url}?registration={first}")
    assert f'name="q{q[0]}" value="1" checked' in refill.text


async def test_the_venue_code_opens_the_test_with_the_ticket_or_a_phone_number(client, world, settings):
    registration = await make_registration(world.event_id)
    token = await ticket_token(registration)
    session = world.sessions[0]
    await EventQuiz.update({EventQuiz.session: session}).where(EventQuiz.id == world.pre)
    code = selfcheck.code_for(settings.secret_key, session, portal_clock.now().timestamp())
    page = await client.get(f"/q/{session}/{code}")
    assert page.status_code == 200 and "Open it with your phone number" in page.text and "You are" not in page.text
    await client.get(f"/t/{token}")  # the phone now holds the ticket cookie
    page = await client.get(f"/q/{session}/{code}")
    assert "You are" in page.text
    csrf = client.cookies["csrftoken"]
    opened = await client.post(f"/q/{session}/{code}", data={"how": "ticket", "item": f"quiz-{world.pre}",
                                                             "_csrf_token": csrf})
    assert opened.status_code == 303 and opened.headers["location"].startswith("/a/")
    # Another phone, without the ticket: the registered number opens the same attempt, never the ticket.
    client.cookies.delete("ticket")
    person = await Registration.select(Registration.participant.phone.as_alias("phone")).where(
        Registration.id == registration).first()
    by_phone = await client.post(f"/q/{session}/{code}", data={"how": "phone", "item": f"quiz-{world.pre}",
                                                               "phone": person["phone"], "_csrf_token": csrf})
    assert by_phone.headers["location"] == opened.headers["location"]
    unknown = await client.post(f"/q/{session}/{code}", data={"how": "phone", "item": f"quiz-{world.pre}",
                                                              "phone": "01999-000000", "_csrf_token": csrf})
    assert unknown.status_code == 422 and "not registered for this event" in unknown.text
    stale = await client.get(f"/q/{session}/not-a-code")
    assert stale.status_code == 422 and "Scan again" in stale.text


async def test_venue_screen_is_a_page_and_a_polled_fragment(staff_client, world):
    url = f"/manage/events/{world.event_id}/evaluation/sessions/{world.sessions[0]}/venue"
    page = await staff_client.get(url)
    assert page.status_code == 200 and "<h1" in page.text and "hx-trigger=\"every 5s\"" in page.text
    fragment = await staff_client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<h1" not in fragment.text and "<svg" in fragment.text
