"""Attendance corrections say why (issue 18): undoing a check-in, and entering one by hand after the session's
check-in has closed, take a reason from a short list (with free text; "other" needs it) and the time it really
happened. The reason is stored on the check-in (or the undone check-in) and in its audit entry.

A correction's time is a local date and time from the form, in the portal's time zone: not before the session's
day, not in the future. For a late check-in it defaults to now; for an undo it is optional (when the person left,
say) and defaults to nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from portal.core import clock
from portal.core.errors import ValidationFailed
from portal.core.i18n import N_, format_when
from portal.core.i18n import gettext as _
from portal.core.vocab import Labels

# Why a check-in is taken back.
UNDO_REASONS = Labels({
    "wrong_person": N_("Wrong person scanned"),
    "duplicate": N_("Duplicate (checked in twice)"),
    "left_early": N_("Left early"),
    "other": N_("Other (say why)"),
})
# Why a check-in is entered by hand after the session's check-in closed.
LATE_REASONS = Labels({
    "paper": N_("Came late and signed on paper"),
    "not_recorded": N_("Was present, not recorded at the time"),
    "other": N_("Other (say why)"),
})
MAX_NOTE = 300
FORM_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


@dataclass(frozen=True)
class Correction:
    """Why a check-in was corrected, in the reason's code and free text, and when it really happened."""

    reason: str
    note: str = ""
    at: dt.datetime | None = None

    def label(self) -> str:
        """The reason in words, in the current language."""
        return reason_label(self.reason)

    def audit_note(self) -> str:
        """The reason as the audit entry's note (English codes stay searchable; the page translates)."""
        return f"{self.reason}: {self.note}" if self.note else self.reason

    def as_json(self) -> dict[str, Any]:
        """The reason's facts for the audit entry's JSON."""
        return {"reason": self.reason, "reason_note": self.note,
                **({"happened_at": self.at} if self.at is not None else {})}


def reason_label(code: str | None) -> str:
    """A stored reason code in words (the code itself when unknown, "" for none)."""
    if not code:
        return ""
    return UNDO_REASONS.get(code) or LATE_REASONS.get(code) or code


def default_time(tz: dt.tzinfo) -> str:
    """Now, as the form's datetime-local value."""
    return clock.now().astimezone(tz).strftime(FORM_FORMAT)


def parse(form: dict[str, Any], reasons: dict[str, str], session: dict[str, Any], tz: dt.tzinfo, *,
          time_required: bool) -> Correction:
    """The correction a form describes, or ValidationFailed with a message per field (nothing is saved)."""
    errors: dict[str, str] = {}
    reason = str(form.get("reason") or "").strip()
    note = " ".join(str(form.get("reason_note") or "").split())
    if reason not in reasons:
        errors["reason"] = _("Choose why from the list.")
    elif reason == "other" and not note:
        errors["reason_note"] = _("Say in a few words why.")
    if len(note) > MAX_NOTE:
        errors["reason_note"] = _("At most {count} characters.").format(count=MAX_NOTE)
    at = _time(str(form.get("at") or "").strip(), session, tz, time_required, errors)
    if errors:
        raise ValidationFailed(errors)
    return Correction(reason, note, at)


def _time(raw: str, session: dict[str, Any], tz: dt.tzinfo, required: bool, errors: dict[str, str]
          ) -> dt.datetime | None:
    if not raw:
        if required:
            errors["at"] = _("Enter when it happened.")
        return None
    try:
        local = dt.datetime.strptime(raw[:16], FORM_FORMAT)
    except ValueError:
        errors["at"] = _("Enter a date and time, as 2026-11-23 09:30.")
        return None
    at = local.replace(tzinfo=tz)
    first_day = session["starts_at"].astimezone(tz).date()
    if at.date() < first_day:
        errors["at"] = _("It cannot be before the session's day ({day}).").format(
            day=format_when(first_day, "%d %b %Y"))
    elif at > clock.now() + dt.timedelta(minutes=1):
        errors["at"] = _("It cannot be in the future.")
    return at
