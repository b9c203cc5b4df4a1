"""Tests and feedback when two registrations of one person for the same event become one (issue 15, see
portal/events/participants/shared_events.py).

The removed registration's test attempts (with their answers), extra attempts allowed and named feedback move to
the kept one. Where both answered one feedback form, the removed one's place on the form's roll is set aside
whole (the response itself stays, it may be anonymous). Where both made attempt n at one test, the merge is
refused for that event: which attempt counts is for a trainer to decide, not for the merge."""

from __future__ import annotations

from typing import Any

from portal.core.i18n import gettext as _
from portal.evaluation.tables import Attempt, ExtraAttempt, FeedbackResponse, FeedbackRoll
from portal.events.participants.merge import MergeRefused
from portal.events.participants.shared_events import plain, registration_hook, restore

MOVED = (Attempt, ExtraAttempt, FeedbackResponse, FeedbackRoll)


async def undo(keep_registration: int, drop_registration: int, part: dict[str, Any]) -> None:
    """Put back what moved and the roll places set aside, on the restored registration."""
    for table in MOVED:
        ids = part["moved"].get(table._meta.tablename) or []
        if ids and await table.count().where(table.id.is_in(ids) & (table.registration == keep_registration)
                                             ) != len(ids):
            raise MergeRefused("undo_impossible", _("This merge can no longer be undone: %(why)s") % {
                "why": _("a test attempt or feedback that moved has changed since.")})
        if ids:
            await table.update({table.registration: drop_registration}).where(table.id.is_in(ids))
    for row in part["aside"].get("eval_feedback_roll", []):
        await restore(FeedbackRoll, row, registration=drop_registration)


@registration_hook("evaluation", tuple(t._meta.tablename for t in MOVED), undo)
async def combine(keep_registration: int, drop_registration: int, apply: bool) -> dict[str, Any]:
    """Move the removed registration's attempts, extra attempts and feedback; refuse two attempts n at one test."""
    taken = {(r["event_quiz"], r["number"]) for r in await Attempt.select(Attempt.event_quiz, Attempt.number).where(
        Attempt.registration == keep_registration)}
    attempts = await Attempt.select(Attempt.id, Attempt.event_quiz, Attempt.number).where(
        Attempt.registration == drop_registration)
    if any((r["event_quiz"], r["number"]) in taken for r in attempts):
        raise MergeRefused("same_event", _("Both took the same test of one event they are both registered for: a "
                                           "trainer decides which attempt counts before the merge."))
    forms = {r["form"] for r in await FeedbackRoll.select(FeedbackRoll.form).where(
        FeedbackRoll.registration == keep_registration)}
    moved: dict[str, list[int]] = {"eval_attempt": [r["id"] for r in attempts]}
    aside: dict[str, list[dict[str, Any]]] = {"eval_feedback_roll": []}
    for table in (ExtraAttempt, FeedbackResponse):
        moved[table._meta.tablename] = [r["id"] for r in await table.select(table.id).where(
            table.registration == drop_registration)]
    moved["eval_feedback_roll"] = []
    for row in await FeedbackRoll.select().where(FeedbackRoll.registration == drop_registration):
        if row["form"] in forms:
            aside["eval_feedback_roll"].append(plain(row))
        else:
            moved["eval_feedback_roll"].append(row["id"])
    if apply:
        if aside["eval_feedback_roll"]:
            await FeedbackRoll.delete().where(FeedbackRoll.id.is_in([r["id"] for r in aside["eval_feedback_roll"]]))
        for table in MOVED:
            if ids := moved[table._meta.tablename]:
                await table.update({table.registration: keep_registration}).where(table.id.is_in(ids))
    return {"moved": moved, "aside": aside}
