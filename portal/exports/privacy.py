"""Keyed pseudonyms, for exports shared outside the programme."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

# 12 hex digits = 48 bits: the chance that two of 100,000 people share a pseudonym is about 1 in
# 56,000 (10 digits would make it about 1 in 220).
DEFAULT_LENGTH = 12


def pseudonymise(
    value: str | int, secret: str | bytes, *, prefix: str = "P-", length: int = DEFAULT_LENGTH
) -> str:
    """A stable pseudonym for value, e.g. 'P-7F3A9C2B1D4E': HMAC-SHA256 keyed with secret, truncated.

    Pass a stable key (a participant id, an E.164 phone), not a display name: the same person
    spelled two ways gets two pseudonyms. Without the secret the pseudonym cannot be recomputed,
    so a list of known phone numbers cannot be matched against an export.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"cannot pseudonymise a {type(value).__name__}")
    if not secret:
        raise ValueError("a pseudonym needs a non-empty secret; without one it is a plain, reversible hash")
    if not 8 <= length <= 64:
        raise ValueError("length must be between 8 and 64 hex digits")
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    # NFC so that the same Bangla text typed with different code-point sequences maps to one id.
    message = unicodedata.normalize("NFC", str(value)).encode("utf-8")
    return prefix + hmac.new(key, message, hashlib.sha256).hexdigest()[:length].upper()
