"""Builders for evaluation tests: a course bank with every kind of question, a test, an event that gives
it as pre- and post-test (import these; the fixtures in conftest.py wrap them)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.audit import Actor
from portal.evaluation import attempts, bank
from portal.evaluation.tables import EventQuiz
from portal.trainings import services as trainings
from tests.factories import make_event_with_sessions

SYSTEM = Actor.system("tests")

# One question of each kind: (form, the answer that is right as form values, a wrong one).
QUESTIONS = [
    ({"kind": "single", "text_en": "Who leads reintegration services in a district?",
      "text_bn": "জেলায় পুনঃএকীকরণ সেবার নেতৃত্ব কে দেন?", "points": "1", "choice_en_0": "The DEMO",
      "choice_bn_0": "ডেমো", "choice_en_1": "The bank", "choice_en_2": "Nobody", "correct": ["0"]}, ["0"], ["1"]),
    ({"kind": "multiple", "text_en": "Which are parts of reintegration?", "points": "2", "choice_en_0": "Economic",
      "choice_en_1": "Social", "choice_en_2": "Weather", "choice_en_3": "Psychosocial", "correct": ["0", "1", "3"]},
     ["0", "1", "3"], ["0", "1"]),
    ({"kind": "true_false", "text_en": "Returnees need no support.", "text_bn": "প্রত্যাগতদের কোনো সহায়তা লাগে না।",
      "points": "1", "tf": "1"}, ["1"], ["0"]),
    ({"kind": "short", "text_en": "Name the approach taught in this course (one word).", "points": "1",
      "accepted": "Integrated\nসমন্বিত"}, ["  integrated. "], ["isolated"]),
]


@dataclass(frozen=True)
class World:
    """A course bank, a test of its four questions, an event giving it as pre- and post-test."""

    course_id: int
    quiz_id: int
    question_ids: list[int]
    event_id: int
    sessions: list[int]
    pre: int  # event quiz ids
    post: int


async def make_bank(title: str = "Reintegration course") -> tuple[int, int, list[int]]:
    """A course with the four questions and a test of all of them: (course id, quiz id, question ids)."""
    course_id = await trainings.create_course({"title": title}, SYSTEM)
    ids = [await bank.create_question(course_id, form, SYSTEM) for form, _, _ in QUESTIONS]
    quiz_id = await bank.save_quiz(course_id, None, {"title": "Knowledge test", "questions": [str(i) for i in ids]},
                                   SYSTEM)
    return course_id, quiz_id, ids


async def make_world(district: str = "khulna", pass_mark: int | None = None, time_limit: int | None = None) -> World:
    """The bank, an event of the course with two sessions, its pre- and post-test (both open)."""
    course_id, quiz_id, ids = await make_bank()
    if time_limit:
        await bank.save_quiz(course_id, quiz_id, {"title": "Knowledge test", "time_limit": str(time_limit),
                                                  "questions": [str(i) for i in ids]}, SYSTEM)
    event_id, sessions = await make_event_with_sessions(district=district, days=2, course=course_id)
    stage_ids = {}
    for stage in ("pre", "post"):
        row = EventQuiz(event=event_id, stage=stage, quiz=quiz_id, state="open",
                        pass_mark=pass_mark if stage == "post" else None)
        await row.save()
        stage_ids[stage] = row.id
    return World(course_id, quiz_id, ids, event_id, sessions, stage_ids["pre"], stage_ids["post"])


def answers(world: World, right: list[bool]) -> dict[str, list[str]]:
    """Form values answering the four questions right (True) or wrong (False)."""
    return {f"q{qid}": (QUESTIONS[i][1] if ok else QUESTIONS[i][2]) for i, (qid, ok) in
            enumerate(zip(world.question_ids, right, strict=True))}


async def take(world: World, registration_id: int, stage: str, right: list[bool]) -> dict:
    """A phone attempt at a stage, sent with these answers; the attempt."""
    attempt = await attempts.start(world.pre if stage == "pre" else world.post, registration_id)
    done, _ = await attempts.submit(attempt["key"], answers(world, right))
    return done




async def access_world(user, event_id: int, course_id: int) -> dict:
    """For the access sweep (tests/test_access.py): a question and a test in the course's bank, the event's
    pre-test and a feedback form; participant credentials that match nothing."""
    from portal.evaluation import setup

    question_id = await bank.create_question(course_id, QUESTIONS[0][0], user.actor())
    quiz_id = await bank.save_quiz(course_id, None, {"title": "Sweep test", "questions": [str(question_id)]},
                                   user.actor())
    await setup.assign(user, event_id, {"stage": "pre", "quiz": str(quiz_id)})
    form_id = await setup.add_form(user, event_id, {})
    event_quiz_id = (await setup.get_event_quiz(event_id, "pre"))["id"]
    return {"question_id": question_id, "quiz_id": quiz_id, "stage": "pre", "form_id": form_id,
            "event_quiz_id": event_quiz_id, "attempt_key": "no-such-attempt", "feedback_pass": "1-1-forged"}
