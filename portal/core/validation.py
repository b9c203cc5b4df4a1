"""Field checks shared by every form that asks for a way to reach a person."""

from __future__ import annotations

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
