"""Factories for report tests: rows written straight into the tables (no services needed)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from itertools import count
from typing import Any

import pytest

from portal.certificates.tables import Certificate, PoolMember
from portal.events.tables import CheckIn, Event, Participant, Registration, Session

DHAKA = dt.timezone(dt.timedelta(hours=6))
_numbers = count(1)


@pytest.fixture
def create_event(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: an event (published, Dhaka, district workshop, 1 Dec 2026 unless told) and its id."""

    async def make(**values: Any) -> int:
        start = values.pop("start_date", dt.date(2026, 12, 1))
        row = Event(kind="district_workshop", title=f"Workshop {next(_numbers)}", district="dhaka",
                    start_date=start, end_date=values.pop("end_date", start), status="published")
        for key, value in values.items():
            setattr(row, key, value)
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_session(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a session of an event on a day (10:00-16:00 Dhaka time)."""

    async def make(event_id: int, day: dt.date = dt.date(2026, 12, 1), title: str = "Day") -> int:
        starts = dt.datetime.combine(day, dt.time(10), DHAKA)
        row = Session(event=event_id, title=title, starts_at=starts, ends_at=starts + dt.timedelta(hours=6))
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_participant(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a participant (female government official in Dhaka unless told)."""

    async def make(**values: Any) -> int:
        n = next(_numbers)
        row = Participant(name=values.pop("name", f"Person {n}"), gender="female", stakeholder_type="government",
                          district="dhaka", phone=f"+8801711{n:06d}")
        for key, value in values.items():
            setattr(row, key, value)
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_registration(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a registration of a participant in an event."""

    async def make(event_id: int, participant_id: int, **values: Any) -> int:
        row = Registration(event=event_id, participant=participant_id, ticket_token=secrets.token_urlsafe(16),
                           **values)
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_checkin(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a manual check-in of a registration at a session."""

    async def make(registration_id: int, session_id: int, at: dt.datetime | None = None) -> int:
        at = at or dt.datetime(2026, 12, 1, 10, 2, tzinfo=DHAKA)
        row = CheckIn(registration=registration_id, session=session_id, at=at, method="manual")
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_certificate(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a certificate earned by a registration."""

    async def make(registration_id: int, kind: str = "participation", **values: Any) -> int:
        n = next(_numbers)
        row = Certificate(serial=values.pop("serial", f"DW-2026-{n:04d}"), code=secrets.token_urlsafe(16),
                          kind=kind, registration=registration_id, **values)
        await row.save()
        return row.id

    return make


@pytest.fixture
def create_pool_member(db: Any) -> Callable[..., Awaitable[int]]:
    """Factory: a master trainer in the pool."""

    async def make(participant_id: int, district: str = "dhaka", status: str = "active") -> int:
        row = PoolMember(participant=participant_id, district=district, status=status)
        await row.save()
        return row.id

    return make


@pytest.fixture
async def attendance_world(create_event, create_session, create_participant, create_registration,
                           create_checkin, create_certificate) -> dict[str, Any]:
    """Two events: a two-day Dhaka workshop (3 people, 4 check-ins, a certificate) and a Sylhet ToT."""
    dhaka = await create_event(title="Dhaka workshop", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2))
    day1 = await create_session(dhaka, dt.date(2026, 12, 1), "Day 1")
    day2 = await create_session(dhaka, dt.date(2026, 12, 2), "Day 2")
    rahima = await create_participant(name="=HYPERLINK(\"http://x\")", name_bn="রহিমা বেগম")
    karim = await create_participant(name="Karim", gender="male", stakeholder_type="cso")
    salma = await create_participant(name="Salma", stakeholder_type="returnee")
    r1 = await create_registration(dhaka, rahima)
    r2 = await create_registration(dhaka, karim)
    r3 = await create_registration(dhaka, salma)
    for reg, session in ((r1, day1), (r1, day2), (r2, day1), (r3, day2)):
        await create_checkin(reg, session)
    await create_certificate(r1, serial="DW-2026-0001")
    sylhet = await create_event(title="Sylhet ToT", kind="tot", district="sylhet", start_date=dt.date(2027, 1, 10))
    s_day = await create_session(sylhet, dt.date(2027, 1, 10), "Day 1")
    r4 = await create_registration(sylhet, karim)
    await create_checkin(r4, s_day, dt.datetime(2027, 1, 10, 9, 55, tzinfo=DHAKA))
    return {"dhaka": dhaka, "sylhet": sylhet, "sessions": (day1, day2, s_day), "people": (rahima, karim, salma),
            "registrations": (r1, r2, r3, r4)}
