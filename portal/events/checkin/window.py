"""The check-in window of a session: when a check-in is expected, and what happens outside it.

A session's window opens `checkin_opens_before` minutes before it starts and closes
`checkin_closes_after` minutes after it ends (set per event; 60 and 60 by default, enough for early
arrivals and for a late registration desk, too little for Tuesday's session to take a scan on Sunday).

- Staff (scanner, by hand, import) outside the window get `outside_window` and can confirm: the
  confirmed check-in is recorded, and its audit entry says it was outside the window.
- Self check-in outside the window is refused with the time the window opens (or that it closed).

An offline scan is judged by the time it was made on the phone, not the time it reached the server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from portal.core.i18n import format_when
from portal.core.i18n import gettext as _
from portal.events.forms import DEFAULT_CLOSES_AFTER, DEFAULT_OPENS_BEFORE
from portal.events.tables import Session

OVERRIDE_NOTE = "outside the check-in window, confirmed by staff"


def _aware(value: Any) -> dt.datetime:
    # Raw queries return timestamps as stored: text on SQLite, datetimes on PostgreSQL.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Window:
    """When check-in to one session is open: [opens, closes]."""

    opens: dt.datetime
    closes: dt.datetime

    def position(self, when: dt.datetime) -> str:
        """"early", "open" or "late"."""
        if when < self.opens:
            return "early"
        return "late" if when > self.closes else "open"


def window_of(session: dict[str, Any]) -> Window:
    """The window of a session row carrying starts_at, ends_at and its event's two grace periods."""
    before = session.get("checkin_opens_before")
    after = session.get("checkin_closes_after")
    before = DEFAULT_OPENS_BEFORE if before is None else int(before)
    after = DEFAULT_CLOSES_AFTER if after is None else int(after)
    return Window(_aware(session["starts_at"]) - dt.timedelta(minutes=before),
                  _aware(session["ends_at"]) + dt.timedelta(minutes=after))


def refusal_text(early: bool) -> str:
    """The sentence for a check-in outside the window, without the time (the caller adds it in its zone)."""
    return _("Check-in for this session is not open yet.") if early else _("Check-in for this session has closed.")


def describe(window: Window, early: bool, tz: dt.tzinfo) -> str:
    """The refusal with the time, in the portal's zone: "... opens Tue 08 Dec, 08:00." """
    if early:
        return _("Check-in for this session opens {when}.").format(
            when=format_when(window.opens.astimezone(tz), "%a %d %b, %H:%M"))
    return _("Check-in for this session closed {when}.").format(
        when=format_when(window.closes.astimezone(tz), "%a %d %b, %H:%M"))


async def session_window(session_id: int) -> Window | None:
    """The window of one session (None if there is no such session)."""
    row = await Session.select(
        Session.starts_at, Session.ends_at, Session.event.checkin_opens_before.as_alias("checkin_opens_before"),
        Session.event.checkin_closes_after.as_alias("checkin_closes_after"),
    ).where(Session.id == session_id).first()
    return window_of(row) if row else None
