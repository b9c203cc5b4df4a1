"""Database helpers: `fetch_tuples`, the select that exports use for many rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portal.db import fetch_tuples, is_sqlite
from portal.events.tables import CheckIn, Event, Participant, Registration, Session

pytestmark = pytest.mark.anyio
DHAKA = dt.timezone(dt.timedelta(hours=6))


@pytest.fixture
async def checked_in(db: Any) -> int:
    """A check-in of a participant without a phone, in Dhaka time; its id."""
    event = Event(kind="tot", title="ToT", district="dhaka", start_date=dt.date(2026, 12, 1),
                  end_date=dt.date(2026, 12, 2))
    await event.save()
    session = Session(event=event.id, title="Day 1", starts_at=dt.datetime(2026, 12, 1, 0, 30, tzinfo=DHAKA),
                      ends_at=dt.datetime(2026, 12, 1, 6, tzinfo=DHAKA))
    await session.save()
    person = Participant(name="রহিমা", phone=None)
    await person.save()
    registration = Registration(event=event.id, participant=person.id, ticket_token="t" * 22)
    await registration.save()
    check_in = CheckIn(registration=registration.id, session=session.id, method="manual",
                       at=dt.datetime(2026, 12, 1, 0, 40, 59, 123456, tzinfo=DHAKA))
    await check_in.save()
    return check_in.id


def _select() -> Any:
    reg = CheckIn.registration
    return CheckIn.select(
        CheckIn.id, reg.participant.name, reg.participant.phone, reg.participant.created_at, reg.event.start_date,
        CheckIn.session.starts_at, CheckIn.at, CheckIn.by_user, CheckIn.method,
    ).order_by(CheckIn.id)


async def test_rows_are_tuples_of_what_piccolo_gives(checked_in):
    rows = await fetch_tuples(_select())
    expected = [tuple(row.values()) for row in await _select()]
    assert [tuple(r) for r in rows] == expected
    assert [type(v) for v in rows[0]] == [type(v) for v in expected[0]]
    assert rows[0][6] == dt.datetime(2026, 11, 30, 18, 40, 59, 123456, tzinfo=dt.UTC)


async def test_a_time_stored_without_an_offset_is_read_as_utc(checked_in):
    await Participant.raw("UPDATE participant SET created_at = '2026-01-02 03:04:05'")
    (row,) = await fetch_tuples(_select())
    assert row[3] == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert tuple(row) == tuple((await _select())[0].values())


async def test_a_keyset_page_follows_the_where_and_limit(checked_in):
    assert await fetch_tuples(_select().where(CheckIn.id > checked_in).limit(10)) == []
    assert len(await fetch_tuples(_select().where(CheckIn.id >= checked_in).limit(10))) == 1


async def test_inside_a_transaction_it_sees_the_transaction_rows(db, checked_in):
    async with db.transaction():
        await CheckIn.update({CheckIn.method: "import"}).where(CheckIn.id == checked_in)
        (row,) = await fetch_tuples(_select())
        assert row[-1] == "import"


async def test_the_columns_must_be_named(db):
    with pytest.raises(ValueError, match="columns named"):
        await fetch_tuples(CheckIn.select())


async def test_sqlite_refuses_a_type_it_would_read_wrongly(db):
    if not is_sqlite(db):
        pytest.skip("PostgreSQL returns every type as Piccolo does")
    with pytest.raises(ValueError, match="BOOLEAN"):
        await fetch_tuples(Event.select(Event.id, Event.walk_ins))
