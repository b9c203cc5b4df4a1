"""Scoring on plain values: what an answer is worth, and what a form field means as an answer.

Rules (the trainers' guide says the same):
- single choice and true/false: the points when the one correct choice is chosen;
- multiple choice: the points when exactly the correct choices are ticked (all of them, no other);
  nothing in between, so a guess at every box earns nothing;
- short answer: the points when the text matches an accepted answer after normalising (case,
  spaces, Unicode forms, Bangla digits, a full stop or dari at the end);
- no answer: no points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("single", "multiple", "true_false", "short")
CHOICE_KINDS = ("single", "multiple", "true_false")
MAX_SHORT_ANSWER = 500
_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = ".,;:!?।‘’'\"“” "


@dataclass(frozen=True)
class Scored:
    """One answer, scored."""

    response: Any  # [choice index, ...], the text, or None
    correct: bool
    points: int


def normalise_text(text: str) -> str:
    """The form of a short answer that is compared: NFKC, case-folded, Bangla digits as ASCII, single
    spaces, no punctuation at the ends."""
    text = unicodedata.normalize("NFKC", text or "").translate(_BANGLA_DIGITS).casefold()
    return _SPACES.sub(" ", text).strip(_END_PUNCTUATION)


def correct_indexes(choices: Sequence[dict[str, Any]]) -> set[int]:
    """Indexes of the correct choices."""
    return {i for i, choice in enumerate(choices) if choice.get("correct")}


def parse_response(kind: str, values: Sequence[str], choice_count: int) -> Any:
    """What a form field's values mean as an answer: sorted choice indexes (values out of range
    dropped; one at most for single and true/false), the text (short), or None when unanswered."""
    if kind == "short":
        text = _SPACES.sub(" ", " ".join(str(v) for v in values)).strip()[:MAX_SHORT_ANSWER]
        return text or None
    picked = sorted({int(v) for v in values if str(v).isdigit() and int(v) < choice_count})
    if kind != "multiple":
        picked = picked[:1] if len(picked) == 1 else []  # two answers to a single choice: neither counts
    return picked or None


def score(kind: str, choices: Sequence[dict[str, Any]], accepted: Sequence[str], points: int,
          response: Any) -> Scored:
    """Score one answer (`response` as parse_response gives it)."""
    if response is None:
        return Scored(None, False, 0)
    if kind == "short":
        wanted = {normalise_text(a) for a in accepted if normalise_text(a)}
        right = normalise_text(str(response)) in wanted
    else:
        right = set(response) == correct_indexes(choices) and bool(response)
    return Scored(response, right, points if right else 0)


def percent(points: int, max_points: int) -> float | None:
    """A score as a percentage of the points available (None when nothing was available)."""
    return None if max_points <= 0 else 100.0 * points / max_points
