"""A participant takes the pre-test and the post-test on a 360 px phone, the second time with the network cut
in the middle; the answers wait on the phone, go when the link is back, and count once. Then a trainer reads
the results page. Everything is set up through the staff pages, as a coordinator would."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flow import PHONE_360, log_in, post, seed
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.test_pages_quality import serious_violations, small_targets

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"kind": "single", "text_en": "Which office coordinates services for returnees?",
     "text_bn": "প্রত্যাগতদের সেবা কোন অফিস সমন্বয় করে?", "points": "2", "choice_en_0": "The DEMO",
     "choice_bn_0": "ডেমো", "choice_en_1": "The post office", "correct": ["0"]},
    {"kind": "true_false", "text_en": "Families of returnees can get support too.", "points": "1", "tf": "0"},
    {"kind": "short", "text_en": "How many dimensions does reintegration have? (a number)", "points": "1",
     "accepted": "3\nthree"},
]


def post_many(page, url: str, form: dict) -> object:
    """A form POST whose fields may repeat (the ticked questions, the correct choices)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(url, data=urlencode({**form, "_csrf_token": token}, doseq=True),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status < 400, response.text()
    return response


def set_up(page, base: str):
    """An event of a course with a three-question test as its pre- and post-test, both open; one person."""
    log_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    seeded = seed(page, base, title="Reintegration ToT, Jashore", name="Shirin Akter", name_bn="শিরিন আক্তার",
                  phone="01712-345678")
    course = post(page, f"{base}/manage/courses", {"title": "Sustainable reintegration"})
    course_id = int(re.search(r"/manage/courses/(\d+)", course.url).group(1))
    post(page, f"{base}/manage/courses/{course_id}/events", {"event": str(seeded.event_id)})
    for question in QUESTIONS:
        post_many(page, f"{base}/manage/evaluation/courses/{course_id}/questions", question)
    page.goto(f"{base}/manage/evaluation/courses/{course_id}/tests/new")
    ids = [box.get_attribute("value") for box in page.locator("input[name=questions]").all()]
    post_many(page, f"{base}/manage/evaluation/courses/{course_id}/tests",
         {"title": "Knowledge test", "title_bn": "জ্ঞান যাচাই", "time_limit": "15", "questions": ids})
    page.goto(f"{base}/manage/events/{seeded.event_id}/evaluation")
    quiz_id = page.locator("#quiz-pre option").first.get_attribute("value")
    for stage in ("pre", "post"):
        post(page, f"{base}/manage/events/{seeded.event_id}/evaluation/tests", {"stage": stage, "quiz": quiz_id})
        post(page, f"{base}/manage/events/{seeded.event_id}/evaluation/tests/{stage}", {"action": "open"})
    return seeded


def answer(phone, choice_label: str | None = None, text: str | None = None) -> None:
    """Answer the question on screen and move on (the last one has no Next)."""
    current = phone.locator("fieldset.question.current")
    if text is not None:
        current.locator("input").fill(text)
    else:
        current.locator("label.choice", has_text=choice_label).click()
    following = phone.locator("button[data-step='1']")
    if following.is_visible():
        following.click()


def take(phone, stage_link: str) -> None:
    phone.get_by_role("link", name=stage_link).click()
    phone.get_by_role("button", name="Start the test").click()
    expect(phone.locator(".q-progress")).to_have_text("Question 1 of 3")


def test_pre_and_post_test_on_a_phone_with_the_network_cut(live_server, browser):
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    seeded = set_up(staff, live_server)

    context = browser.new_context(**PHONE_360, locale="en-GB")
    phone = context.new_page()
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(f"{live_server}/t/{seeded.token}")
    expect(phone.get_by_role("heading", name="Tests and feedback")).to_be_visible()

    # Pre-test: one question a screen, Send only on the last; 1 of 4 points (the true/false one).
    take(phone, "Pre-test")
    expect(phone.get_by_role("button", name="Send my answers")).to_be_hidden()
    assert serious_violations(phone) == [] and small_targets(phone) == []
    answer(phone, "The post office")
    answer(phone, "True")
    expect(phone.locator(".send-status")).to_have_text("Questions not answered: 1. You can go back, or send now.")
    answer(phone, text="five")
    screenshot(phone, "evaluation-pre-test-last-question-360")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("[data-received]")).to_contain_text("Your answers were received")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # Post-test: the link drops after the first answer; the rest is answered and sent offline.
    phone.goto(f"{live_server}/t/{seeded.token}")
    take(phone, "Post-test")
    answer(phone, "The DEMO")
    context.set_offline(True)
    answer(phone, "True")
    answer(phone, text="৩")  # a Bangla digit is the same answer as 3
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator(".send-status")).to_contain_text("No connection")
    assert phone.evaluate("Object.keys(localStorage).some((k) => k.startsWith('outbox:attempt:'))")
    screenshot(phone, "evaluation-post-test-offline-360")
    staff.goto(f"{live_server}/manage/events/{seeded.event_id}/evaluation/results")
    expect(staff.locator(".figures-grid")).to_contain_text("0 took the post-test")
    context.set_offline(False)  # the browser says "online": the phone sends the waiting answers
    expect(phone.locator("[data-received]")).to_contain_text("Your answers were received", timeout=20_000)
    assert not phone.evaluate("Object.keys(localStorage).some((k) => k.startsWith('outbox:'))")
    attempt_url = phone.url
    # Sending again (a phone that never saw the answer would) changes nothing.
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    again = phone.request.post(attempt_url, form={"_csrf_token": token, "q1": "1", "q2": "1"})
    assert again.ok
    screenshot(phone, "evaluation-post-test-received-360")
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []  # only the send the cut link refused

    # The trainer looks at the results: 25% before, 100% after, one person counted once, +75 points.
    staff.goto(f"{live_server}/manage/events/{seeded.event_id}/evaluation/results")
    grid = staff.locator(".figures-grid")
    for text in ("1 took the pre-test", "1 took the post-test", "1 took both", "25% average pre-test score",
                 "100% average post-test score", "+75 average gain", "100% with increased knowledge (1 of 1)"):
        expect(grid).to_contain_text(text)
    row = staff.locator("tbody tr", has_text="Shirin Akter")
    expect(row).to_contain_text("25%")
    expect(row).to_contain_text("100%")
    expect(row).not_to_contain_text("attempts")
    assert serious_violations(staff) == []
    screenshot(staff, "evaluation-results-desktop")
    # Released, the participant sees the score and which answers were right.
    post(staff, f"{live_server}/manage/events/{seeded.event_id}/evaluation/tests/post", {"action": "release"})
    phone.goto(attempt_url)
    expect(phone.locator(".score")).to_have_text("Your score: 4 of 4 points (100%)")
    context.close()
    staff_context.close()
