"""How many parts (the cost) an SMS takes. A text in the GSM 03.38 alphabet goes as GSM-7: 160 characters
in one part, 153 per part of a longer one (the rest carries the joining header), and the extension
characters (`{ } [ ] ~ \\ | ^ €`) take two. Anything else, Bangla included, goes as UCS-2: 70 characters
in one part, 67 per part; a character outside the Basic Multilingual Plane (an emoji) takes two."""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    """The encoding, the length in that encoding's units and the number of parts."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int
    parts: int

    @property
    def per_part(self) -> int:
        """Units a part of this message carries."""
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.parts <= 1 else multi


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def size(text: str) -> SmsSize:
    """Encoding, units and parts of `text` as one SMS."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 1 if units <= single else math.ceil(units / multi)
    return SmsSize(encoding, units, max(parts, 1))


def parts(text: str) -> int:
    """The number of parts `text` takes."""
    return size(text).parts
