"""Names and event titles stored before the forms began dropping bidi overrides (U+202A-U+202E,
U+2066-U+2069) are isolated in <bdi> on the staff pages, so an override cannot reorder the text
around the name: "Rabeya<U+202E> · WARBE · 017..." would otherwise print the rest of the line backwards.

The rows are written straight to the database, as old data would be; the forms no longer let them in.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from portal.auth.tables import User
from portal.certificates.tables import Certificate, PoolMember
from portal.core import clock as portal_clock
from portal.events.tables import Event
from tests import factories
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio

RLO = "\u202e"
NAME = f"Rabeya {RLO}Khatun"
NAME_BN = f"রাবেয়া {RLO}খাতুন"
TITLE = f"ToT {RLO}Khulna"
STAFF_NAME = f"Organizer {RLO}Rahman"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Where an element cannot hold markup, its text is a paragraph of its own and nothing follows it.
OWN_PARAGRAPH = {"title", "option", "textarea"}


class _Isolation(HTMLParser):
    """Collects every text run that carries an override, with the elements it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if RLO in data:
            self.found.append((data, tuple(self.open)))


def unisolated(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Text runs with an override that are shown inline without a <bdi> around them."""
    parser = _Isolation()
    parser.feed(html)
    assert parser.found, "the page does not show the stored name or title at all"
    return [(text, where) for text, where in parser.found if "bdi" not in where and not OWN_PARAGRAPH & set(where)]


@pytest.fixture
async def world(staff_client):
    """A past ToT (one session: the person present, two absent) with a master-trainer certificate and so a
    pool entry, and an upcoming event; names, titles and staff names all carry an override."""
    today = portal_clock.today(PORTAL_TZ)
    event_id, (session_id,) = await factories.make_event_with_sessions(kind="tot", title=TITLE, days=1,
                                                         start=today - dt.timedelta(days=10))
    upcoming, _ = await factories.make_event_with_sessions(title=TITLE, days=1, start=today + dt.timedelta(days=5))
    person = await factories.make_person(name=NAME, name_bn=NAME_BN, organisation="WARBE")
    registration = await factories.make_registration(event_id, person, attend=[session_id])
    absent = [await factories.make_registration(event_id, await factories.make_person(name=f"Absent {n}"))
              for n in range(2)]
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/{registration}/issue")
    assert response.status_code < 400, response.text[:300]
    await User.update({User.name: STAFF_NAME}).where(User.id.is_not_null())
    staff = await User.select(User.id).first()
    await Event.update({Event.organizer: staff["id"]}).where(Event.id.is_in([event_id, upcoming]))
    return {"event": event_id, "session": session_id, "person": person, "registration": registration,
            "absent": absent, "certificate": (await Certificate.select(Certificate.id).first())["id"],
            "member": (await PoolMember.select(PoolMember.id).first())["id"]}


def staff_pages(world: dict) -> dict[str, str]:
    event, session = world["event"], world["session"]
    return {
        "event list": "/manage/events",
        "event detail": f"/manage/events/{event}",
        "registrations list": f"/manage/events/{event}/registrations?find=Rabeya",
        "attendance list": f"/manage/events/{event}/sessions/{session}/attendance",
        "scan page": f"/manage/events/{event}/sessions/{session}/scan",
        "venue screen": f"/manage/events/{event}/sessions/{session}/display",
        "participants list": "/manage/participants?q=Rabeya",
        "participant form": f"/manage/participants/{world['person']}",
        "certificates list": f"/manage/events/{event}/certificates",
        "certificate detail": f"/manage/certificates/{world['certificate']}",
        "pool list": "/manage/pool",
        "pool member": f"/manage/pool/{world['member']}",
        "dashboard": "/manage/reports/dashboard",
    }


@pytest.mark.parametrize("page", list(staff_pages({"event": 0, "session": 0, "person": 0, "certificate": 0,
                                                    "member": 0})))
async def test_stored_names_and_titles_with_an_override_are_isolated(staff_client, world, page):
    response = await staff_client.get(staff_pages(world)[page])
    assert response.status_code == 200, page
    assert unisolated(response.text) == []


@pytest.mark.parametrize("fragment", ["registrations", "participants", "events"])
async def test_rows_swapped_by_the_search_isolate_them_too(staff_client, world, fragment):
    url = {"registrations": f"/manage/events/{world['event']}/registrations?q=Rabeya",
           "participants": "/manage/participants?q=Rabeya", "events": "/manage/events?q=ToT"}[fragment]
    response = await staff_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert unisolated(response.text) == []


async def test_the_attendance_row_answering_a_check_in_isolates_the_name(staff_client, world):
    url = (f"/manage/events/{world['event']}/sessions/{world['session']}/attendance/"
           f"{world['registration']}/undo")
    response = await staff_client.post(url, headers={"HX-Request": "true"}, data={"reason": "duplicate"})
    assert response.status_code == 200 and f"<bdi>{NAME}</bdi>" in response.text
    assert unisolated(response.text) == []


async def test_lang_attributes_stay_on_the_names(staff_client, world):
    """The Bangla name keeps lang="bn" on an English page; the English name is marked on a Bangla one."""
    page = (await staff_client.get(f"/manage/events/{world['event']}/registrations")).text
    assert f'<strong><bdi>{NAME}</bdi></strong> <bdi lang="bn">{NAME_BN}</bdi>' in page
    staff_client.cookies["lang"] = "bn"
    attendance = (await staff_client.get(staff_pages(world)["attendance list"])).text
    assert f'<strong lang="en"><bdi>{NAME}</bdi></strong> <bdi>{NAME_BN}</bdi>' in attendance
