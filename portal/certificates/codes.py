"""Serial numbers and verification codes: formats only, no database."""

from __future__ import annotations

import secrets

# Crockford's base32: digits and capitals without I, L, O, U, so a code read aloud or typed from
# paper is not mistaken. 16 symbols of 5 bits each = 80 bits from `secrets`.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SYMBOLS = 16
GROUP = 4
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})

# Kind -> serial prefix.
PREFIXES = {"master_trainer": "TOT", "completion": "CMP", "participation": "PAR"}


def new_code() -> str:
    """A fresh verification code, grouped for typing: e.g. 7K3M-QX9P-R2D4-HT8W."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_SYMBOLS))
    return format_code(raw)


def format_code(raw: str) -> str:
    """Groups of four joined by dashes."""
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(typed: str) -> str | None:
    """The canonical code for what someone typed (any case, spaces or dashes, O for 0), or None."""
    raw = "".join(ch for ch in typed.upper() if ch not in " -_.\t").translate(_TYPOS)
    if len(raw) != CODE_SYMBOLS or any(ch not in ALPHABET for ch in raw):
        return None
    return format_code(raw)


def serial(kind: str, year: int, sequence: int) -> str:
    """KIND-YEAR-SEQUENCE, e.g. TOT-2026-0042 (the sequence grows past four digits if it must)."""
    return f"{serial_prefix(kind, year)}-{sequence:04d}"


def serial_prefix(kind: str, year: int) -> str:
    """The counter key of a kind and year: TOT-2026."""
    return f"{PREFIXES[kind]}-{year}"
