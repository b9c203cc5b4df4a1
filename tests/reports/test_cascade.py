"""The cascade report against counts computed independently from the database: two generations of master
trainers, people counted once, and what must not count (drafts, other periods, organizers' trainings,
trainers at their own training, revoked certificates)."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from openpyxl import load_workbook

from portal.certificates.tables import PoolTrainerLink
from portal.events.tables import Event
from portal.reports import cascade
from tests import factories

pytestmark = pytest.mark.anyio
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
GENDERS = itertools.cycle(["female", "male", "female", "third_gender", "undisclosed"])
TYPES = itertools.cycle(["government", "cso", "returnee", "returnee_family", "ngo_partner"])
DISTRICTS = itertools.cycle(["khulna", "jessore", "satkhira"])


async def person(**values) -> int:
    return await factories.make_person(gender=next(GENDERS), stakeholder_type=next(TYPES),
                                       district=next(DISTRICTS), **values)


async def trainer(create_user, district: str, *, linked: bool = False, participant: int | None = None):
    """A pool member with a trainer account: matched by email, or through the invitation link."""
    user = await create_user("trainer")
    if participant is None:
        participant = await factories.make_person(name=user.name, email=None if linked else user.email,
                                                  district=district)
    elif not linked:
        from portal.events.tables import Participant
        await Participant.update({Participant.email: user.email}).where(Participant.id == participant)
    member = await factories.make_pool_member(participant, district=district)
    if linked:
        await PoolTrainerLink.insert(PoolTrainerLink(member=member, user=user.id))
    return user, member, participant


async def training(user, day: dt.date, days: int, people: list[int], *, attend_all: bool = True,
                   district: str = "khulna", status: str = "completed") -> tuple[int, list[int]]:
    event_id, sessions = await factories.make_event_with_sessions(days, day, kind="step_down", organizer=user.id,
                                                                  district=district, status=status)
    for n, pid in enumerate(people):
        attended = sessions if attend_all or n % 2 == 0 else sessions[:1]
        await factories.make_registration(event_id, pid, attend=attended)
    return event_id, sessions


@pytest.fixture
async def world(create_user):
    """Generation 1: A (Khulna, 2 trainings), B (Khulna, linked account, 1 training), C (Sylhet, none).
    Generation 2: P, reached by A, runs a Jessore training. Overlaps: 5 people at both of A's trainings,
    3 at A's and B's, 1 at B's and P's."""
    a, a_member, _ = await trainer(create_user, "khulna")
    b, b_member, _ = await trainer(create_user, "khulna", linked=True)
    _, c_member, _ = await trainer(create_user, "sylhet")
    group_a1 = [await person() for _ in range(30)]
    group_a2 = group_a1[:5] + [await person() for _ in range(25)]
    group_b = group_a1[5:8] + [await person() for _ in range(27)]
    a1, _ = await training(a, dt.date(2026, 2, 2), 2, group_a1, attend_all=False)
    a2, _ = await training(a, dt.date(2026, 3, 9), 3, group_a2)
    b1, _ = await training(b, dt.date(2026, 3, 16), 1, group_b)
    # P was a participant at A's first training, then joined the pool (generation 2)
    p, p_member, p_person = await trainer(create_user, "jessore", participant=group_a1[10])
    group_p = group_b[-1:] + [await person() for _ in range(14)]
    p1, _ = await training(p, dt.date(2026, 5, 4), 2, group_p, district="jessore")
    # What does not count: a draft, a training outside the period, an organizer's step-down training, the
    # trainer registered at their own training, people registered but never checked in.
    await training(a, dt.date(2026, 4, 1), 1, [await person() for _ in range(4)], status="draft")
    await training(a, dt.date(2026, 8, 1), 1, [await person() for _ in range(4)])
    organizer = await create_user("organizer", districts=("khulna",))
    await training(organizer, dt.date(2026, 4, 6), 1, [await person() for _ in range(6)])
    await factories.make_registration(a1, await factories.make_person(), role="trainer",
                                      attend=[])  # no check-in
    for _ in range(3):
        await factories.make_registration(b1)  # registered, never came
    # certificates: 10 at A's first training, 1 of them revoked; 4 at P's
    regs_a1 = await _registrations(a1)
    for n, reg in enumerate(regs_a1[:10]):
        await factories.make_certificate(reg, revoked_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC) if n == 0 else None)
    for reg in (await _registrations(p1))[:4]:
        await factories.make_certificate(reg)
    return {"a": a_member, "b": b_member, "c": c_member, "p": p_member, "people": {
        "a": set(group_a1) | set(group_a2), "b": set(group_b), "p": set(group_p)}, "events": [a1, a2, b1, p1],
        "trainers": [a.id, b.id, p.id]}


async def _registrations(event_id: int) -> list[int]:
    from portal.events.tables import Registration
    rows = await Registration.select(Registration.id).where(
        (Registration.event == event_id) & (Registration.role == "participant")).order_by(Registration.id)
    return [r["id"] for r in rows]


JOIN_EVENT = "FROM check_in c JOIN registration r ON r.id = c.registration JOIN event e ON e.id = r.event "
HELD_STEP_DOWN = ("e.kind = 'step_down' AND e.status IN ('published', 'completed') AND e.start_date >= {} "
                  "AND e.start_date <= {} AND e.organizer IN ({}, {}, {})")


async def _independent(trainers: list[int]) -> dict[str, int]:
    """The programme totals by plain SQL, written apart from the report's code."""
    args = (START, END, *trainers)
    people = await Event.raw("SELECT COUNT(DISTINCT r.participant) AS n " + JOIN_EVENT
                             + "WHERE r.role = 'participant' AND " + HELD_STEP_DOWN, *args)
    days = await Event.raw("SELECT COUNT(*) AS n " + JOIN_EVENT + "WHERE r.role = 'participant' AND "
                           + HELD_STEP_DOWN, *args)
    events = await Event.raw("SELECT COUNT(*) AS n FROM event e WHERE " + HELD_STEP_DOWN, *args)  # noqa: S608
    certs_sql = ("SELECT COUNT(*) AS n FROM certificate x JOIN registration r ON r.id = x.registration "
                 "JOIN event e ON e.id = r.event WHERE x.revoked_at IS NULL AND ")
    certs = await Event.raw(certs_sql + HELD_STEP_DOWN, *args)
    return {"people": people[0]["n"], "person_days": days[0]["n"], "trainings": events[0]["n"],
            "certificates": certs[0]["n"]}


async def test_programme_totals_match_the_database(world):
    result = await cascade.cascade(START, END)
    expected = await _independent(world["trainers"])
    assert {"people": result.people, "person_days": result.person_days, "trainings": result.trainings,
            "certificates": result.certificates} == expected
    everyone = world["people"]["a"] | world["people"]["b"] | world["people"]["p"]
    assert result.people == len(everyone) == 30 + 25 + 27 + 14  # overlaps counted once
    assert result.trainings == 4 and result.certificates == 13
    assert result.trainers_active == 3


async def test_each_trainer_counts_their_people_once(world):
    result = await cascade.cascade(START, END)
    by_member = {t.member_id: t for t in result.trainers}
    assert by_member[world["a"]].reached == len(world["people"]["a"]) == 55
    assert by_member[world["a"]].trainings == 2
    # A's first training: 2 days, every other person came on day 1 only; the second: 3 days, everyone
    assert by_member[world["a"]].person_days == 15 * 2 + 15 * 1 + 30 * 3
    assert by_member[world["b"]].reached == 30 and by_member[world["b"]].person_days == 30
    assert by_member[world["p"]].reached == 15 and by_member[world["p"]].certificates == 4
    assert by_member[world["a"]].certificates == 9  # one revoked
    assert world["c"] not in by_member  # ran nothing
    a = by_member[world["a"]]
    assert sum(a.by_gender.values()) == sum(a.by_district.values()) == sum(a.by_stakeholder.values()) == 55


async def test_two_generations(world):
    result = await cascade.cascade(START, END)
    by_member = {t.member_id: t for t in result.trainers}
    assert by_member[world["a"]].next_generation == [world["p"]]
    assert (by_member[world["a"]].generation, by_member[world["b"]].generation,
            by_member[world["p"]].generation) == (1, 1, 2)
    assert result.next_generation == 1
    assert result.generations == [{"generation": 1, "trainers": 2, "people": len(world["people"]["a"]
                                                                                   | world["people"]["b"])},
                                  {"generation": 2, "trainers": 1, "people": 15}]


async def test_districts_and_the_flag(world):
    result = await cascade.cascade(START, END)
    rows = {d["code"]: d for d in result.districts}
    assert rows["sylhet"]["flagged"] and rows["sylhet"]["pool_active"] == 1 and rows["sylhet"]["trainings"] == 0
    assert rows["khulna"]["trainings"] == 3 and rows["khulna"]["trainers_active"] == 2
    assert rows["khulna"]["people"] == len(world["people"]["a"] | world["people"]["b"])
    assert rows["jessore"] == {**rows["jessore"], "trainings": 1, "people": 15, "flagged": False}
    assert [d["code"] for d in result.flagged] == ["sylhet"]
    scoped = await cascade.cascade(START, END, ("jessore",))
    assert scoped.trainings == 1 and scoped.people == 15


async def test_months_and_periods(world):
    result = await cascade.cascade(START, END)
    assert [(m["month"], m["trainings"]) for m in result.months] == [
        ("2026-02", 1), ("2026-03", 2), ("2026-05", 1)]
    march = await cascade.cascade(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march.trainings == 2 and march.people == 25 + 5 + 30


async def test_page_and_workbook(client, login, create_user, world):
    await login(client, await create_user("coordinator"))
    page = await client.get("/manage/reports/cascade", params={"date_from": str(START), "date_to": str(END)})
    assert page.status_code == 200 and "<svg" in page.text and "Sylhet" in page.text
    fragment = await client.get("/manage/reports/cascade", params={"date_from": str(START)},
                                headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<h1>" not in fragment.text
    bad = await client.get("/manage/reports/cascade", params={"date_from": "2026-07-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400
    xlsx = await client.get("/manage/reports/cascade/export", params={"date_from": str(START), "date_to": str(END)})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    totals = {row[0]: row[1] for row in book["Cascade totals"].iter_rows(min_row=2, values_only=True)}
    assert totals["People reached (each counted once)"] == 96
    trainers = list(book["Cascade trainers"].iter_rows(min_row=2, values_only=True))
    assert len(trainers) == 3 and trainers[0][5] == 55


@pytest.mark.parametrize("personal", [False, True])
async def test_the_json_api(client, world, personal):
    from portal.core.audit import Actor
    from portal.reports import api_keys

    _, key = await api_keys.create_key({"name": "MIS", "personal_data": personal}, Actor.system("tests"))
    headers = {"Authorization": f"Bearer {key}"}
    response = await client.get("/api/v1/cascade", params={"date_from": str(START), "date_to": str(END)},
                                headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["totals"]["people"] == 96 and data["totals"]["trainings"] == 4
    assert data["totals"]["next_generation"] == 1 and data["totals"]["districts_flagged"] == 1
    first = data["trainers"][0]
    assert first["people"] == 55 and sum(first["by_gender"].values()) == 55
    assert (first["name"] is not None) == personal
    assert [g["generation"] for g in data["generations"]] == [1, 2]
    assert (await client.get("/api/v1/cascade", params={"district": "x"}, headers=headers)).status_code == 400
    empty = await client.get("/api/v1/cascade", params={"date_from": "2026-07-01", "date_to": "2026-01-01"},
                             headers=headers)  # a period that ends before it starts holds nothing
    assert empty.status_code == 200 and empty.json()["totals"]["trainings"] == 0
    assert (await client.get("/api/v1/cascade")).status_code == 401
    schema = (await client.get("/api/v1/schema/openapi.json")).json()
    assert "/api/v1/cascade" in schema["paths"] and "CascadeReport" in str(schema["components"])


async def test_the_summary_page_and_workbook_carry_the_cascade(client, login, create_user, world):
    await login(client, await create_user("coordinator"))
    period = {"date_from": str(START), "date_to": str(END)}
    page = await client.get("/manage/reports/summary", params=period)
    assert page.status_code == 200 and "The cascade report: per master trainer and district" in page.text
    assert page.text.count("<svg") >= 5  # the summary's charts and the cascade's
    book = load_workbook(io.BytesIO((await client.get("/manage/reports/summary/export", params=period)).content))
    totals = {row[0]: row[1] for row in book["Cascade totals"].iter_rows(min_row=2, values_only=True)}
    assert totals["People reached (each counted once)"] == 96
