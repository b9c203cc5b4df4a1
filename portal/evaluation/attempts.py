"""Taking a test: starting an attempt, sending the answers (once), reading one's own result, and
typing in a paper test.

An attempt's `key` is its secret link and its idempotency key. The phone keeps the answers until
the server has them; a resend of an attempt already submitted changes nothing and is answered
like the first send. Answers that arrive after the time limit (and a grace of two minutes, for a
slow link) are still scored, marked late for the trainer to judge: a phone that lost its
connection at the last question must not lose the test.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import gettext as _
from portal.db import is_unique_violation, write_transaction
from portal.evaluation import bank
from portal.evaluation.scoring import Scored, parse_response, percent, score
from portal.evaluation.tables import Answer, Attempt, EventQuiz, ExtraAttempt
from portal.events.registrations.services import SEATED
from portal.events.tables import Registration

GRACE = dt.timedelta(minutes=2)


class AttemptRefused(DomainError):
    """not_open, no_attempts_left, not_a_participant, in_progress."""

    status_code = 409


async def registration(registration_id: int) -> dict[str, Any]:
    """The registration with the person's name (NotFound when missing)."""
    row = await Registration.select(
        Registration.id, Registration.event, Registration.role, Registration.status, Registration.ticket_token,
        Registration.participant.name.as_alias("name"), Registration.participant.name_bn.as_alias("name_bn"),
    ).where(Registration.id == registration_id).first()
    if row is None:
        raise NotFound(_("No such registration."))
    return row


def _may_take(reg: dict[str, Any]) -> None:
    if reg["status"] not in SEATED or reg["role"] != "participant":
        raise AttemptRefused("not_a_participant", _("Tests are for the event's registered participants."))


async def event_quiz(event_quiz_id: int) -> dict[str, Any]:
    """An event's test with its test's title and time limit (NotFound when missing)."""
    row = await EventQuiz.select(
        *EventQuiz.all_columns(), EventQuiz.quiz.title.as_alias("title"), EventQuiz.quiz.title_bn.as_alias("title_bn"),
        EventQuiz.quiz.time_limit.as_alias("time_limit"), EventQuiz.event.title.as_alias("event_title"),
    ).where(EventQuiz.id == event_quiz_id).first()
    if row is None:
        raise NotFound(_("No such test."))
    return row


async def standing(event_quiz_row: dict[str, Any], registration_id: int) -> dict[str, Any]:
    """One person at one test: their attempts (newest last), the one in progress, and whether they may start."""
    attempts = await Attempt.select().where(
        (Attempt.event_quiz == event_quiz_row["id"]) & (Attempt.registration == registration_id)).order_by(
        Attempt.number)
    extra = await ExtraAttempt.count().where(
        (ExtraAttempt.event_quiz == event_quiz_row["id"]) & (ExtraAttempt.registration == registration_id))
    in_progress = next((a for a in attempts if a["submitted_at"] is None), None)
    allowed = 1 + extra
    submitted = [a for a in attempts if a["submitted_at"] is not None]
    return {"attempts": attempts, "submitted": submitted, "in_progress": in_progress, "allowed": allowed,
            "left": max(0, allowed - len(attempts)),
            "may_start": in_progress is None and event_quiz_row["state"] == "open" and len(attempts) < allowed}


async def start(event_quiz_id: int, registration_id: int, via: str = "phone") -> dict[str, Any]:
    """The attempt in progress, or a new one while the test is open and attempts are left."""
    eq = await event_quiz(event_quiz_id)
    reg = await registration(registration_id)
    if reg["event"] != eq["event"]:
        raise NotFound(_("No such test."))
    _may_take(reg)
    now_standing = await standing(eq, registration_id)
    if now_standing["in_progress"]:
        return now_standing["in_progress"]
    if eq["state"] != "open":
        raise AttemptRefused("not_open", _("This test is not open. The trainer opens it at the session."))
    if not now_standing["left"]:
        raise AttemptRefused("no_attempts_left",
                             _("You have taken this test. Ask the trainer if you may take it again."))
    now = clock.now()
    deadline = now + dt.timedelta(minutes=eq["time_limit"]) if eq["time_limit"] else None
    row = Attempt(event_quiz=eq["id"], registration=registration_id, number=len(now_standing["attempts"]) + 1,
                  key=secrets.token_urlsafe(16), via=via, started_at=now, deadline=deadline)
    try:
        await row.save()
    except Exception as exc:  # a second tap at the same moment: the first one's attempt is the attempt
        if not is_unique_violation(exc):
            raise
        again = await standing(eq, registration_id)
        if again["in_progress"] is None:
            raise
        return again["in_progress"]
    return (await Attempt.select().where(Attempt.id == row.id).first())


async def by_key(key: str) -> dict[str, Any]:
    """The attempt behind a secret link, with its test, event and person (NotFound otherwise)."""
    if not key or len(key) > 32:
        raise NotFound(_("No such test."))
    row = await Attempt.select(
        *Attempt.all_columns(), Attempt.event_quiz.quiz.as_alias("quiz"), Attempt.event_quiz.stage.as_alias("stage"),
        Attempt.event_quiz.released.as_alias("released"), Attempt.event_quiz.event.as_alias("event"),
        Attempt.event_quiz.event.title.as_alias("event_title"), Attempt.event_quiz.quiz.title.as_alias("title"),
        Attempt.event_quiz.quiz.title_bn.as_alias("title_bn"),
        Attempt.registration.ticket_token.as_alias("ticket_token"),
        Attempt.registration.participant.name.as_alias("name"),
    ).where(Attempt.key == key).first()
    if row is None:
        raise NotFound(_("No such test."))
    return row


def score_all(questions: Sequence[dict[str, Any]], values: Mapping[str, Sequence[str]]) -> list[Scored]:
    """Each question's answer from form values named q<question id>, scored."""
    return [score(q["kind"], q["choices"], q["accepted"], q["points"],
                  parse_response(q["kind"], values.get(f"q{q['id']}", ()), len(q["choices"])))
            for q in questions]


def _answer_rows(attempt_id: int, questions: Sequence[dict[str, Any]], scored: Sequence[Scored]) -> list[Answer]:
    # Encoded here: Piccolo's JSON column would store a str (a short answer) as if it were JSON already.
    return [Answer(attempt=attempt_id, question=q["id"], correct=s.correct, points=s.points,
                   response=None if s.response is None else json.dumps(s.response, ensure_ascii=False))
            for q, s in zip(questions, scored, strict=True)]


async def submit(key: str, values: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], bool]:
    """Score and store the answers once: (attempt, True) the first time, (attempt, False) for a resend."""
    attempt = await by_key(key)
    if attempt["submitted_at"] is not None:
        return attempt, False
    questions = await bank.quiz_questions(attempt["quiz"])
    scored = score_all(questions, values)
    now = clock.now()
    late = attempt["deadline"] is not None and now > attempt["deadline"] + GRACE
    async with write_transaction(Attempt._meta.db):
        updated = await Attempt.update({
            Attempt.submitted_at: now, Attempt.late: late, Attempt.score: sum(s.points for s in scored),
            Attempt.max_score: sum(q["points"] for q in questions),
        }).where((Attempt.id == attempt["id"]) & Attempt.submitted_at.is_null()).returning(Attempt.id)
        if not updated:
            return await by_key(key), False
        if questions:
            await Answer.insert(*_answer_rows(attempt["id"], questions, scored))
    return await by_key(key), True


async def own_answers(attempt: dict[str, Any]) -> list[dict[str, Any]]:
    """The attempt's questions with the person's own answer and whether it was right."""
    questions = await bank.quiz_questions(attempt["quiz"])
    answers = {a["question"]: a for a in await Answer.select().where(
        Answer.attempt == attempt["id"]).output(load_json=True)}
    return [{**q, "answer": answers.get(q["id"])} for q in questions]


def result(attempt: dict[str, Any]) -> float | None:
    """The attempt's score in percent (None before it is submitted)."""
    if attempt["submitted_at"] is None:
        return None
    return percent(attempt["score"], attempt["max_score"])


# Paper tests typed in by staff

async def paper_entry(actor: Actor, user_id: int, eq: dict[str, Any], registration_id: int,
                      values: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], bool]:
    """Store a paper test's answers: a new attempt, or a correction of the person's last paper entry.
    Returns (attempt, corrected). The caller has checked that the user may run the event's tests."""
    reg = await registration(registration_id)
    if reg["event"] != eq["event"]:
        raise NotFound(_("No such registration in this event."))
    _may_take(reg)
    now_standing = await standing(eq, registration_id)
    last = now_standing["attempts"][-1] if now_standing["attempts"] else None
    questions = await bank.quiz_questions(eq["quiz"])
    scored = score_all(questions, values)
    points, most = sum(s.points for s in scored), sum(q["points"] for q in questions)
    now = clock.now()
    async with write_transaction(Attempt._meta.db):
        if last is not None and last["via"] == "paper" and last["submitted_at"] is not None:
            await Answer.delete().where(Answer.attempt == last["id"])
            await Attempt.update({Attempt.score: points, Attempt.max_score: most, Attempt.entered_by: user_id}).where(
                Attempt.id == last["id"])
            attempt_id, corrected = last["id"], True
        else:
            if now_standing["in_progress"] is not None:
                raise AttemptRefused("in_progress", _("This person has begun the test on a phone."))
            if not now_standing["left"]:
                raise AttemptRefused("no_attempts_left", _(
                    "This person has taken the test. Allow another attempt first, on the results page."))
            row = Attempt(event_quiz=eq["id"], registration=registration_id, number=len(now_standing["attempts"]) + 1,
                          key=secrets.token_urlsafe(16), via="paper", started_at=now, submitted_at=now,
                          score=points, max_score=most, entered_by=user_id)
            await row.save()
            attempt_id, corrected = row.id, False
        if questions:
            await Answer.insert(*_answer_rows(attempt_id, questions, scored))
        await audit.record(actor, "evaluation.paper_correct" if corrected else "evaluation.paper_entry",
                           "eval_attempt", attempt_id, after={"registration": registration_id, "stage": eq["stage"],
                                                              "score": points, "max_score": most})
    return await Attempt.select().where(Attempt.id == attempt_id).first(), corrected


async def paper_values(eq: dict[str, Any], registration_id: int) -> dict[str, list[str]]:
    """The form values of the person's last paper entry (to correct it), or none."""
    last = await Attempt.select(Attempt.id).where(
        (Attempt.event_quiz == eq["id"]) & (Attempt.registration == registration_id) & (Attempt.via == "paper")
        & Attempt.submitted_at.is_not_null()).order_by(Attempt.number, ascending=False).first()
    if last is None:
        return {}
    values: dict[str, list[str]] = {}
    for a in await Answer.select(Answer.question, Answer.response).where(Answer.attempt == last["id"]).output(
            load_json=True):
        response = a["response"]
        if isinstance(response, list):
            values[f"q{a['question']}"] = [str(i) for i in response]
        elif response is not None:
            values[f"q{a['question']}"] = [str(response)]
    return values
