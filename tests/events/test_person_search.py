"""One person search: the participants directory, an event's registrations and a session's attendance
find the same people for the same text (one phone rule, one condition)."""

import pytest

from portal.events.checkin import services as checkin
from portal.events.participants import services as participants
from portal.events.registrations import services as registrations

pytestmark = pytest.mark.anyio

PEOPLE = [
    {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "phone": "+8801711234567", "email": "rahima@example.org",
     "organisation": "Upazila Health Complex"},
    {"name": "Karim Sheikh", "phone": "+8801819000111", "organisation": "BRAC"},
    {"name": "Shirin Akter", "phone": "+8801552340000", "organisation": "District hospital"},
]


@pytest.fixture
async def world(event_id, session_id, register_person):
    for person in PEOPLE:
        values = dict(person)
        await register_person(event_id, values.pop("name"), phone=values.pop("phone"))
    # The factory stores name and phone; the other fields go on directly.
    from portal.events.tables import Participant

    for person in PEOPLE:
        extra = {k: v for k, v in person.items() if k not in ("name", "phone")}
        await Participant.update(extra).where(Participant.name == person["name"])
    return event_id, session_id


@pytest.mark.parametrize(("q", "found"), [
    ("rahima", ["Rahima Begum"]),
    ("RAHIMA", ["Rahima Begum"]),
    ("রহিমা", ["Rahima Begum"]),
    ("brac", ["Karim Sheikh"]),
    ("rahima@example", ["Rahima Begum"]),
    ("01711-234567", ["Rahima Begum"]),  # the whole number as typed
    ("+8801711234567", ["Rahima Begum"]),
    ("1711234567", ["Rahima Begum"]),  # as a spreadsheet keeps it, without the 0
    ("০১৭১১২৩৪৫৬৭", ["Rahima Begum"]),  # Bangla digits
    ("234567", ["Rahima Begum"]),  # a part of a number
    ("0181", ["Karim Sheikh"]),
    ("234", ["Rahima Begum", "Shirin Akter"]),
    ("01", ["Karim Sheikh", "Rahima Begum", "Shirin Akter"]),  # too short for a phone; no name has "01"
    ("hospital", ["Shirin Akter"]),
    ("nobody", []),
])
async def test_the_three_searches_find_the_same_people(world, q, found):
    event_id, session_id = world
    directory = sorted(r["name"] for r in (await participants.list_participants(q))[0])
    listed = sorted(r["name"] for r in await registrations.list_registrations(event_id, q))
    present = sorted(r["name"] for r in await checkin.attendance(session_id, event_id, q))
    expected = [] if q == "01" else found
    assert directory == listed == present == expected


@pytest.mark.parametrize(("q", "fragment"), [
    ("01711-234567", "+8801711234567"), ("0171", "171"), ("12", None), ("Rahima 0171", None), ("", None),
    ("৪৫৬৭", "4567"),
])
def test_phone_rule(q, fragment):
    assert participants.phone_fragment(q) == fragment
