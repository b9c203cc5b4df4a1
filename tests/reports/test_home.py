"""Each role's home page on the demo data: real figures (counted here with plain queries), links to the
lists behind them, an organizer's district scope, and both languages (issue 18)."""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
import pytest

from portal.auth.services import CurrentUser
from portal.auth.tables import User
from portal.core import clock
from portal.core.i18n import bangla_digits
from portal.core.spreadsheets import Sheet
from portal.core.storage import make_storage
from portal.demo import DEMO_PASSWORD, load_demo
from portal.events.checkin import services as checkin
from portal.events.imports import uploads
from portal.events.management import services as events
from portal.events.registrations import services as registrations
from portal.events.tables import CheckIn, Event, Participant, Registration, Session
from portal.messages.tables import OutboxMessage
from portal.reports.home import months_back
from tests.helpers import PORTAL_TZ

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]


async def _coordinator() -> CurrentUser:
    row = await User.select().where(User.email == "coordinator@demo.example").first()
    return CurrentUser(id=row["id"], name=row["name"], role="coordinator", email=row["email"])


async def _event(coordinator: CurrentUser, title: str, district: str, start: dt.date, status: str = "published") -> int:
    event_id = await events.create_event({"kind": "other", "title": title, "district": district,
                                          "start_date": start.isoformat(), "end_date": start.isoformat()},
                                         coordinator, PORTAL_TZ)
    if status != "draft":
        await events.change_status(event_id, "published", coordinator)
    if status == "completed":
        await events.change_status(event_id, "completed", coordinator)
    return event_id


@pytest.fixture
async def world(app, db, settings, monkeypatch):
    """The demo, plus: a Khulna session today and a Khulna event tomorrow (scope), a Sylhet event tomorrow,
    and a Sylhet session three days ago where 2 of 10 came, since completed (low attendance, 2 certificates
    not issued), with a failed message and an upload never imported."""
    monkeypatch.setenv("PORTAL_DATA_DIR", str(settings.data_dir))
    await load_demo()
    coordinator = await _coordinator()
    today = clock.today(PORTAL_TZ)
    people = [p["id"] for p in await Participant.select(Participant.id).order_by(Participant.id).limit(10)]
    khulna_today = await _event(coordinator, "Khulna meeting today", "khulna", today)
    khulna_next = await _event(coordinator, "Khulna meeting tomorrow", "khulna", today + dt.timedelta(days=1))
    sylhet_next = await _event(coordinator, "Sylhet meeting tomorrow", "sylhet", today + dt.timedelta(days=1),
                               status="draft")
    weak = await _event(coordinator, "Poorly attended meeting", "sylhet", today - dt.timedelta(days=3))
    ids = [(await registrations.register(weak, p, coordinator.actor()))["id"] for p in people]
    session = (await events.list_sessions(weak))[0]
    for registration_id in ids[:2]:
        await checkin.check_in(session["id"], coordinator.actor(), registration_id=registration_id,
                               method="manual", by_user=coordinator.id, at=session["starts_at"])
    await events.change_status(weak, "completed", coordinator)
    message = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.event_id == weak).first()
    await OutboxMessage.update({OutboxMessage.status: "failed"}).where(OutboxMessage.id == message["id"])
    storage = make_storage(settings)  # the data folder the app's storage uses
    try:
        await uploads.save(storage, weak, [Sheet("People", [(1, ["Name", "Phone"])])], "people.xlsx")
    finally:
        await storage.close()
    return {"today": today, "khulna_today": khulna_today, "khulna_next": khulna_next, "sylhet_next": sylhet_next,
            "weak": weak, "weak_session": session["id"]}


async def _client(app, email: str, lang: str = "en") -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local",
                               cookies={"lang": lang})
    await client.get("/login")
    response = await client.post("/login", data={"identifier": email, "password": DEMO_PASSWORD,
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303
    return client


async def _today_counts(district: str, today: dt.date) -> list[tuple[int, int, int, int]]:
    """(event, session, present, registered) for today's sessions of published/completed events in a district."""
    start = dt.datetime.combine(today, dt.time(), PORTAL_TZ)
    out = []
    for s in await Session.select(Session.id, Session.event, Session.starts_at).where(
            Session.event.district == district):
        event = await Event.select(Event.status).where(Event.id == s["event"]).first()
        if start <= s["starts_at"] < start + dt.timedelta(days=1) and event["status"] in ("published", "completed"):
            present = await CheckIn.count().where(CheckIn.session == s["id"])
            registered = await Registration.count().where(
                (Registration.event == s["event"]) & (Registration.status == "registered"))
            out.append((s["event"], s["id"], present, registered))
    return out


def _pair(figure: str, lang: str) -> list[str]:
    """(part, whole) from "2 present of 10 registered"; Bangla says the whole first ("নিবন্ধিত ১০ জনের মধ্যে ২ জন")."""
    numbers = re.findall(r"[0-9০-৯]+", figure)
    return numbers[::-1] if lang == "bn" else numbers


def _section(text: str, heading_id: str) -> str:
    return text.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


async def test_organizer_home_day_week_and_attention_in_their_districts_only(app, world):
    today = world["today"]
    counts = await _today_counts("sylhet", today)
    assert counts, "the demo has a Sylhet session today"
    async with app.lifespan():
        for lang in ("en", "bn"):
            client = await _client(app, "organizer.sylhet@demo.example", lang)
            page = (await client.get("/manage")).text
            digits = bangla_digits if lang == "bn" else str
            today_part = _section(page, "h-today")
            for event_id, session_id, present, registered in counts:
                link = f'href="/manage/events/{event_id}/sessions/{session_id}/attendance">'
                figure = today_part.split(link, 1)[1].split("</a>", 1)[0]
                assert _pair(figure, lang) == [digits(present), digits(registered)]
            assert "Khulna meeting today" not in page  # scope: another district's session
            week = _section(page, "h-week")
            assert "Sylhet meeting tomorrow" in week and "Khulna meeting tomorrow" not in week
            assert f'href="/manage/events/{world["sylhet_next"]}/registrations"' in week
            attention = _section(page, "h-attention")
            weak, session = world["weak"], world["weak_session"]
            low = attention.split(f'href="/manage/events/{weak}/sessions/{session}/attendance">', 1)[1]
            assert _pair(low.split("</a>", 1)[0], lang) == [digits(2), digits(10)]
            certificates = attention.split(f'href="/manage/events/{weak}/certificates">', 1)[1].split("</a>", 1)[0]
            assert re.findall(r"[0-9০-৯]+", certificates) == [digits(2), digits(2)]
            failed = attention.split(f'href="/manage/events/{weak}/messages">', 1)[1].split("</a>", 1)[0]
            assert re.findall(r"[0-9০-৯]+", failed) == [digits(1)]
            assert f'href="/manage/events/{weak}/import"' in attention
            assert "/manage/messages?status=failed" not in page  # the outbox is the coordinators'
            if lang == "bn":
                assert "আজকের সেশন" in page and "মনোযোগ" in page
            await client.aclose()
        khulna = await _client(app, "organizer.khulna@demo.example")
        page = (await khulna.get("/manage")).text
        assert "Khulna meeting today" in page and "Poorly attended meeting" not in page
        assert "Sylhet meeting tomorrow" not in page
        fragment = await khulna.get("/manage/today", headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert "Khulna meeting today" in fragment.text and "0 present of 0 registered" in fragment.text
        # Live: the fragment the home page polls counts a check-in made since.
        coordinator = await _coordinator()
        person = (await Participant.select(Participant.id).first())["id"]
        registration = await registrations.register(world["khulna_today"], person, coordinator.actor())
        session = (await events.list_sessions(world["khulna_today"]))[0]
        await checkin.check_in(session["id"], coordinator.actor(), registration_id=registration["id"],
                               method="manual", by_user=coordinator.id, at=session["starts_at"], override=True)
        fragment = await khulna.get("/manage/today", headers={"HX-Request": "true"})
        assert "1 present of 1 registered" in fragment.text
        if clock.now() < session["ends_at"]:
            assert 'hx-trigger="every 60s"' in fragment.text  # polls while a session is not over
        await khulna.aclose()


async def test_coordinator_home_charts_match_the_data(app, world):
    today = world["today"]
    first = months_back(today)[0]
    # People reached: distinct people checked in at held events that started in the last twelve months.
    rows = await CheckIn.select(CheckIn.registration.participant.as_alias("pid"),
                                CheckIn.registration.participant.district.as_alias("district"),
                                CheckIn.registration.participant.gender.as_alias("gender"),
                                CheckIn.registration.event.start_date.as_alias("start"),
                                CheckIn.registration.event.status.as_alias("status"))
    held = [r for r in rows if r["status"] in ("published", "completed") and first <= r["start"] <= today]
    people = {r["pid"]: r for r in held}
    sylhet = sum(1 for r in people.values() if r["district"] == "sylhet")
    women = sum(1 for r in people.values() if r["gender"] == "female")
    assert sylhet and women
    async with app.lifespan():
        for lang in ("en", "bn"):
            client = await _client(app, "coordinator@demo.example", lang)
            page = (await client.get("/manage")).text
            digits = bangla_digits if lang == "bn" else str
            name = "সিলেট" if lang == "bn" else "Sylhet"
            glance = _section(page, "h-glance")
            assert f"<strong>{digits(len(people))}</strong>" in glance
            assert f"<strong>{digits(len(held))}</strong>" in glance  # check-ins
            # The map's table: Sylhet with its count, linked to the directory filtered by district.
            assert (f'<td><a href="/manage/participants?district=sylhet">{name}</a></td>'
                    f"<td>{html.escape('সিলেট' if lang == 'bn' else 'Sylhet')}</td><td>{digits(sylhet)}</td>") in glance
            assert '<a href="/manage/participants?district=sylhet"><title>' in glance  # the tile links too
            female = "নারী" if lang == "bn" else "Female"
            gender_link = (f"/manage/reports/attendance?gender=female&amp;date_from={first.isoformat()}"
                           f"&amp;date_to={today.isoformat()}")
            assert f'<td><a href="{gender_link}">{female}</a></td><td>{digits(women)}</td>' in glance
            months = glance.split('id="c-home-checkins-title"', 1)[1].split("</figure>", 1)[0]
            total = sum(int(bangla_digits_back(n)) for n in re.findall(r"<td>([0-9০-৯,]+)</td>", months))
            assert total == len(held)
            assert "Khulna meeting today" in page and "Poorly attended meeting" in page  # every district
            assert "/manage/messages?status=failed" in page
            await client.aclose()


def bangla_digits_back(text: str) -> str:
    return text.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")).replace(",", "")


async def test_trainer_home_courses_and_step_down_trainings(app, world):
    trainer = await User.select().where(User.email == "trainer@demo.example").first()
    running = await Event.select(Event.id, Event.title).where(Event.organizer == trainer["id"])
    assert len(running) == 2
    async with app.lifespan():
        for lang in ("en", "bn"):
            client = await _client(app, "trainer@demo.example", lang)
            page = (await client.get("/manage")).text
            digits = bangla_digits if lang == "bn" else str
            assert "/courses/" in page
            for event in running:
                registered = await Registration.count().where(
                    (Registration.event == event["id"]) & (Registration.status == "registered"))
                figure = page.split(f'href="/manage/events/{event["id"]}/registrations">', 1)[1].split("</a>", 1)[0]
                assert re.findall(r"[0-9০-৯]+", figure) == [digits(registered)]
            assert "Today" not in page and "h-attention" not in page
            assert (await client.get("/manage/today")).status_code == 403
            await client.aclose()
