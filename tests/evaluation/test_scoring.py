"""Scoring of every kind of question, on plain values and through a submitted attempt."""

from __future__ import annotations

import pytest

from portal.evaluation import attempts, scoring
from portal.evaluation.tables import Answer, Attempt
from tests.evaluation.worlds import take
from tests.factories import make_registration

ONE_RIGHT = [{"en": "A", "bn": "", "correct": True}, {"en": "B", "bn": "", "correct": False},
             {"en": "C", "bn": "", "correct": False}]
TWO_RIGHT = [{"en": "A", "bn": "", "correct": True}, {"en": "B", "bn": "", "correct": False},
             {"en": "C", "bn": "", "correct": True}]


@pytest.mark.parametrize(("kind", "values", "points", "correct"), [
    ("single", ["0"], 3, True),
    ("single", ["1"], 0, False),
    ("single", ["0", "2"], 0, False),  # two answers to a single choice: neither counts
    ("single", [], 0, False),
    ("single", ["7"], 0, False),  # not a choice
    ("true_false", ["0"], 3, True),
    ("multiple", ["0", "2"], 3, True),
    ("multiple", ["2", "0", "0"], 3, True),  # order and repeats do not matter
    ("multiple", ["0"], 0, False),  # one right answer missing: nothing in between
    ("multiple", ["0", "1", "2"], 0, False),  # a wrong one ticked too
    ("multiple", ["x", "-1"], 0, False),
])
def test_choice_questions(kind, values, points, correct):
    choices = TWO_RIGHT if kind == "multiple" else ONE_RIGHT
    response = scoring.parse_response(kind, values, len(choices))
    result = scoring.score(kind, choices, [], 3, response)
    assert (result.points, result.correct) == (points, correct)


@pytest.mark.parametrize(("typed", "right"), [
    ("Integrated", True), ("  integrated. ", True), ("INTEGRATED।", True), ("integrated approach", False),
    ("সমন্বিত", True), ("১৫", True), ("15", True), ("", False), ("isolated", False),
])
def test_short_answers_are_compared_after_normalising(typed, right):
    response = scoring.parse_response("short", [typed], 0)
    result = scoring.score("short", [], ["Integrated", "সমন্বিত", "15"], 2, response)
    assert result.correct is right
    assert result.points == (2 if right else 0)


def test_unanswered_is_none_and_worth_nothing():
    assert scoring.parse_response("short", ["   "], 0) is None
    assert scoring.score("single", ONE_RIGHT, [], 5, None) == scoring.Scored(None, False, 0)


def test_percent():
    assert scoring.percent(3, 5) == 60.0
    assert scoring.percent(0, 0) is None


@pytest.mark.anyio
async def test_a_submitted_attempt_stores_each_answer_scored(world):
    registration = await make_registration(world.event_id)
    # right: single (1 point), multiple (2); wrong: true/false, short -> 3 of 5
    attempt = await take(world, registration, "pre", [True, True, False, False])
    assert (attempt["score"], attempt["max_score"]) == (3, 5)
    assert attempts.result(attempt) == 60.0
    rows = await Answer.select(Answer.question, Answer.correct, Answer.points).where(
        Answer.attempt == attempt["id"]).order_by(Answer.question)
    assert [(r["correct"], r["points"]) for r in rows] == [(True, 1), (True, 2), (False, 0), (False, 0)]
    assert await Attempt.count() == 1


@pytest.mark.anyio
async def test_every_answer_right_scores_full_marks_including_a_normalised_short_answer(world):
    registration = await make_registration(world.event_id)
    attempt = await take(world, registration, "post", [True, True, True, True])
    assert (attempt["score"], attempt["max_score"]) == (5, 5)
