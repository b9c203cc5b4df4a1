"""Field checks shared by the forms: a way to reach a person, a date in a filter."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portal.core.phone import PhoneError, normalise_phone

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(form: dict[str, Any], errors: dict[str, str], field: str = "email") -> str | None:
    """The lower-cased email, or None when blank; a message in `errors` when it is malformed."""
    email = str(form.get(field, "")).strip().lower() or None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors[field] = "Enter an email address like name@example.org."
    return email


def clean_phone(form: dict[str, Any], errors: dict[str, str], field: str = "phone") -> str | None:
    """The number in E.164, or None when blank; a message in `errors` when it is not a number."""
    try:
        return normalise_phone(str(form.get(field, "")))
    except PhoneError as exc:
        errors[field] = str(exc)
        return None


def query_date(query: Any, errors: dict[str, str], field: str) -> dt.date | None:
    """An ISO date (2026-11-23) from a filter's query string, or None when blank; a message in `errors`
    when it is not a date."""
    raw = str(query.get(field) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Use a date like 2026-11-23."
        return None
