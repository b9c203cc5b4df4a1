"""Every page a person can reach by links answers without a server error (or a broken link), for every
role, in English and in Bangla, on the demo data plus enough rows that every list has three pages or more.

Pages are found by following links (tests/crawler.py), so a new page linked from the menu or from any
page is crawled without a change here. A state worth crawling (a job under way, a revoked certificate)
is added to `_extra_rows`, on one of the demo's events: the demo's events come first in the lists.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable

import httpx
import pytest

from portal.auth.services import CurrentUser
from portal.auth.services import create_user as create_staff
from portal.certificates.tables import Certificate, IssueJob
from portal.core import clock
from portal.core.audit import Actor
from portal.demo import DEMO_PASSWORD, load_demo
from portal.events.management import services as events
from portal.events.participants import services as participants
from portal.events.tables import Event, Participant
from tests.crawler import Answer, Crawl
from tests.english_left import english_left, typed_words, visible_words
from tests.helpers import PORTAL_TZ

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(1200)]

ADMIN = "admin@crawl.example"
STAFF = {
    "admin": ADMIN, "coordinator": "coordinator@demo.example", "organizer Sylhet": "organizer.sylhet@demo.example",
    "organizer Khulna": "organizer.khulna@demo.example", "trainer": "trainer@demo.example",
}
TICKET_HOLDER = "ticket holder"
LANGUAGES = ("en", "bn")
BROKEN = (403, 404, 410)  # a link the portal shows that leads nowhere


async def _extra_rows() -> None:
    """Three pages of events for each organizer too (older than the demo's, so those come first), and a
    bulk issue of certificates still under way at the demo's past ToT."""
    coordinator = CurrentUser(id=1, name="Crawl", role="coordinator")
    today = clock.today(PORTAL_TZ)
    for district in ("sylhet", "khulna"):
        for n in range(2 * events.PAGE_SIZE):
            start = today - dt.timedelta(days=100 + n)
            await events.create_event({"kind": "other", "title": f"Past meeting {n} in {district}",
                                       "district": district, "start_date": start.isoformat(),
                                       "end_date": start.isoformat()}, coordinator, PORTAL_TZ)
    tot = await Event.select(Event.id).where((Event.status == "completed") & (Event.kind == "tot")).first()
    await IssueJob.insert(IssueJob(event=tot["id"], status="running", total=5, done=2, created_by=1,
                                   created_at=clock.now(), heartbeat_at=clock.now() + dt.timedelta(days=1)))
    assert await Participant.count() > 2 * participants.PAGE_SIZE


async def _log_in(client: httpx.AsyncClient, email: str) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"identifier": email, "password": DEMO_PASSWORD,
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303, f"{email} could not log in"


def _problems(answers: list[Answer], who: str, lang: str) -> list[str]:
    return [f"{a.status} {a.url}{' (htmx)' if a.fragment else ''} as {who} in {lang}, linked from {a.found_on}"
            for a in answers if a.status >= 500 or a.status in BROKEN]


async def test_every_linked_page_answers_without_an_error(app, db, settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(settings.data_dir))
    started = time.perf_counter()
    await load_demo()
    await create_staff({"name": "Crawl Admin", "email": ADMIN, "role": "admin", "password": DEMO_PASSWORD},
                       Actor.system("crawl"))
    await _extra_rows()
    # A ticket holder with a certificate and a course: a master trainer of the demo's past ToT.
    token = (await Certificate.select(Certificate.registration.ticket_token.as_alias("token"))
             .where(Certificate.kind == "master_trainer").first())["token"]
    loaded = time.perf_counter()
    visitors = [*STAFF.items(), (TICKET_HOLDER, "")]
    addresses = iter(range(1, 255))
    problems: list[str] = []
    seen: dict[tuple[str, str], set[str]] = {}
    allowed = await typed_words()
    english: dict[str, tuple[int, str]] = {}  # word -> (pages, first page) on Bangla pages

    def read_bangla(who: str) -> Callable[[str, httpx.Response], None]:
        def read(url: str, response: httpx.Response) -> None:
            for word in set(english_left(visible_words(response.text), allowed)):
                count, first = english.get(word, (0, f"{url} as {who}"))
                english[word] = (count + 1, first)
        return read

    async with app.lifespan():
        for who, email in visitors:
            for lang in LANGUAGES:
                # Each visitor from an address of their own: the verify page limits look-ups per address.
                transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{next(addresses)}", 50000))
                async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                             cookies={"lang": lang}) as client:
                    if email:
                        await _log_in(client, email)
                    crawl = Crawl(client, on_page=read_bangla(who) if lang == "bn" else None)
                    answers = await crawl.run(["/manage"] if email else [f"/t/{token}", "/"])
                problems += _problems(answers, who, lang)
                seen[who, lang] = {a.url for a in answers}
    fetched = sum(len(urls) for urls in seen.values())
    last_people = math.ceil(await Participant.count() / participants.PAGE_SIZE)
    last_events = math.ceil(await Event.count() / events.PAGE_SIZE)
    last_sylhet = math.ceil(await Event.count().where(Event.district == "sylhet") / events.PAGE_SIZE)
    print(f"\ncrawl: data {loaded - started:.1f} s, {fetched} pages in {time.perf_counter() - loaded:.1f} s")
    assert not problems, f"{len(problems)} pages failed:\n" + "\n".join(problems)
    # Every page in Bangla is in Bangla: no English word but the data people typed (tests/english_left.py).
    left = sorted(english.items(), key=lambda item: -item[1][0])
    assert not left, f"{len(left)} English words on Bangla pages:\n" + "\n".join(
        f"{word!r} on {count} pages, first {first}" for word, (count, first) in left)

    # The crawl went where a user goes: every list's second and last page, each role's own pages.
    for lang in LANGUAGES:
        admin, sylhet = seen["admin", lang], seen["organizer Sylhet", lang]
        assert {"/manage/participants?page=2", f"/manage/participants?page={last_people}"} <= admin
        assert {"/manage/events?page=2", f"/manage/events?page={last_events}", "/manage/users"} <= admin
        assert {"/manage/events?page=2", f"/manage/events?page={last_sylhet}"} <= sylhet
        assert min(last_people, last_events, last_sylhet) >= 3
        assert "/manage/users" not in sylhet
        assert any(url.startswith("/courses/") for url in seen["trainer", lang])
        assert any("/certificate/" in url for url in seen[TICKET_HOLDER, lang])
        assert all(len(seen[who, lang]) > 400 for who in ("admin", "coordinator", "organizer Sylhet"))
