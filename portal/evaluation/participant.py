"""What a participant sees: the tests and feedback forms of their ticket, and the venue code's page.

The venue code is the session's rotating self check-in code (portal.events.selfcheck): fresh, so
the person is at the venue. With the ticket cookie of this event the page offers the open tests at
once; otherwise it asks for the phone number registered for THIS event. A phone match opens the
test (an attempt's own link) or the feedback form (a pass for that form), never the ticket, and
failed look-ups count against the same limits as self check-in.
"""

from __future__ import annotations

from typing import Any

from portal.core import clock
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.evaluation import attempts, feedback
from portal.evaluation.tables import EventQuiz, FeedbackRoll
from portal.events.participants import phones
from portal.events.registrations import services as registrations
from portal.events.registrations.services import SEATED
from portal.events.selfcheck import services as selfcheck
from portal.events.tables import Registration
from portal.events.tickets import sections as ticket_sections


async def seated(token: str) -> dict[str, Any]:
    """The registration of a ticket that may take its event's tests (NotFound otherwise)."""
    reg = await registrations.by_token(token)
    if reg["status"] not in SEATED:
        raise NotFound(_("This ticket does not exist."))
    return reg


@ticket_sections.section("evaluation")
async def ticket_section(reg: dict[str, Any]) -> dict[str, Any]:
    """The ticket page's tests and feedback (templates/evaluation/_ticket_evaluation.html)."""
    return {"evaluation": await for_registration(reg)}


async def for_registration(reg: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The event's tests that are open or that this person took (with their standing), and the open
    feedback forms (answered or not). Empty for a cancelled or waitlisted ticket."""
    if reg["status"] not in SEATED:
        return {"quizzes": [], "forms": []}
    quizzes = []
    if reg["role"] == "participant":
        rows = await EventQuiz.select(EventQuiz.id).where(EventQuiz.event == reg["event"]).order_by(
            EventQuiz.stage, ascending=False)  # pre before post
        for row in rows:
            eq = await attempts.event_quiz(row["id"])
            mine = await attempts.standing(eq, reg["id"])
            if eq["state"] == "open" or mine["attempts"]:
                last = mine["submitted"][-1] if mine["submitted"] else None
                quizzes.append({**eq, **mine, "last": last, "score": attempts.result(last) if last else None})
    forms = []
    for form in await feedback.open_forms(reg["event"]):
        done = await FeedbackRoll.exists().where((FeedbackRoll.form == form["id"])
                                                 & (FeedbackRoll.registration == reg["id"]))
        forms.append({**form, "done": done})
    return {"quizzes": quizzes, "forms": forms}


async def venue_session(secret: str, session_id: int, code: str) -> dict[str, Any]:
    """The session of a fresh venue code (expired_code, forged_code or session_not_found otherwise)."""
    selfcheck.verify(secret, session_id, code, clock.now().timestamp())
    return await selfcheck.session_info(session_id)


async def by_phone(session: dict[str, Any], phone_text: str, ip: str) -> dict[str, Any]:
    """The seated registration of the session's event with this phone number, within the limits."""
    # The same limits as self check-in's phone look-up: one count of numbers tried per session.
    await selfcheck.check_limits(session["id"], ip, _("Too many numbers tried. Ask the trainer for a paper test."))
    try:
        phone = normalise_phone(phone_text)
    except PhoneError as exc:
        raise selfcheck.SelfCheckInError("bad_phone", str(exc), "phone") from None
    if phone is None:
        raise selfcheck.SelfCheckInError("bad_phone", _("Enter your phone number."), "phone")
    found = await Registration.select(Registration.ticket_token).where(
        (Registration.event == session["event"]) & phones.has_number(Registration.participant, phone)
        & Registration.status.is_in(list(SEATED))).first()
    if found is None:
        await selfcheck.count_failure(session["id"], ip)
        raise selfcheck.SelfCheckInError(
            "phone_not_registered", _("This number is not registered for this event. Ask the trainer."), "phone")
    return await seated(found["ticket_token"])


def choice(value: str) -> tuple[str, int]:
    """("quiz" | "form", id) from a venue page button's value."""
    kind, _sep, number = (value or "").partition("-")
    if kind not in ("quiz", "form") or not number.isdigit() or len(number) > 9:
        raise DomainError("bad_choice", _("Choose a test or a feedback form."))
    return kind, int(number)


async def open_items(event_id: int, session_id: int) -> list[dict[str, Any]]:
    """What the venue code of a session opens, before we know who is asking: open tests given in this
    session (or in no particular one) and open feedback forms of the session or the whole event."""
    out = []
    for row in await EventQuiz.select(EventQuiz.id).where(
            (EventQuiz.event == event_id) & (EventQuiz.state == "open")).order_by(EventQuiz.stage, ascending=False):
        eq = await attempts.event_quiz(row["id"])
        if eq["session"] in (None, session_id):
            out.append({"value": f"quiz-{eq['id']}", "stage": eq["stage"], "title": eq["title"],
                        "title_bn": eq["title_bn"]})
    for form in await feedback.open_forms(event_id, session_id):
        out.append({"value": f"form-{form['id']}", "stage": "feedback", "title": form["session_title"] or "",
                    "title_bn": ""})
    return out
