"""An event's tests and feedback forms: which test is the pre- and the post-test, in which session,
opening and closing them, releasing scores, the post-test pass mark and extra attempts."""

from __future__ import annotations

from typing import Any

from portal.auth.services import CurrentUser
from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.db import is_unique_violation
from portal.evaluation import access
from portal.evaluation.tables import Attempt, EventQuiz, ExtraAttempt, FeedbackForm, Quiz
from portal.events.tables import Registration, Session

STAGES = {"pre": N_("Pre-test"), "post": N_("Post-test")}
STATES = ("open", "closed")


async def event_quizzes(event_id: int) -> dict[str, dict[str, Any]]:
    """stage -> the event's test at that stage, with the test's title and time limit."""
    rows = await EventQuiz.select(
        *EventQuiz.all_columns(), EventQuiz.quiz.title.as_alias("title"),
        EventQuiz.quiz.title_bn.as_alias("title_bn"), EventQuiz.quiz.time_limit.as_alias("time_limit"),
        EventQuiz.session.title.as_alias("session_title"),
    ).where(EventQuiz.event == event_id)
    return {row["stage"]: row for row in rows}


async def get_event_quiz(event_id: int, stage: str) -> dict[str, Any]:
    """The event's test at `stage` (NotFound when it has none)."""
    row = (await event_quizzes(event_id)).get(stage) if stage in STAGES else None
    if row is None:
        raise NotFound(_("This event has no such test."))
    return row


async def _session_of(event_id: int, raw: Any) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not await Session.exists().where((Session.id == int(text)) & (Session.event == event_id)):
        raise ValidationFailed({"session": _("Choose one of the event's sessions.")})
    return int(text)


def _pass_mark(raw: Any) -> int | None:
    text = str(raw or "").strip().rstrip("%").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise ValidationFailed({"pass_mark": _("The pass mark is a percentage from 1 to 100, or empty for none.")})
    return int(text)


async def assign(user: CurrentUser, event_id: int, form: dict[str, Any], ip: str = "") -> None:
    """Set (or change) the test of a stage, its session and, for the post-test, the pass mark."""
    event = await access.load_event(user, event_id)
    stage = str(form.get("stage", ""))
    if stage not in STAGES:
        raise ValidationFailed({"stage": _("Choose the pre-test or the post-test.")})
    if event["course"] is None:
        raise DomainError("no_course", _("Link the event to a course first: tests come from a course's bank."))
    raw_quiz = str(form.get("quiz", ""))
    quiz = await Quiz.select(Quiz.id).where(
        (Quiz.id == int(raw_quiz)) & (Quiz.course == event["course"])).first() if raw_quiz.isdigit() else None
    if quiz is None:
        raise ValidationFailed({"quiz": _("Choose one of the course's tests.")})
    session = await _session_of(event_id, form.get("session"))
    current = (await event_quizzes(event_id)).get(stage)
    pass_mark = current["pass_mark"] if current else None
    if stage == "post" and "pass_mark" in form:
        new_mark = _pass_mark(form.get("pass_mark"))
        if new_mark != pass_mark:
            access.require_certificate_rule(user)
            pass_mark = new_mark
    values = {"quiz": quiz["id"], "session": session, "pass_mark": pass_mark}
    if current and current["quiz"] != quiz["id"] and await _has_attempts(current["id"]):
        raise DomainError("stage_taken", _("People have taken this test already, so it cannot be swapped."))
    if current is None:
        try:
            await EventQuiz.insert(EventQuiz(event=event_id, stage=stage, updated_at=clock.now(), **values))
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            raise DomainError("conflict", _("Someone set this test at the same moment. Reload the page.")) from None
    else:
        await EventQuiz.update({**values, EventQuiz.updated_at: clock.now()}).where(EventQuiz.id == current["id"])
    before = {k: current[k] for k in values} if current else {}
    if before != values:
        await audit.record(user.actor(ip), "evaluation.event_quiz", "event", event_id, before=before or None,
                           after={"stage": stage, **values},
                           note="certificate rule changed" if before.get("pass_mark") != pass_mark else "")


async def _has_attempts(event_quiz_id: int) -> bool:
    return await Attempt.exists().where(Attempt.event_quiz == event_quiz_id)


async def change(user: CurrentUser, event_id: int, stage: str, action: str, ip: str = "") -> str:
    """open, close, release or withhold the scores of a stage's test; returns a message."""
    await access.load_event(user, event_id)
    current = await get_event_quiz(event_id, stage)
    changes = {"open": {"state": "open"}, "close": {"state": "closed"}, "release": {"released": True},
               "withhold": {"released": False}}
    if action not in changes:
        raise ValidationFailed({"action": _("Unknown action.")})
    await EventQuiz.update({**changes[action], EventQuiz.updated_at: clock.now()}).where(
        EventQuiz.id == current["id"])
    await audit.record(user.actor(ip), f"evaluation.{action}", "eval_event_quiz", current["id"],
                       after={"stage": stage, **changes[action]})
    return {"open": _("The test is open: participants can start it."),
            "close": _("The test is closed: nobody can start it now. Answers already begun can still be sent."),
            "release": _("Scores released: participants see their scores."),
            "withhold": _("Scores hidden from participants again.")}[action]


async def allow_another(user: CurrentUser, event_id: int, stage: str, registration_id: int, ip: str = "") -> None:
    """Give one person one more attempt at a stage's test."""
    await access.load_event(user, event_id)
    current = await get_event_quiz(event_id, stage)
    if not await Registration.exists().where((Registration.id == registration_id) & (Registration.event == event_id)):
        raise NotFound(_("No such registration in this event."))
    await ExtraAttempt.insert(ExtraAttempt(event_quiz=current["id"], registration=registration_id,
                                           granted_by=user.id, granted_at=clock.now()))
    await audit.record(user.actor(ip), "evaluation.extra_attempt", "registration", registration_id,
                       after={"stage": stage})


# Feedback forms

async def feedback_forms(event_id: int) -> list[dict[str, Any]]:
    """The event's feedback forms, the event-wide one first, then by session."""
    return await FeedbackForm.select(*FeedbackForm.all_columns(), FeedbackForm.session.title.as_alias("session_title"),
                                     FeedbackForm.session.starts_at.as_alias("session_starts")).where(
        FeedbackForm.event == event_id).order_by(FeedbackForm.id)


async def add_form(user: CurrentUser, event_id: int, form: dict[str, Any], ip: str = "") -> int:
    """A feedback form for the event (or one session), anonymous unless the organizer asks for names."""
    await access.load_event(user, event_id)
    session = await _session_of(event_id, form.get("session"))
    existing = [f for f in await feedback_forms(event_id) if f["session"] == session]
    if existing:
        raise DomainError("form_exists", _("There is a feedback form for this already."))
    anonymous = str(form.get("named", "")) != "on"
    row = FeedbackForm(event=event_id, session=session, anonymous=anonymous, created_by=user.id,
                       created_at=clock.now())
    await row.save()
    await audit.record(user.actor(ip), "evaluation.feedback_form", "event", event_id,
                       after={"form": row.id, "session": session, "anonymous": anonymous})
    return row.id


async def set_form_state(user: CurrentUser, event_id: int, form_id: int, state: str, ip: str = "") -> None:
    """Open or close a feedback form."""
    await access.load_event(user, event_id)
    if state not in STATES:
        raise ValidationFailed({"state": _("Unknown action.")})
    if not await FeedbackForm.exists().where((FeedbackForm.id == form_id) & (FeedbackForm.event == event_id)):
        raise NotFound(_("No such feedback form."))
    await FeedbackForm.update({FeedbackForm.state: state}).where(FeedbackForm.id == form_id)
    await audit.record(user.actor(ip), f"evaluation.feedback_{state}", "eval_feedback_form", form_id)
