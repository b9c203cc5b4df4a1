"""Phone numbers: Bangladeshi numbers normalised to E.164 so one person is one row."""

from __future__ import annotations

import phonenumbers

from portal.core.i18n import gettext as _


class PhoneError(ValueError):
    """The text is not a phone number we can use."""


def normalise_phone(text: str | None, region: str = "BD") -> str | None:
    """E.164 form of a phone number ("01711-234567" -> "+8801711234567"); None for blank."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    # Excel turns 01711234567 into 1711234567; a 10-digit mobile without the trunk 0 is still ours.
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not raw.startswith(("+", "00")) and len(digits) == 10 and digits.startswith("1"):
        raw = "0" + digits
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(_("This is not a phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(_("This phone number is not valid (a Bangladeshi mobile has 11 digits: 01XXXXXXXXX)."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str:
    """Show only the last three digits, for printed lists ("+8801711•••567")."""
    if not e164:
        return ""
    return e164[:-6] + "•••" + e164[-3:] if len(e164) > 8 else "•••"
