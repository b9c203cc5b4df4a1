"""Composite unique indexes: one test per event and stage, each question once per test and per
attempt, numbered attempts, one feedback response per person and form."""

from portal.db import index_migration

ID = "2026-12-05T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique event quiz, quiz item, attempt, answer and feedback roll"

CREATE = [
    "CREATE UNIQUE INDEX eval_event_quiz_event_stage ON eval_event_quiz (event, stage)",
    "CREATE UNIQUE INDEX eval_quiz_item_quiz_question ON eval_quiz_item (quiz, question)",
    "CREATE UNIQUE INDEX eval_attempt_number ON eval_attempt (event_quiz, registration, number)",
    "CREATE UNIQUE INDEX eval_answer_attempt_question ON eval_answer (attempt, question)",
    "CREATE UNIQUE INDEX eval_feedback_roll_form_registration ON eval_feedback_roll (form, registration)",
]
DROP = [
    "DROP INDEX eval_event_quiz_event_stage",
    "DROP INDEX eval_quiz_item_quiz_question",
    "DROP INDEX eval_attempt_number",
    "DROP INDEX eval_answer_attempt_question",
    "DROP INDEX eval_feedback_roll_form_registration",
]


async def forwards():
    return index_migration(ID, "evaluation", DESCRIPTION, CREATE, DROP)
