"""A course's question bank and the tests built from it.

A question people have answered keeps what it is scored by (kind, choices and which are correct,
accepted answers, points): scores already given must not change behind the trainers' backs. Its
wording can still be corrected; to change the answer, archive it and add a new question. A test
that has been taken keeps its questions for the same reason.
"""

from __future__ import annotations

from typing import Any

from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.evaluation.scoring import KINDS, normalise_text
from portal.evaluation.tables import Answer, Attempt, EventQuiz, Question, Quiz, QuizItem
from portal.trainings.services import get_course

MAX_CHOICES = 6
MAX_TEXT = 2000
MAX_POINTS = 100
MAX_TIME_LIMIT = 240  # minutes
KIND_LABELS = {"single": N_("Single choice"), "multiple": N_("Multiple choice"), "true_false": N_("True or false"),
               "short": N_("Short answer")}
TRUE_FALSE = [{"en": "True", "bn": "সত্য"}, {"en": "False", "bn": "মিথ্যা"}]


def _text(form: dict[str, Any], name: str, limit: int = MAX_TEXT) -> str:
    return str(form.get(name, "")).strip()[:limit + 1]


def _int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 6 else None


def validate_question(form: dict[str, Any]) -> dict[str, Any]:
    """The question form as column values; ValidationFailed with a message per field."""
    errors: dict[str, str] = {}
    kind = str(form.get("kind", ""))
    if kind not in KINDS:
        errors["kind"] = _("Choose the kind of question.")
    text_en, text_bn = _text(form, "text_en"), _text(form, "text_bn")
    if not text_en and not text_bn:
        errors["text_en"] = _("Write the question in English, in Bangla, or both.")
    if len(text_en) > MAX_TEXT or len(text_bn) > MAX_TEXT:
        errors["text_en"] = _("Keep the question under 2,000 characters.")
    points = _int(form.get("points", "1"))
    if points is None or not 1 <= points <= MAX_POINTS:
        errors["points"] = _("Points are a whole number from 1 to 100.")
    correct = {int(v) for v in form.get("correct", []) if str(v).isdigit()}
    choices: list[dict[str, Any]] = []
    accepted: list[str] = []
    if kind == "true_false":
        answer = str(form.get("tf", ""))
        if answer not in ("0", "1"):
            errors["tf"] = _("Say whether the statement is true or false.")
        choices = [{**c, "correct": str(i) == answer} for i, c in enumerate(TRUE_FALSE)]
    elif kind in ("single", "multiple"):
        for i in range(MAX_CHOICES):
            en, bn = _text(form, f"choice_en_{i}", 500), _text(form, f"choice_bn_{i}", 500)
            if en or bn:
                choices.append({"en": en[:500], "bn": bn[:500], "correct": i in correct})
        right = sum(c["correct"] for c in choices)
        if len(choices) < 2:
            errors["choices"] = _("Give at least two choices.")
        elif kind == "single" and right != 1:
            errors["choices"] = _("Mark exactly one choice as correct.")
        elif kind == "multiple" and right < 1:
            errors["choices"] = _("Mark at least one choice as correct.")
    elif kind == "short":
        accepted = [line.strip()[:200] for line in str(form.get("accepted", "")).splitlines() if line.strip()][:20]
        if not accepted:
            errors["accepted"] = _("Give at least one accepted answer, one a line.")
    if errors:
        raise ValidationFailed(errors)
    return {"kind": kind, "text_en": text_en, "text_bn": text_bn, "points": points, "choices": choices,
            "accepted": accepted}


def _scoring_key(values: dict[str, Any]) -> tuple:
    return (values["kind"], tuple(bool(c["correct"]) for c in values["choices"]), values["points"],
            tuple(sorted(normalise_text(a) for a in values["accepted"])))


def question_form(question: dict[str, Any] | None = None) -> dict[str, Any]:
    """Form values for a new or an existing question."""
    if question is None:
        return {"kind": "single", "points": "1", "correct": []}
    values: dict[str, Any] = {"kind": question["kind"], "text_en": question["text_en"],
                              "text_bn": question["text_bn"], "points": str(question["points"]),
                              "accepted": "\n".join(question["accepted"]),
                              "correct": [str(i) for i, c in enumerate(question["choices"]) if c["correct"]]}
    if question["kind"] == "true_false":
        values["tf"], values["correct"] = values["correct"][0] if values["correct"] else "", []
    else:
        for i, choice in enumerate(question["choices"]):
            values[f"choice_en_{i}"], values[f"choice_bn_{i}"] = choice["en"], choice["bn"]
    return values


async def list_questions(course_id: int, archived: bool = False) -> list[dict[str, Any]]:
    """The bank of a course in the order the questions were written, with how often each was answered."""
    rows = await Question.select().where((Question.course == course_id) & (Question.archived == archived)).order_by(
        Question.id).output(load_json=True)
    return rows


async def get_question(question_id: int) -> dict[str, Any]:
    """One question (NotFound when missing)."""
    row = await Question.select().where(Question.id == question_id).output(load_json=True).first()
    if row is None:
        raise NotFound(_("No such question."))
    return row


async def answered(question_id: int) -> bool:
    """True once anyone's answer to the question was scored."""
    return await Answer.exists().where(Answer.question == question_id)


async def create_question(course_id: int, form: dict[str, Any], actor: Actor) -> int:
    """Add a question to a course's bank."""
    await get_course(course_id)
    values = validate_question(form)
    row = Question(course=course_id, created_by=actor.id, created_at=clock.now(), updated_at=clock.now(), **values)
    await row.save()
    await audit.record(actor, "evaluation.question.create", "eval_question", row.id, after=values)
    return row.id


async def update_question(question_id: int, form: dict[str, Any], actor: Actor) -> None:
    """Save a question; its scoring is kept once people have answered it (question_in_use)."""
    before = await get_question(question_id)
    values = validate_question(form)
    if _scoring_key(values) != _scoring_key(before) and await answered(question_id):
        raise DomainError("question_in_use", _(
            "People have answered this question, so its answer and points stay as they are. Correct the "
            "wording here, or archive the question and add a new one."))
    await Question.update({**values, Question.updated_at: clock.now()}).where(Question.id == question_id)
    await audit.record(actor, "evaluation.question.update", "eval_question", question_id,
                       *audit.diff(before, values))


async def set_archived(question_id: int, archived: bool, actor: Actor) -> dict[str, Any]:
    """Archive a question (it leaves the bank's list and new tests) or bring it back."""
    question = await get_question(question_id)
    await Question.update({Question.archived: archived, Question.updated_at: clock.now()}).where(
        Question.id == question_id)
    await audit.record(actor, "evaluation.question.archive" if archived else "evaluation.question.restore",
                       "eval_question", question_id)
    return question


# Tests (quizzes)

async def list_quizzes(course_id: int) -> list[dict[str, Any]]:
    """A course's tests with their number of questions and points."""
    quizzes = await Quiz.select().where(Quiz.course == course_id).order_by(Quiz.id)
    for quiz in quizzes:
        items = await quiz_questions(quiz["id"])
        quiz["questions"] = len(items)
        quiz["points"] = sum(q["points"] for q in items)
    return quizzes


async def get_quiz(quiz_id: int) -> dict[str, Any]:
    """One test (NotFound when missing)."""
    row = await Quiz.select().where(Quiz.id == quiz_id).first()
    if row is None:
        raise NotFound(_("No such test."))
    return row


async def quiz_questions(quiz_id: int) -> list[dict[str, Any]]:
    """A test's questions in order, each with its number (1, 2, ...)."""
    items = await QuizItem.select(QuizItem.question, QuizItem.position).where(QuizItem.quiz == quiz_id).order_by(
        QuizItem.position).order_by(QuizItem.id)
    if not items:
        return []
    by_id = {q["id"]: q for q in await Question.select().where(
        Question.id.is_in([i["question"] for i in items])).output(load_json=True)}
    return [{**by_id[item["question"]], "number": n} for n, item in enumerate(items, start=1)]


async def taken(quiz_id: int) -> bool:
    """True once any attempt of the test was started at any event."""
    return await Attempt.exists().where(Attempt.event_quiz.quiz == quiz_id)


def validate_quiz(form: dict[str, Any], bank_ids: list[int]) -> dict[str, Any]:
    """Title, time limit and the chosen questions in order; ValidationFailed per field."""
    errors: dict[str, str] = {}
    title, title_bn = _text(form, "title", 200), _text(form, "title_bn", 200)
    if not title:
        errors["title"] = _("Give the test a title.")
    elif len(title) > 200 or len(title_bn) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    raw_limit = str(form.get("time_limit", "")).strip()
    time_limit = _int(raw_limit) if raw_limit else None
    if raw_limit and (time_limit is None or not 1 <= time_limit <= MAX_TIME_LIMIT):
        errors["time_limit"] = _("The time limit is a number of minutes from 1 to 240, or empty for none.")
    chosen = [int(v) for v in form.get("questions", []) if str(v).isdigit() and int(v) in bank_ids]
    if not chosen:
        errors["questions"] = _("Choose at least one question.")

    def order(qid: int) -> tuple[int, int]:
        position = _int(form.get(f"position_{qid}"))
        return (position if position is not None else 10_000, bank_ids.index(qid))

    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "title_bn": title_bn, "time_limit": time_limit,
            "questions": sorted(dict.fromkeys(chosen), key=order)}


async def _bank_ids(course_id: int) -> list[int]:
    return [q["id"] for q in await Question.select(Question.id).where(
        (Question.course == course_id) & (Question.archived == False)).order_by(Question.id)]  # noqa: E712


async def save_quiz(course_id: int, quiz_id: int | None, form: dict[str, Any], actor: Actor) -> int:
    """Create a test, or save one; the questions of a test already taken stay (quiz_in_use)."""
    await get_course(course_id)
    current = await quiz_questions(quiz_id) if quiz_id else []
    # A question archived after it was put in the test may stay in it.
    values = validate_quiz(form, await _bank_ids(course_id) + [q["id"] for q in current])
    now = clock.now()
    row = {"title": values["title"], "title_bn": values["title_bn"], "time_limit": values["time_limit"]}
    async with write_transaction(Quiz._meta.db):
        if quiz_id is None:
            quiz = Quiz(course=course_id, created_by=actor.id, created_at=now, updated_at=now, **row)
            await quiz.save()
            quiz_id = quiz.id
        else:
            if [q["id"] for q in current] != values["questions"] and await taken(quiz_id):
                raise DomainError("quiz_in_use", _(
                    "People have taken this test, so its questions stay as they are. Make a new test instead."))
            await Quiz.update({**row, Quiz.updated_at: now}).where(Quiz.id == quiz_id)
        await QuizItem.delete().where(QuizItem.quiz == quiz_id)
        if values["questions"]:
            await QuizItem.insert(*[QuizItem(quiz=quiz_id, question=qid, position=i)
                                    for i, qid in enumerate(values["questions"], start=1)])
        await audit.record(actor, "evaluation.quiz.save", "eval_quiz", quiz_id, after=values)
    return quiz_id


async def quizzes_in_use(course_id: int) -> set[int]:
    """Tests of the course that an event gives."""
    rows = await EventQuiz.select(EventQuiz.quiz).where(EventQuiz.quiz.course == course_id)
    return {r["quiz"] for r in rows}
