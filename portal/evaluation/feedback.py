"""Feedback forms: the same questions at every event (ratings of the content, the facilitators,
the venue and logistics, and overall, then two free-text questions), so that averages compare
across events and districts.

A participant reaches a form with a pass: the form id, their registration id and an HMAC of both
with the portal's secret key. The ticket page hands it out, and so does the venue code after a
phone-number match, which never reveals the ticket itself. Anonymous forms store the response
without the registration and with the day only; the roll (who answered) is kept apart, so that
each person answers once and a resend is recognised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from portal.core import clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.db import is_unique_violation, write_transaction
from portal.evaluation.tables import FeedbackForm, FeedbackResponse, FeedbackRoll
from portal.events.registrations.services import SEATED
from portal.events.tables import Registration

RATINGS = {"content": N_("Content of the sessions"), "facilitators": N_("Facilitators"),
           "logistics": N_("Venue and logistics"), "overall": N_("Overall")}
SCALE = {1: N_("Very poor"), 2: N_("Poor"), 3: N_("Fair"), 4: N_("Good"), 5: N_("Very good")}
TEXTS = {"useful": N_("What was most useful for your work?"), "improve": N_("What should we do better?")}
MAX_TEXT = 2000


def pass_for(secret: str, form_id: int, registration_id: int) -> str:
    """The pass that opens one form for one registration."""
    mac = hmac.new(secret.encode(), f"feedback:{form_id}:{registration_id}".encode(), hashlib.sha256).hexdigest()
    return f"{form_id}-{registration_id}-{mac[:24]}"


def read_pass(secret: str, value: str) -> tuple[int, int]:
    """(form id, registration id) of a genuine pass; NotFound otherwise."""
    parts = (value or "").split("-")
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) < 10 and len(parts[1]) < 10:
        form_id, registration_id = int(parts[0]), int(parts[1])
        if hmac.compare_digest(value, pass_for(secret, form_id, registration_id)):
            return form_id, registration_id
    raise NotFound(_("This feedback link is not valid."))


async def get_form(form_id: int) -> dict[str, Any]:
    """A form with its event's title and its session's (NotFound when missing)."""
    row = await FeedbackForm.select(
        *FeedbackForm.all_columns(), FeedbackForm.event.title.as_alias("event_title"),
        FeedbackForm.session.title.as_alias("session_title"),
    ).where(FeedbackForm.id == form_id).first()
    if row is None:
        raise NotFound(_("No such feedback form."))
    return row


async def for_registration(form_id: int, registration_id: int) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(form, registration, already answered) for a pass; NotFound when they do not belong together."""
    form = await get_form(form_id)
    reg = await Registration.select(Registration.id, Registration.event, Registration.status, Registration.role,
                                    Registration.ticket_token).where(Registration.id == registration_id).first()
    if reg is None or reg["event"] != form["event"] or reg["status"] not in SEATED:
        raise NotFound(_("This feedback link is not valid."))
    done = await FeedbackRoll.exists().where(
        (FeedbackRoll.form == form_id) & (FeedbackRoll.registration == registration_id))
    return form, reg, done


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """Ratings (1-5, each may be skipped) and the two texts; at least one answer."""
    clean: dict[str, Any] = {}
    for key in RATINGS:
        raw = str(values.get(key, "")).strip()
        clean[key] = int(raw) if raw.isdigit() and int(raw) in SCALE else None
    for key in TEXTS:
        clean[key] = str(values.get(key, "")).strip()[:MAX_TEXT]
    if all(clean[k] is None for k in RATINGS) and not any(clean[k] for k in TEXTS):
        raise ValidationFailed({"form": _("Answer at least one question.")})
    return clean


async def submit(form_id: int, registration_id: int, values: Mapping[str, Any], via: str = "phone") -> bool:
    """Store one person's feedback once: True when stored now, False for a resend (or a second try)."""
    form, _reg, done = await for_registration(form_id, registration_id)
    if done:
        return False
    if form["state"] != "open" and via == "phone":
        raise DomainError("not_open", _("This feedback form is closed."))
    clean = validate(values)
    now = clock.now()
    if form["anonymous"]:  # the day only: a time would point at the person who handed in at that minute
        now = dt.datetime.combine(now.date(), dt.time(), now.tzinfo)
    async with write_transaction(FeedbackRoll._meta.db):
        try:
            await FeedbackRoll.insert(FeedbackRoll(form=form_id, registration=registration_id))
        except Exception as exc:
            if is_unique_violation(exc):
                return False
            raise
        await FeedbackResponse.insert(FeedbackResponse(
            form=form_id, registration=None if form["anonymous"] else registration_id, via=via, submitted_at=now,
            **clean))
    return True


async def open_forms(event_id: int, session_id: int | None = None) -> list[dict[str, Any]]:
    """Open forms of an event (of one session and the event-wide ones, when a session is given)."""
    rows = await FeedbackForm.select(
        *FeedbackForm.all_columns(), FeedbackForm.session.title.as_alias("session_title"),
    ).where((FeedbackForm.event == event_id) & (FeedbackForm.state == "open")).order_by(FeedbackForm.id)
    if session_id is not None:
        rows = [r for r in rows if r["session"] in (None, session_id)]
    return rows
