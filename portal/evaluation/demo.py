"""Demo data of tests and feedback: a course question bank in English and Bangla, a knowledge test, the
past ToT's pre- and post-test with its participants' answers, a feedback form with responses, and the
same tests set up (closed) for the coming ToT. Called by portal.demo before certificates are issued,
so the past ToT's pass mark decides who became a master trainer."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

from portal.auth.services import CurrentUser
from portal.evaluation import attempts, bank, feedback, setup
from portal.evaluation.tables import Answer, Attempt, EventQuiz, FeedbackForm
from portal.events.checkin import services as checkin
from portal.events.management.services import list_sessions
from portal.events.tables import Registration

QUESTIONS: list[dict[str, Any]] = [
    {"kind": "single", "points": "1", "correct": ["0"],
     "text_en": "What does sustainable reintegration mean for a returnee?",
     "text_bn": "একজন প্রত্যাগত অভিবাসীর জন্য টেকসই পুনঃএকীকরণ বলতে কী বোঝায়?",
     "choices": [("Economic self-sufficiency, social stability and psychosocial well-being",
                  "অর্থনৈতিক স্বনির্ভরতা, সামাজিক স্থিতিশীলতা ও মনোসামাজিক সুস্থতা"),
                 ("Finding a job abroad again", "আবার বিদেশে কাজ খুঁজে পাওয়া"),
                 ("Receiving a one-off cash grant", "এককালীন নগদ অনুদান পাওয়া")]},
    {"kind": "multiple", "points": "2", "correct": ["0", "1", "2"],
     "text_en": "Which are the dimensions of reintegration in the integrated approach?",
     "text_bn": "সমন্বিত পদ্ধতিতে পুনঃএকীকরণের মাত্রাগুলো কী কী?",
     "choices": [("Economic", "অর্থনৈতিক"), ("Social", "সামাজিক"), ("Psychosocial", "মনোসামাজিক"),
                 ("Political", "রাজনৈতিক")]},
    {"kind": "true_false", "points": "1", "tf": "1",
     "text_en": "Reintegration support should start only after the migrant has come home.",
     "text_bn": "অভিবাসী দেশে ফেরার পরেই কেবল পুনঃএকীকরণ সহায়তা শুরু করা উচিত।"},
    {"kind": "single", "points": "1", "correct": ["0"],
     "text_en": "Which office in a district coordinates services for returnee migrants?",
     "text_bn": "জেলায় প্রত্যাগত অভিবাসীদের সেবা কোন অফিস সমন্বয় করে?",
     "choices": [("District Employment and Manpower Office (DEMO)", "জেলা কর্মসংস্থান ও জনশক্তি অফিস (ডেমো)"),
                 ("Union Parishad", "ইউনিয়ন পরিষদ"), ("District hospital", "জেলা হাসপাতাল")]},
    {"kind": "true_false", "points": "1", "tf": "0",
     "text_en": "Family members of returnees can also receive reintegration support.",
     "text_bn": "প্রত্যাগতদের পরিবারের সদস্যরাও পুনঃএকীকরণ সহায়তা পেতে পারেন।"},
    {"kind": "short", "points": "1", "accepted": "3\nthree\nতিন",
     "text_en": "How many dimensions does the integrated approach have? (a number)",
     "text_bn": "সমন্বিত পদ্ধতির কয়টি মাত্রা আছে? (একটি সংখ্যা)"},
    {"kind": "single", "points": "1", "correct": ["0"],
     "text_en": "What is the first step of case management with a returnee?",
     "text_bn": "একজন প্রত্যাগতের কেস ব্যবস্থাপনার প্রথম ধাপ কী?",
     "choices": [("Assessing their needs", "চাহিদা মূল্যায়ন"), ("Closing the case", "কেস বন্ধ করা"),
                 ("Giving a loan", "ঋণ দেওয়া")]},
    {"kind": "multiple", "points": "2", "correct": ["0", "1", "3"],
     "text_en": "Which can be signs that a returnee needs psychosocial support?",
     "text_bn": "কোনগুলো প্রত্যাগতের মনোসামাজিক সহায়তার প্রয়োজনের লক্ষণ হতে পারে?",
     "choices": [("Trouble sleeping", "ঘুমের সমস্যা"), ("Withdrawing from family", "পরিবার থেকে দূরে সরে যাওয়া"),
                 ("Starting a new job", "নতুন চাকরি শুরু করা"), ("Lasting anxiety", "দীর্ঘস্থায়ী উদ্বেগ")]},
    {"kind": "true_false", "points": "1", "tf": "1",
     "text_en": "An urgent referral may be made without the returnee's consent.",
     "text_bn": "জরুরি হলে প্রত্যাগতের সম্মতি ছাড়াই রেফারেল করা যায়।"},
    {"kind": "short", "points": "1", "accepted": "reintegration plan\nপুনঃএকীকরণ পরিকল্পনা",
     "text_en": "Which document records a returnee's agreed goals and services? (two words)",
     "text_bn": "কোন নথিতে প্রত্যাগতের সম্মত লক্ষ্য ও সেবা লেখা থাকে? (দুই শব্দ)"},
]
WRONG_SHORT = ["two", "job plan", "৪", ""]
COMMENTS = [
    ("The case studies on referral pathways", "More time for role plays"),
    ("কেস স্টাডি ও দলগত কাজ", "আরও মাঠ পর্যায়ের উদাহরণ"),
    ("Learning the DEMO's services", ""),
    ("", "The hall was too hot in the afternoon"),
    ("Psychosocial first aid session", "Share the slides before the training"),
    ("মনোসামাজিক সহায়তার অধিবেশন", ""),
]


def _form(question: dict[str, Any]) -> dict[str, Any]:
    form = {k: v for k, v in question.items() if k != "choices"}
    for i, (en, bn) in enumerate(question.get("choices", [])):
        form[f"choice_en_{i}"], form[f"choice_bn_{i}"] = en, bn
    return form


def _values(question: dict[str, Any], right: bool, rng: random.Random) -> list[str]:
    """Form values answering a bank question right or wrong (as a participant would)."""
    if question["kind"] == "short":
        return [question["accepted"].splitlines()[rng.randrange(2)]] if right else [rng.choice(WRONG_SHORT)]
    correct = set(question["correct"]) if question["kind"] != "true_false" else {question["tf"]}
    if right:
        return sorted(correct)
    count = len(question.get("choices", [])) or 2
    wrong = [str(i) for i in range(count) if str(i) not in correct]
    return [rng.choice(wrong)] if question["kind"] != "multiple" else sorted(correct)[:1]


async def _attempt(eq_id: int, registration_id: int, quiz_questions: list[dict[str, Any]], values: dict,
                   at: dt.datetime, via: str, user_id: int | None) -> None:
    scored = attempts.score_all(quiz_questions, values)
    row = Attempt(event_quiz=eq_id, registration=registration_id, number=1, key=secrets.token_urlsafe(16), via=via,
                  started_at=at, deadline=at + dt.timedelta(minutes=20) if via == "phone" else None,
                  submitted_at=at + dt.timedelta(minutes=12), score=sum(s.points for s in scored),
                  max_score=sum(q["points"] for q in quiz_questions), entered_by=user_id if via == "paper" else None)
    await row.save()
    await Answer.insert(*[Answer(attempt=row.id, question=q["id"], correct=s.correct, points=s.points,
                                 response=None if s.response is None else json.dumps(s.response, ensure_ascii=False))
                          for q, s in zip(quiz_questions, scored, strict=True)])


async def load(coordinator: CurrentUser, course_id: int, past_tot: int, coming_tot: int, seed: int = 19) -> str:
    """Bank, test, the past ToT's results and feedback, the coming ToT's set-up; a line for the demo message."""
    rng = random.Random(seed)
    actor = coordinator.actor()
    ids = [await bank.create_question(course_id, _form(q), actor) for q in QUESTIONS]
    quiz_id = await bank.save_quiz(course_id, None, {
        "title": "Knowledge test: sustainable reintegration", "title_bn": "জ্ঞান যাচাই: টেকসই পুনঃএকীকরণ",
        "time_limit": "20", "questions": [str(i) for i in ids]}, actor)
    questions = await bank.quiz_questions(quiz_id)
    for event_id in (past_tot, coming_tot):
        sessions = await list_sessions(event_id)
        for stage, session in (("pre", sessions[0]), ("post", sessions[-1])):
            await setup.assign(coordinator, event_id, {"stage": stage, "quiz": str(quiz_id),
                                                       "session": str(session["id"]), "pass_mark": "60"})
        await setup.add_form(coordinator, event_id, {})
    await EventQuiz.update({EventQuiz.released: True}).where(EventQuiz.event == past_tot)
    sessions = await list_sessions(past_tot)
    quizzes = await setup.event_quizzes(past_tot)
    people = await Registration.select(Registration.id).where(
        (Registration.event == past_tot) & (Registration.role == "participant"))
    taken = 0
    for n, person in enumerate(people):
        present = await checkin.attended(person["id"])
        ability = rng.uniform(-0.25, 0.2)
        for stage, session, chance in (("pre", sessions[0], 0.5), ("post", sessions[-1], 0.72)):
            if session["id"] not in present:
                continue
            values = {f"q{q['id']}": _values(QUESTIONS[i], rng.random() < chance + ability, rng)
                      for i, q in enumerate(questions)}
            at = session["starts_at"] + (dt.timedelta(minutes=15) if stage == "pre" else dt.timedelta(hours=6))
            await _attempt(quizzes[stage]["id"], person["id"], questions, values, at,
                           "paper" if n % 7 == 3 else "phone", coordinator.id)
            taken += 1
    form = await FeedbackForm.select(FeedbackForm.id).where(FeedbackForm.event == past_tot).first()
    await FeedbackForm.update({FeedbackForm.state: "open"}).where(FeedbackForm.id == form["id"])
    answered = 0
    for person in people:
        if rng.random() < 0.8 and sessions[-1]["id"] in await checkin.attended(person["id"]):
            useful, improve = rng.choice(COMMENTS) if rng.random() < 0.6 else ("", "")
            marks = {k: str(min(5, max(2, round(rng.gauss(4.1 if k != "logistics" else 3.4, 0.8)))))
                     for k in ("content", "facilitators", "logistics", "overall")}
            await feedback.submit(form["id"], person["id"], {**marks, "useful": useful, "improve": improve})
            answered += 1
    await FeedbackForm.update({FeedbackForm.state: "closed"}).where(FeedbackForm.id == form["id"])
    return (f"a question bank of {len(ids)} questions, the past ToT's pre- and post-test ({taken} answered) "
            f"and {answered} feedback responses")
