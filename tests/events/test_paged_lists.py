"""The attendance and registrations lists count and cut their pages in SQL: walking every page gives exactly
the whole list, in the same order, and the total shown is the number of rows (on SQLite and PostgreSQL)."""

import pytest

from portal.core.paging import window
from portal.events.checkin import services as checkin
from portal.events.registrations import services as registrations
from portal.events.registrations.filters import RegistrationFilter
from portal.events.registrations.services import new_token
from portal.events.tables import CheckIn, Participant, Registration
from tests import factories
from tests.events.conftest import DHAKA  # noqa: F401 - fixtures come from the conftest

pytestmark = pytest.mark.anyio
HX = {"hx-request": "true"}


async def _crowd(event_id: int, session_id: int, people: int) -> list[int]:
    """`people` registered in bulk, named so that the name order is not the id order (two share a name), every
    third checked in, one cancelled and one waitlisted; their registration ids."""
    names = [f"Member {(n * 37) % people:03d}" for n in range(people - 1)] + ["Member 005"]
    rows = await Participant.insert(*[Participant(name=name, district="khulna", phone=f"+88019{n:08d}")
                                      for n, name in enumerate(names)]).returning(Participant.id)
    regs = await Registration.insert(*[
        Registration(event=event_id, participant=row["id"], ticket_token=new_token(),
                     status="cancelled" if n == 4 else "waitlisted" if n == 6 else "registered")
        for n, row in enumerate(rows)]).returning(Registration.id)
    ids = [r["id"] for r in regs]
    for n, registration_id in enumerate(ids):
        if n % 3 == 0:
            await factories.make_checkin(registration_id, session_id)
    return ids


async def _walk(read, size: int) -> tuple[list[int], set[int]]:
    first = await read(1, size)
    rows, totals = list(first["rows"]), {first["total"]}
    for page in range(2, first["pages"] + 1):
        shown = await read(page, size)
        assert shown["page"] == page and shown["pages"] == first["pages"]
        rows += shown["rows"]
        totals.add(shown["total"])
    return rows, totals


@pytest.mark.parametrize("show", ["all", "present", "absent"])
@pytest.mark.parametrize("q", ["", "member 01", "nobody"])
async def test_attendance_pages_add_up_to_the_whole_list(event_id, session_id, show, q):
    await _crowd(event_id, session_id, 130)
    whole = await checkin.attendance(session_id, event_id, q, show)
    assert whole or q == "nobody"
    rows, totals = await _walk(lambda page, size: checkin.attendance_page(session_id, event_id, q, show, page, size),
                               size=25)
    assert [r["id"] for r in rows] == [r["id"] for r in whole]
    assert [(r["checked_in_at"], r["method"]) for r in rows] == [(r["checked_in_at"], r["method"]) for r in whole]
    assert totals == {len(whole)}
    if show == "present":
        assert all(r["checked_in_at"] for r in rows)
    if show == "absent":
        assert not any(r["checked_in_at"] for r in rows)


@pytest.mark.parametrize("q, checked_in", [("", ""), ("member 1", ""), ("nobody", ""), ("", "yes"), ("", "no")])
async def test_registration_pages_add_up_to_the_whole_list(event_id, session_id, q, checked_in):
    await _crowd(event_id, session_id, 130)
    where = RegistrationFilter(q=q, checked_in=checked_in)
    whole = await registrations.list_registrations(event_id, limit=10_000, where=where)
    rows, totals = await _walk(lambda page, size: registrations.registrations_page(event_id, where, page, size),
                               size=25)
    assert [r["id"] for r in rows] == [r["id"] for r in whole]
    assert totals == {len(whole)}
    if not q and not checked_in:
        assert len(whole) == 130
    if checked_in:  # the crowd has people on both sides of the filter
        assert 0 < len(whole) < 130


async def test_a_page_past_the_end_is_the_last_page(event_id, session_id):
    await _crowd(event_id, session_id, 60)
    shown = await checkin.attendance_page(session_id, event_id, page=99, size=25)
    # 58 seated: one cancelled and one waitlisted are not on the list
    assert (shown["page"], shown["pages"], shown["total"], len(shown["rows"])) == (3, 3, 58, 8)
    assert window(0, 5) == {"page": 1, "pages": 1, "total": 0, "offset": 0, "limit": 100}


async def test_one_row_of_the_attendance_list(event_id, session_id):
    ids = await _crowd(event_id, session_id, 20)
    (row,) = await checkin.attendance(session_id, event_id, registration_id=ids[3])
    assert row["id"] == ids[3] and row["checked_in_at"] is not None and row["method"] == "manual"
    (row,) = await checkin.attendance(session_id, event_id, registration_id=ids[1])
    assert row["id"] == ids[1] and row["checked_in_at"] is None
    assert await checkin.attendance(session_id, event_id, registration_id=ids[4]) == []  # cancelled: not seated


async def test_the_registrations_page_counts_past_five_hundred(staff_client, event_id, session_id):
    await _crowd(event_id, session_id, 530)
    assert await Registration.count().where(Registration.event == event_id) == 530
    base = f"/manage/events/{event_id}/registrations"
    first = await staff_client.get(base)
    assert "530 in all" in first.text and "Page 1 of 6" in first.text
    last = await staff_client.get(f"{base}?page=6", headers=HX)
    assert last.text.count("Set role") + last.text.count("reg-cancelled") == 30


async def test_confirming_a_row_without_javascript_opens_its_page(staff_client, event_id, session_id):
    await _crowd(event_id, session_id, 250)
    whole = await checkin.attendance(session_id, event_id)
    absent = [n for n, r in enumerate(whole) if not r["checked_in_at"] and n >= 200]
    target = whole[absent[0]]
    base = f"/manage/events/{event_id}/sessions/{session_id}/attendance"
    page = await staff_client.get(f"{base}?confirm={target['id']}")
    assert "Page 3 of 3" in page.text and f'id="att-{target["id"]}"' in page.text
    assert await CheckIn.count().where(CheckIn.registration == target["id"]) == 0


async def test_the_live_count_counts_seats_of_this_event_only(event_id, session_id, plan_event):
    ids = await _crowd(event_id, session_id, 30)  # one cancelled, one waitlisted, every third checked in
    other = await plan_event(title="Another event")
    await factories.make_registration(other)  # a seat in another event: not counted here
    expected = {"present": 10, "expected": 28}
    assert await checkin.present_count(session_id, event_id) == expected
    token = await factories.ticket_token(ids[1])
    found = await checkin.scan_lookup(event_id, session_id, token, None)
    assert found.count == expected and found.registration["id"] == ids[1]
