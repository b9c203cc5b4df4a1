"""Self check-in against abuse (issue 13, items 1 and 2): a walk-in cannot take over a person of the
directory and counts against the limits; typed codes cannot be guessed."""

import datetime as dt

import httpx
import pytest

from portal.core.audit import Actor
from portal.core.tables import AuditEntry
from portal.events.selfcheck import services as selfcheck
from portal.events.selfcheck.services import SelfCheckInError
from portal.events.tables import CheckIn, Participant, Registration, SelfCheckInFailure, Session

pytestmark = pytest.mark.anyio
WINDOW_START = dt.datetime.fromtimestamp(1_000_020 // selfcheck.WINDOW_SECONDS * selfcheck.WINDOW_SECONDS, dt.UTC)


@pytest.fixture(autouse=True)
def at_window_start(clock):
    clock.move_to(WINDOW_START)


@pytest.fixture
async def walk_in_session(plan_event):
    event_id = await plan_event(walk_ins=True, title="Open meeting")
    return event_id, (await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id)
                      .first())["id"]


def _secret(app) -> str:
    return app.state.settings.secret_key


def _long(app, session_id) -> str:
    return selfcheck.code_for(_secret(app), session_id, WINDOW_START.timestamp())


def _wrong_shorts(app, session_id, count):
    valid = {selfcheck.short_code_for(_secret(app), session_id, WINDOW_START.timestamp() - back * 30)
             for back in range(21)}
    codes = (f"{session_id}-{n:06d}" for n in range(100, 10**6, 7919))
    return [code for code in codes if code not in valid][:count]


@pytest.fixture
async def make_browser(app, client):
    """Factory: a browser at the address `ip` (the app's lifespan runs for `client`)."""
    opened = []

    async def make(ip: str = "10.20.30.40") -> httpx.AsyncClient:
        made = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 5555)),
                                 base_url="http://testserver.local")
        opened.append(made)
        await made.get("/c")
        made.headers["x-csrftoken"] = made.cookies["csrftoken"]
        return made

    yield make
    for made in opened:
        await made.aclose()


async def _walk_in(client, app, session_id, name, phone):
    return await client.post(f"/c/{session_id}/{_long(app, session_id)}",
                             data={"how": "walk_in", "name": name, "phone": phone})


# Item 1: walk-ins


async def test_a_walk_in_with_a_directory_phone_neither_checks_in_nor_reveals_nor_changes(
        app, client, walk_in_session, create_person, make_browser):
    event_id, session_id = walk_in_session
    person = await create_person(name="Stored Person", organisation="Stored Org", phone="+8801911222333")
    browser = await make_browser()
    answer = await _walk_in(browser, app, session_id, "Somebody Else", "01911-222333")
    assert answer.status_code == 422
    assert "already in our list" in answer.text
    assert "Stored" not in answer.text and "ticket=" not in answer.headers.get("set-cookie", "")
    assert await Registration.count() == 0 and await CheckIn.count() == 0
    row = await Participant.select(Participant.name, Participant.organisation).where(Participant.id == person).first()
    assert row == {"name": "Stored Person", "organisation": "Stored Org"}
    assert await AuditEntry.count().where(AuditEntry.action == "selfcheck.walk_in_known_phone") == 1


async def test_a_walk_in_with_the_phone_of_a_registered_person_does_not_check_them_in(
        app, walk_in_session, register_person, make_browser):
    event_id, session_id = walk_in_session
    await register_person(event_id, name="Registered Person", phone="+8801911222444")
    browser = await make_browser()
    answer = await _walk_in(browser, app, session_id, "Somebody Else", "01911222444")
    assert answer.status_code == 422 and "Registered" not in answer.text
    assert await CheckIn.count() == 0


async def test_the_name_typed_is_the_name_stored_for_a_new_person(app, walk_in_session, make_browser):
    event_id, session_id = walk_in_session
    browser = await make_browser()
    answer = await _walk_in(browser, app, session_id, "Nasima Akter", "01911-000555")
    assert answer.status_code == 200 and "Nasima" in answer.text
    assert (await Participant.select(Participant.name).first())["name"] == "Nasima Akter"
    assert await CheckIn.count() == 1


async def test_walk_ins_from_one_address_count_against_its_limit(app, walk_in_session, make_browser):
    event_id, session_id = walk_in_session
    browser = await make_browser()
    statuses = [(await _walk_in(browser, app, session_id, f"Person {n}", f"0191100{n:04d}")).status_code
                for n in range(selfcheck.FAILURES_PER_ADDRESS + 2)]
    refused = await _walk_in(browser, app, session_id, "One More", "01911009999")
    assert statuses == [200] * selfcheck.FAILURES_PER_ADDRESS + [429, 429]
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 600
    assert await Participant.count() == selfcheck.FAILURES_PER_ADDRESS


async def test_walk_ins_count_against_the_session_limit(app, client, walk_in_session, monkeypatch):
    event_id, session_id = walk_in_session
    monkeypatch.setattr(selfcheck, "FAILURES_PER_SESSION", 3)
    code = _long(app, session_id)
    for n in range(3):
        await selfcheck.walk_in(_secret(app), session_id, code, {"name": f"P {n}", "phone": f"0191100{n:04d}"},
                                Actor(id=None, label="self check-in", ip=f"10.9.9.{n}"))
    with pytest.raises(SelfCheckInError) as excinfo:
        await selfcheck.walk_in(_secret(app), session_id, code, {"name": "P 4", "phone": "01911009999"},
                                Actor(id=None, label="self check-in", ip="10.9.9.99"))
    assert excinfo.value.code == "too_many_attempts" and excinfo.value.status_code == 429
    assert await Participant.count() == 3


async def test_a_known_phone_counts_against_the_limit_too(app, walk_in_session, create_person, make_browser):
    event_id, session_id = walk_in_session
    await create_person(phone="+8801911222333")
    browser = await make_browser()
    statuses = [(await _walk_in(browser, app, session_id, "X", "01911222333")).status_code
                for _ in range(selfcheck.FAILURES_PER_ADDRESS + 1)]
    assert statuses == [422] * selfcheck.FAILURES_PER_ADDRESS + [429]


# Item 2: typed codes


async def test_typed_code_guesses_from_one_address_are_stopped_with_a_429(app, session_id, make_browser):
    browser = await make_browser()
    statuses = [(await browser.post("/c", data={"code": code})).status_code
                for code in _wrong_shorts(app, session_id, selfcheck.CODE_GUESSES_PER_ADDRESS + 1)]
    right = selfcheck.short_code_for(_secret(app), session_id, WINDOW_START.timestamp())
    blocked = await browser.post("/c", data={"code": right})
    assert statuses == [422] * selfcheck.CODE_GUESSES_PER_ADDRESS + [429]
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 600  # even the right one


async def test_guesses_put_in_the_address_count_the_same(app, session_id, make_browser):
    browser = await make_browser()
    guesses = _wrong_shorts(app, session_id, selfcheck.CODE_GUESSES_PER_ADDRESS + 2)
    statuses = [(await browser.get(f"/c/{session_id}/{code}")).status_code for code in guesses[:-1]]
    posted = await browser.post(f"/c/{session_id}/{guesses[-1]}", data={"how": "phone", "phone": "01711234567"})
    assert statuses == [422] * selfcheck.CODE_GUESSES_PER_ADDRESS + [429]
    assert posted.status_code == 429


async def test_the_limit_is_forgotten_after_the_period(app, session_id, clock, make_browser):
    browser = await make_browser()
    for code in _wrong_shorts(app, session_id, selfcheck.CODE_GUESSES_PER_ADDRESS):
        await browser.post("/c", data={"code": code})
    clock.advance(selfcheck.FAILURE_PERIOD + dt.timedelta(seconds=1))
    right = selfcheck.short_code_for(_secret(app), session_id, clock.now().timestamp())
    assert (await browser.post("/c", data={"code": right})).status_code == 200


async def test_guesses_from_many_addresses_are_limited_per_session_but_the_qr_still_works(
        app, session_id, monkeypatch, make_browser):
    monkeypatch.setattr(selfcheck, "CODE_GUESSES_PER_SESSION", 4)
    for n, code in enumerate(_wrong_shorts(app, session_id, 4)):
        browser = await make_browser(f"10.40.0.{n}")
        assert (await browser.post("/c", data={"code": code})).status_code == 422
    right = selfcheck.short_code_for(_secret(app), session_id, WINDOW_START.timestamp())
    browser = await make_browser("10.50.0.1")
    assert (await browser.post("/c", data={"code": right})).status_code == 429
    assert (await browser.get(f"/c/{session_id}/{_long(app, session_id)}")).status_code == 200


async def test_right_codes_and_qr_codes_are_not_counted(app, session_id, make_browser):
    browser = await make_browser()
    right = selfcheck.short_code_for(_secret(app), session_id, WINDOW_START.timestamp())
    for _ in range(selfcheck.CODE_GUESSES_PER_ADDRESS + 1):
        assert (await browser.post("/c", data={"code": right})).status_code == 200
        assert (await browser.get(f"/c/{session_id}/{_long(app, session_id)}")).status_code == 200
        assert (await browser.get(f"/c/{session_id}/0123456789ab")).status_code == 422  # a forged long code
    assert await SelfCheckInFailure.count() == 0


async def test_attempts_are_forgotten_by_the_purge_loop(app, client, session_id, clock):
    from portal.app import purge_once

    await SelfCheckInFailure.insert(SelfCheckInFailure(session=session_id, ip="10.1.1.1", at=clock.now(), kind="code"))
    clock.advance(selfcheck.FAILURE_PERIOD - dt.timedelta(seconds=5))
    await purge_once(app.state.settings)
    assert await SelfCheckInFailure.count() == 1
    clock.advance(dt.timedelta(seconds=10))
    await purge_once(app.state.settings)
    assert await SelfCheckInFailure.count() == 0
