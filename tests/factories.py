"""Rows for tests, written straight into the tables: one way to make each kind of row.

No service rules run here (no capacity, no district scope, no audit): a test that is about a rule
goes through the service; a test that needs a world to look at uses these. Every column can be given
as a keyword. The fixtures in tests/conftest.py (`create_event`, `create_person`, ...) are these
functions; a folder that wants other defaults (reports: Dhaka, 1 December) wraps them with
functools.partial in its conftest, so the signature stays the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from itertools import count
from typing import Any

from portal.certificates.tables import Certificate, PoolMember
from portal.events.tables import CheckIn, Event, Participant, Registration, Session

DHAKA = dt.timezone(dt.timedelta(hours=6), "Asia/Dhaka")
FIRST_DAY = dt.date(2026, 11, 23)
_numbers = count(1)


async def make_event(**values: Any) -> int:
    """An event (a published district workshop in Khulna on FIRST_DAY unless `values` say otherwise); its id."""
    start = values.pop("start_date", FIRST_DAY)
    row = Event(kind="district_workshop", title=f"Event {next(_numbers)}", district="khulna", start_date=start,
                end_date=values.pop("end_date", start), status="published", completion_percent=100)
    for key, value in values.items():
        setattr(row, key, value)
    await row.save()
    return row.id


async def make_session(event_id: int, day: dt.date = FIRST_DAY, title: str = "Day", *,
                       hours: tuple[int, int] = (9, 17)) -> int:
    """A session of an event on `day`, from hours[0] to hours[1] o'clock Dhaka time; its id."""
    starts = dt.datetime.combine(day, dt.time(hours[0]), DHAKA)
    row = Session(event=event_id, title=title, starts_at=starts, ends_at=starts.replace(hour=hours[1]))
    await row.save()
    return row.id


async def make_event_with_sessions(days: int = 3, start: dt.date = FIRST_DAY,
                                   **values: Any) -> tuple[int, list[int]]:
    """An event of `days` days with one session a day ("Day 1", ..., 09:00-17:00): (event id, session ids)."""
    event_id = await make_event(start_date=start, end_date=start + dt.timedelta(days=max(days, 1) - 1), **values)
    sessions = [await make_session(event_id, start + dt.timedelta(days=n), f"Day {n + 1}") for n in range(days)]
    return event_id, sessions


async def make_person(name: str = "", name_bn: str = "", **values: Any) -> int:
    """A person in the directory ("Person N" in Khulna, with a phone no one else has); their id."""
    n = next(_numbers)
    row = Participant(name=name or f"Person {n}", name_bn=name_bn, district="khulna", phone=f"+8801711{n:06d}")
    for key, value in values.items():
        setattr(row, key, value)
    await row.save()
    return row.id


async def make_registration(event_id: int, participant_id: int | None = None, *, attend: Iterable[int] = (),
                            **values: Any) -> int:
    """A registration (a new person unless `participant_id`), checked in at the sessions in `attend`; its id."""
    participant_id = participant_id or await make_person()
    row = Registration(event=event_id, participant=participant_id, role="participant", status="registered",
                       ticket_token=secrets.token_urlsafe(16))
    for key, value in values.items():
        setattr(row, key, value)
    await row.save()
    for session_id in attend:
        await make_checkin(row.id, session_id)
    return row.id


async def ticket_token(registration_id: int) -> str:
    """The registration's ticket token."""
    row = await Registration.select(Registration.ticket_token).where(Registration.id == registration_id).first()
    return row["ticket_token"]


async def make_checkin(registration_id: int, session_id: int, at: dt.datetime | None = None,
                       method: str = "manual") -> int:
    """A check-in of a registration at a session, two minutes after the session starts unless `at`; its id."""
    if at is None:
        session = await Session.select(Session.starts_at).where(Session.id == session_id).first()
        at = session["starts_at"] + dt.timedelta(minutes=2)
    row = CheckIn(registration=registration_id, session=session_id, at=at, method=method)
    await row.save()
    return row.id


async def make_certificate(registration_id: int, kind: str = "participation", **values: Any) -> int:
    """A certificate earned by a registration; its id."""
    n = next(_numbers)
    row = Certificate(serial=values.pop("serial", f"DW-2026-{n:04d}"), code=secrets.token_urlsafe(16), kind=kind,
                      registration=registration_id, **values)
    await row.save()
    return row.id


async def make_pool_member(participant_id: int, district: str = "dhaka", status: str = "active", **values: Any) -> int:
    """A master trainer in the pool; the member's id."""
    row = PoolMember(participant=participant_id, district=district, status=status, **values)
    await row.save()
    return row.id
