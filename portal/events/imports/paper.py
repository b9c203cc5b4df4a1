"""Attendance from paper: a participant list with a column per day or session, ticked by hand.

Sign-in sheets typed up after the event come with columns such as `Day 1`, `Day 2`, `দিন ১` or a
session's date, and a mark per person: `✓`, `P`, `1`, `yes`, `উপস্থিত` for present; blank, `A`, `0`,
`no`, `অনুপস্থিত` for absent. The preview lets the coordinator say which column is which session of
the event (`guess_sessions` proposes from the header: the session's title, its date, or "day N");
each row's marks become check-ins with the method "paper" at the session's start time, written with
the import (services.commit), one row per (registration, session): importing the sheet again adds
nothing (ON CONFLICT DO NOTHING on the unique index).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portal.core.i18n import gettext as _
from portal.events.imports import bulk
from portal.events.imports import values as vals
from portal.events.tables import CheckIn, Session

METHOD = "paper"
PRESENT = {vals.norm(word) for word in (
    "p", "present", "yes", "y", "1", "ok", "attended", "উপস্থিত", "হ্যাঁ", "হা", "১", "উ", "true")} | {
    "✓", "✔", "☑", "√", "✅", "🗸"}
ABSENT = {vals.norm(word) for word in (
    "", "a", "absent", "no", "n", "0", "অনুপস্থিত", "না", "০", "অ", "false", "leave", "ছুটি")} | {
    "-", "–", "—", "✗", "✘", "×"}
_DAY = re.compile(r"^(?:day|dag|দিন|দিবস)\s*[-–#:]?\s*([0-9০-৯]{1,2})$")
_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "first": 1, "second": 2, "third": 3, "fourth": 4,
        "fifth": 5, "প্রথম": 1, "দ্বিতীয়": 2, "তৃতীয়": 3, "চতুর্থ": 4, "পঞ্চম": 5}


def mark(text: str) -> bool | None:
    """True for a present mark, False for an absent one (or blank), None for a mark it cannot read."""
    raw = text.strip()
    if raw in PRESENT or raw in ABSENT:
        return raw in PRESENT
    key = vals.norm(vals.bangla_to_ascii_digits(raw))
    if key in PRESENT or vals.norm(raw) in PRESENT:
        return True
    if key in ABSENT or vals.norm(raw) in ABSENT:
        return False
    return None


def _day_number(header: str) -> int | None:
    key = vals.norm(vals.bangla_to_ascii_digits(header))
    found = _DAY.match(vals.norm(header)) or _DAY.match(key)
    if found:
        return int(vals.bangla_to_ascii_digits(found.group(1)))
    words = key.split()
    if len(words) == 2 and words[1] in ("day", "দিন") and words[0] in _NTH:
        return _NTH[words[0]]
    return None


def _header_date(header: str) -> dt.date | None:
    text = vals.bangla_to_ascii_digits(header.strip())
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y",
                    "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


async def event_sessions(event_id: int) -> list[dict[str, Any]]:
    """The event's sessions in order (id, title, starts_at)."""
    return await Session.select(Session.id, Session.title, Session.starts_at).where(
        Session.event == event_id).order_by(Session.starts_at).order_by(Session.id)


def guess_sessions(headers: list[str], taken: set[int], sessions: list[dict[str, Any]],
                   tz: dt.tzinfo | None = None) -> dict[int, int]:
    """column -> session id for the columns (not mapped to a field) whose header names a session: its
    title, its date, or "Day N" (the Nth day that has a session, its first session)."""
    if not sessions:
        return {}
    days: dict[dt.date, int] = {}
    for session in sessions:
        day = session["starts_at"].astimezone(tz).date() if tz else session["starts_at"].date()
        days.setdefault(day, session["id"])
    ordered_days = [days[d] for d in sorted(days)]
    titles = {vals.norm(s["title"]): s["id"] for s in sessions if vals.norm(s["title"])}
    found: dict[int, int] = {}
    for column, header in enumerate(headers):
        if column in taken or not header.strip():
            continue
        session_id = titles.get(vals.norm(header))
        if session_id is None:
            number = _day_number(header)
            if number is not None and 1 <= number <= len(ordered_days):
                session_id = ordered_days[number - 1]
        if session_id is None:
            day = _header_date(header)
            session_id = days.get(day) if day else None
        if session_id is not None and session_id not in found.values():
            found[column] = session_id
    return found


def parse_sessions(form: dict[str, Any], width: int, sessions: list[dict[str, Any]],
                   taken: set[int]) -> dict[int, int]:
    """The session chosen for each column on the form (att_COLUMN = session id), columns of fields left out."""
    known = {s["id"] for s in sessions}
    chosen: dict[int, int] = {}
    for column in range(width):
        raw = str(form.get(f"att_{column}", "")).strip()
        if column not in taken and raw.isdigit() and int(raw) in known and int(raw) not in chosen.values():
            chosen[column] = int(raw)
    return chosen


def read_marks(row: list[str], columns: dict[int, int], headers: list[str]) -> tuple[list[int], list[str]]:
    """The sessions a row is ticked present at, and a message per mark that cannot be read."""
    present, problems = [], []
    for column, session_id in columns.items():
        text = row[column] if column < len(row) else ""
        value = mark(text)
        if value is None:
            problems.append(_("Attendance “%(column)s”: “%(value)s” is neither a present mark (✓, P, 1, yes, "
                              "উপস্থিত) nor an absent one (blank, A, 0, no, অনুপস্থিত).") % {
                "column": headers[column] if column < len(headers) else column + 1, "value": text})
        elif value:
            present.append(session_id)
    return present, problems


async def write(pairs: list[tuple[int, int]], sessions: dict[int, dt.datetime], by_user: int | None
                ) -> list[dict[str, Any]]:
    """Insert a paper check-in for each (registration, session) not checked in yet, at the session's start,
    inside the caller's transaction; the rows inserted (id, registration, session)."""
    rows = [(registration, session, sessions[session], METHOD, by_user) for registration, session in pairs]
    return await bulk.insert(CheckIn, ("registration", "session", "at", "method", "by_user"), rows,
                             returning=("id", "registration", "session"), conflict=("registration", "session"))
