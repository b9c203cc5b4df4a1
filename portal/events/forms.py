"""Validation of the event, session and participant forms: plain values in, plain values out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from portal.core.districts import find_district
from portal.core.errors import ValidationFailed
from portal.core.i18n import N_, format_number, format_when
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.core.validation import clean_email, clean_phone, clean_text
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES

# The check-in window's defaults (portal.events.checkin.window explains the rule); here so that the form,
# which window.py's module does not need, can be read without the tables.
DEFAULT_OPENS_BEFORE = 60
DEFAULT_CLOSES_AFTER = 60
MAX_GRACE = 7 * 24 * 60

MAX_EVENT_DAYS = 60


def _text(form: dict[str, Any], name: str, errors: dict[str, str], *, required: str = "", limit: int = 200) -> str:
    # Cleaned here too: imported rows reach this without a form (clean_text, portal/core/validation.py).
    value = clean_text(str(form.get(name, ""))).strip()
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Keep this under {limit} characters.").format(limit=format_number(limit))
    return value


def _date(form: dict[str, Any], name: str, errors: dict[str, str], label: str) -> dt.date | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        errors[name] = _("Enter the {label}.").format(label=_(label))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter the {label} as a date (YYYY-MM-DD).").format(label=_(label))
        return None


def _time(form: dict[str, Any], name: str, errors: dict[str, str], label: str) -> dt.time | None:
    raw = str(form.get(name, "")).strip()
    try:
        return dt.time.fromisoformat(raw) if raw else None
    except ValueError:
        pass
    errors[name] = _("Enter the {label} as a time (HH:MM).").format(label=_(label))
    return None


def _minutes(form: dict[str, Any], name: str, default: int, errors: dict[str, str]) -> int:
    """A check-in grace in whole minutes (0 to a week); empty or absent is the default."""
    raw = str(form.get(name, "")).strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > MAX_GRACE:
        errors[name] = _("Enter whole minutes between 0 and {max} (a week).").format(max=format_number(MAX_GRACE))
        return default
    return int(raw)


def _checkbox(form: dict[str, Any], name: str) -> bool:
    return str(form.get(name, "")).lower() in {"on", "true", "1", "yes"}


@dataclass(frozen=True)
class EventInput:
    """A valid event form."""

    kind: str
    title: str
    description: str
    district: str
    venue: str
    start_date: dt.date
    end_date: dt.date
    capacity: int | None
    completion_percent: int
    walk_ins: bool
    checkin_opens_before: int = DEFAULT_OPENS_BEFORE
    checkin_closes_after: int = DEFAULT_CLOSES_AFTER

    def as_row(self) -> dict[str, Any]:
        """Column values for the event table."""
        return dict(self.__dict__)


def parse_event(form: dict[str, Any], allowed_districts: tuple[str, ...] | None = None) -> EventInput:
    """Validate the event form (in `allowed_districts` only, unless None); a message per field."""
    errors: dict[str, str] = {}
    kind = str(form.get("kind", ""))
    if kind not in KINDS:
        errors["kind"] = _("Choose what kind of event this is.")
    title = _text(form, "title", errors, required=_("Give the event a title."))
    description = _text(form, "description", errors, limit=5000)
    district = find_district(str(form.get("district", "")))
    if district is None:
        errors["district"] = _("Choose one of the 64 districts.")
    elif allowed_districts is not None and district.code not in allowed_districts:
        errors["district"] = _("You can only schedule events in your own districts.")
    venue = _text(form, "venue", errors)
    start = _date(form, "start_date", errors, N_("start date"))
    end = _date(form, "end_date", errors, N_("end date"))
    if start and end:
        if end < start:
            errors["end_date"] = _("The end date is before the start date.")
        elif (end - start).days >= MAX_EVENT_DAYS:
            errors["end_date"] = _("An event can last at most {days} days.").format(days=format_number(MAX_EVENT_DAYS))
    capacity = None
    raw_capacity = str(form.get("capacity", "")).strip()
    if raw_capacity:
        try:
            capacity = int(raw_capacity)
        except ValueError:
            errors["capacity"] = _("Enter the capacity as a whole number, or leave it empty for no limit.")
        else:
            if capacity < 0:
                errors["capacity"] = _("Capacity cannot be negative.")
            elif capacity > 100_000:
                errors["capacity"] = _("That capacity is too large.")
    completion = 100
    try:
        completion = int(str(form.get("completion_percent", "100")).strip() or "100")
        if not 0 <= completion <= 100:
            raise ValueError
    except ValueError:
        errors["completion_percent"] = _("Enter a share between 0 and 100 per cent.")
    opens_before = _minutes(form, "checkin_opens_before", DEFAULT_OPENS_BEFORE, errors)
    closes_after = _minutes(form, "checkin_closes_after", DEFAULT_CLOSES_AFTER, errors)
    if errors:
        raise ValidationFailed(errors)
    assert district and start and end
    return EventInput(
        kind=kind, title=title, description=description, district=district.code, venue=venue,
        start_date=start, end_date=end, capacity=capacity, completion_percent=completion,
        walk_ins=_checkbox(form, "walk_ins"), checkin_opens_before=opens_before, checkin_closes_after=closes_after,
    )


@dataclass(frozen=True)
class SessionInput:
    """A valid session form: local date and times."""

    title: str
    date: dt.date
    start: dt.time
    end: dt.time


def parse_session(form: dict[str, Any], first_day: dt.date, last_day: dt.date) -> SessionInput:
    """Validate a session form against its event's dates."""
    errors: dict[str, str] = {}
    title = _text(form, "title", errors, required=_("Give the session a name, e.g. Day 1 morning."), limit=100)
    day = _date(form, "date", errors, N_("date"))
    start = _time(form, "start", errors, N_("start time"))
    end = _time(form, "end", errors, N_("end time"))
    if day and not first_day <= day <= last_day:
        errors["date"] = _("Choose a date between {first} and {last}.").format(first=format_when(first_day, "%d %b %Y"),
                                                                             last=format_when(last_day, "%d %b %Y"))
    if start is None and "start" not in errors:
        errors["start"] = _("Enter the start time.")
    if end is None and "end" not in errors:
        errors["end"] = _("Enter the end time.")
    if start and end and end <= start:
        errors["end"] = _("The session must end after it starts.")
    if errors:
        raise ValidationFailed(errors)
    assert day and start and end
    return SessionInput(title=title, date=day, start=start, end=end)


@dataclass(frozen=True)
class ParticipantInput:
    """A valid participant form."""

    name: str
    name_bn: str
    gender: str
    organisation: str
    stakeholder_type: str
    designation: str
    district: str
    phone: str | None
    email: str | None
    other_phones: tuple[str, ...] = ()  # besides the primary `phone` (portal/events/participants/phones.py)

    def as_row(self) -> dict[str, Any]:
        """Column values for the participant table (the other numbers live in their own table)."""
        return {k: v for k, v in self.__dict__.items() if k != "other_phones"}


def parse_participant(form: dict[str, Any]) -> ParticipantInput:
    """Validate a participant; the phone comes back in E.164."""
    errors: dict[str, str] = {}
    name = _text(form, "name", errors, required=_("Enter the person's name (in English letters)."))
    name_bn = _text(form, "name_bn", errors)
    gender = str(form.get("gender", "")) or "undisclosed"
    if gender not in GENDERS:
        errors["gender"] = _("Choose from the list.")
    stakeholder = str(form.get("stakeholder_type", "")) or "other"
    if stakeholder not in STAKEHOLDER_TYPES:
        errors["stakeholder_type"] = _("Choose from the list.")
    organisation = _text(form, "organisation", errors)
    designation = _text(form, "designation", errors)
    district_text = str(form.get("district", "")).strip()
    district = find_district(district_text)
    if district_text and district is None:
        errors["district"] = _("Choose one of the 64 districts.")
    phone = clean_phone(form, errors)
    others = _other_phones(str(form.get("other_phones", "")), errors)
    if phone is None and others and "phone" not in errors:
        phone, others = others[0], others[1:]  # the first number is the primary
    others = [n for n in others if n != phone]
    email = clean_email(form, errors)
    if errors:
        raise ValidationFailed(errors)
    return ParticipantInput(
        name=name, name_bn=name_bn, gender=gender, organisation=organisation, stakeholder_type=stakeholder,
        designation=designation, district=district.code if district else "", phone=phone, email=email,
        other_phones=tuple(others),
    )


MAX_OTHER_PHONES = 9


def _other_phones(text: str, errors: dict[str, str]) -> list[str]:
    """Other numbers, one a line (or separated by commas or semicolons), each in E.164, without repeats."""
    numbers: list[str] = []
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        try:
            number = normalise_phone(part)
        except PhoneError as exc:
            errors["other_phones"] = _("“{number}”: {message}").format(number=part.strip()[:40], message=exc)
            return []
        if number and number not in numbers:
            numbers.append(number)
    if len(numbers) > MAX_OTHER_PHONES:
        errors["other_phones"] = _("Keep at most {count} other numbers.").format(count=format_number(MAX_OTHER_PHONES))
        return []
    return numbers

