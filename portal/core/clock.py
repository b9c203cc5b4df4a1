"""The portal's clock: every "now" and "today" the portal uses comes from here.

Production reads the system clock. Tests install another clock (`use`) so that the suite passes
on any date and a test can run the portal at the end of a month or on 1 January.

Piccolo's column default `TimestamptzNow()` reads the system clock, and replacing it needs an
ALTER COLUMN that SQLite cannot run: where a time matters to a rule or a report (check-ins,
certificates, jobs, links), services write it from this clock explicitly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)


class TravelClock:
    """A clock that starts at `start` and then runs at the speed of real time.

    Time still passes (rate-limit windows, timeouts and job heartbeats behave), but the date is
    the one a test chose. `move_to` and `advance` jump."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's start must be timezone-aware")
        self._start = start.astimezone(dt.UTC)
        self._started = time.monotonic()

    def now(self) -> dt.datetime:
        """The chosen start plus the real time elapsed since."""
        return self._start + dt.timedelta(seconds=time.monotonic() - self._started)

    def move_to(self, instant: dt.datetime) -> None:
        """Jump to `instant` (timezone-aware); time runs on from there."""
        self.__init__(instant)  # type: ignore[misc]

    def advance(self, delta: dt.timedelta) -> None:
        """Jump forward (or back, with a negative delta)."""
        self.move_to(self.now() + delta)


_clock: Clock = SystemClock()


def now() -> dt.datetime:
    """Timezone-aware now (UTC), from the installed clock."""
    return _clock.now()


def today(tz: ZoneInfo) -> dt.date:
    """Today's date in time zone `tz` (the portal's PORTAL_TIMEZONE)."""
    return _clock.now().astimezone(tz).date()


def current() -> Clock:
    """The clock in use."""
    return _clock


@contextlib.contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Install `clock` for the duration of the block (tests, and `portal` commands that pretend a date)."""
    global _clock  # noqa: PLW0603 - the one seam that lets a test set the time
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous

