"""Factories for report tests: rows written straight into the tables (no services needed)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests import factories

DHAKA = factories.DHAKA
DEC_1 = dt.date(2026, 12, 1)


# The report tests' world: Dhaka, 1 December 2026, sessions from 10:00 to 16:00, women in government
# unless told. The same factories as everywhere (tests/factories.py), with these defaults.
@pytest.fixture
def create_event(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_event(**columns)` -> event id: a district workshop in Dhaka on 1 December 2026."""
    return functools.partial(factories.make_event, district="dhaka", start_date=DEC_1)


@pytest.fixture
def create_session(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_session(event_id, day, title)` -> session id: 10:00 to 16:00 Dhaka time."""
    return functools.partial(factories.make_session, hours=(10, 16))


@pytest.fixture
def create_person(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_person(**columns)` -> participant id: a woman in government, in Dhaka."""
    return functools.partial(factories.make_person, gender="female", stakeholder_type="government", district="dhaka")


@pytest.fixture
async def attendance_world(create_event, create_session, create_person, create_registration,
                           create_checkin, create_certificate) -> dict[str, Any]:
    """Two events: a two-day Dhaka workshop (3 people, 4 check-ins, a certificate) and a Sylhet ToT."""
    dhaka = await create_event(title="Dhaka workshop", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2))
    day1 = await create_session(dhaka, dt.date(2026, 12, 1), "Day 1")
    day2 = await create_session(dhaka, dt.date(2026, 12, 2), "Day 2")
    rahima = await create_person(name="=HYPERLINK(\"http://x\")", name_bn="রহিমা বেগম")
    karim = await create_person(name="Karim", gender="male", stakeholder_type="cso")
    salma = await create_person(name="Salma", stakeholder_type="returnee")
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
