"""Field checks shared by the forms: text cleaning, a way to reach a person, a date in a filter."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# C0 control characters other than tab, newline and carriage return, and DEL: typed by nobody, and
# NUL is refused by PostgreSQL in any text.
CONTROL_CHARACTERS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
# Explicit bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder the text that
# follows them: a name ending in U+202E would print the rest of a line backwards, on the verification page
# too. Names and titles never need them; the plain marks (U+200E, U+200F, U+061C) are harmless and stay.
BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_UNWANTED = dict.fromkeys(CONTROL_CHARACTERS + BIDI_CONTROLS)


def clean_text(value: str) -> str:
    """Text as people meant to type it: without control characters and bidi controls. Every form field
    (`form_dict`), upload name and imported cell goes through this one function."""
    return value.translate(_UNWANTED)


def clean_email(form: dict[str, Any], errors: dict[str, str], field: str = "email") -> str | None:
    """The lower-cased email, or None when blank; a message in `errors` when it is malformed."""
    email = str(form.get(field, "")).strip().lower() or None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors[field] = _("Enter an email address like name@example.org.")
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
        errors[field] = _("Use a date like 2026-11-23.")
        return None
