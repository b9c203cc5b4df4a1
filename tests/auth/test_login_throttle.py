"""Login throttling (issue 13, item 4): one counter per account however it is typed, equal work for
unknown accounts, and a guesser slowed down while the owner still gets in."""

import datetime as dt

import pytest
from argon2 import PasswordHasher

from portal.auth import services, throttle
from portal.core.errors import DomainError
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio
PHONE_SPELLINGS = ("01711000099", "+8801711000099", "8801711000099", "01711-000099", "০১৭১১০০০০৯৯")


async def _fail(identifier: str, ip: str, password: str = "wrong password", **kwargs) -> str:  # noqa: S107
    with pytest.raises(DomainError) as excinfo:
        await services.authenticate(identifier, password, ip, **kwargs)
    return excinfo.value.code


@pytest.fixture
async def phone_user(db):
    user_id = await services.create_user({"name": "Phone Login", "phone": "01711000099", "email": "p@example.org",
                                          "role": "organizer", "districts": ["dhaka"], "password": PASSWORD},
                                         services.Actor.system("t"))
    return user_id


async def test_every_spelling_of_a_phone_is_one_counter(phone_user):
    codes = [await _fail(PHONE_SPELLINGS[n % len(PHONE_SPELLINGS)], "10.0.0.1") for n in range(6)]
    assert codes == ["bad_credentials"] * 5 + ["locked"]
    # The account's email is the same account too.
    assert await _fail("P@Example.org", "10.0.0.1", PASSWORD) == "locked"


async def test_text_naming_no_account_is_normalised_the_same_way(db):
    codes = [await _fail(PHONE_SPELLINGS[n % len(PHONE_SPELLINGS)], "10.0.0.2") for n in range(6)]
    assert codes == ["bad_credentials"] * 5 + ["locked"]
    assert throttle.identity_key(" Nobody@Example.ORG ") == "nobody@example.org"


class SpyHasher(PasswordHasher):
    """The suite's cheap hasher, noting every hash a password is checked against."""

    def __init__(self, answer: bool | None = None) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checked: list[str] = []
        self.answer = answer

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.checked.append(hash)
        return super().verify(hash, password) if self.answer is None else self.answer


async def test_an_unknown_account_costs_a_password_check_too(create_user, monkeypatch):
    user = await create_user("organizer")
    monkeypatch.setattr(services, "hasher", SpyHasher())
    checked = services.hasher.checked
    for identifier in (user.email, "nobody@example.org", "01911000000", ""):
        await _fail(identifier, "10.0.0.3")
    assert len(checked) == 4
    assert all(h.startswith("$argon2") for h in checked)


async def test_inactive_account_is_checked_against_the_dummy_hash(create_user, monkeypatch):
    from portal.auth.tables import User

    user = await create_user("organizer")
    await User.update({User.active: False}).where(User.id == user.id)
    monkeypatch.setattr(services, "hasher", SpyHasher(answer=True))
    checked = services.hasher.checked
    assert await _fail(user.email, "10.0.0.4", PASSWORD) == "bad_credentials"
    assert checked == [await services._dummy_hash()]


async def test_a_guesser_at_one_address_is_stopped_for_that_account(create_user, clock):
    user = await create_user("organizer")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        assert await _fail(user.email, "10.1.1.1") == "bad_credentials"
    with pytest.raises(throttle.LoginThrottled) as excinfo:  # even the right password, from there
        await services.authenticate(user.email, PASSWORD, "10.1.1.1")
    assert 14 * 60 < excinfo.value.retry_after <= 15 * 60


async def test_the_owner_at_another_address_gets_in_after_a_short_gap(create_user, clock):
    user = await create_user("organizer")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        await _fail(user.email, "10.1.1.1")
    clock.advance(dt.timedelta(seconds=2))
    assert (await services.authenticate(user.email, PASSWORD, "10.2.2.2")).id == user.id


async def test_a_guesser_spread_over_addresses_waits_longer_each_time(create_user, clock):
    user = await create_user("organizer")
    for n in range(throttle.FREE_FAILURES_PER_ACCOUNT):
        await _fail(user.email, f"10.3.0.{n}")
    gaps = []
    for n in range(6):
        with pytest.raises(throttle.LoginThrottled) as excinfo:  # too soon, from a fresh address
            await services.authenticate(user.email, "wrong password", f"10.4.0.{n}")
        gaps.append(excinfo.value.retry_after)
        clock.advance(dt.timedelta(seconds=excinfo.value.retry_after))
        assert await _fail(user.email, f"10.4.0.{n}") == "bad_credentials"
    assert gaps == [1, 2, 4, 8, 16, 32]
    assert throttle.gap_after(40) == throttle.MAX_GAP


async def test_the_owners_browser_gets_in_during_an_attack(create_user, clock):
    user = await create_user("organizer")
    for n in range(20):
        clock.advance(throttle.gap_after(n))
        await _fail(user.email, f"10.5.0.{n % 3}")
    assert await _fail(user.email, "10.6.6.6", PASSWORD) == "locked"  # a stranger, right password, too soon
    assert (await services.authenticate(user.email, PASSWORD, "10.5.0.1", known_user=user.id)).id == user.id


async def test_a_browser_known_for_another_account_is_not_exempt(create_user):
    user, other = await create_user("organizer"), await create_user("organizer")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        await _fail(user.email, "10.7.7.7", known_user=other.id)
    assert await _fail(user.email, "10.7.7.7", PASSWORD, known_user=other.id) == "locked"


async def test_an_address_with_a_live_session_is_not_delayed(create_user, clock):
    user = await create_user("organizer")
    await services.start_session(user.id, ip="10.8.8.8")
    for n in range(12):
        clock.advance(throttle.gap_after(n))
        await _fail(user.email, f"10.9.0.{n % 4}")
    assert await _fail(user.email, "10.10.10.10", PASSWORD) == "locked"
    assert (await services.authenticate(user.email, PASSWORD, "10.8.8.8")).id == user.id


def test_the_known_device_cookie_cannot_be_forged():
    value = throttle.device_cookie_value("secret", 7)
    assert throttle.device_user("secret", value) == 7
    assert throttle.device_user("another secret", value) is None
    assert throttle.device_user("secret", value.replace("7.", "8.", 1)) is None
    for junk in (None, "", "7", "x.y.z", "." * 200):
        assert throttle.device_user("secret", junk) is None


async def post_login(client, identifier, password):
    await client.get("/login")
    return await client.post("/login", data={"identifier": identifier, "password": password,
                                             "_csrf_token": client.cookies["csrftoken"]})


async def test_the_owner_logs_in_from_their_browser_while_a_guesser_is_refused(app, client, create_user):
    import httpx

    user = await create_user("organizer")
    assert (await post_login(client, user.email, PASSWORD)).status_code == 303
    assert throttle.DEVICE_COOKIE in client.cookies
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    transport = httpx.ASGITransport(app=app)  # the guesser: the same address, no cookie of the owner's
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as guesser:
        answers = [(await post_login(guesser, user.email, f"guess {n}")).status_code for n in range(7)]
        refused = await post_login(guesser, user.email, PASSWORD)
    assert answers == [400] * 5 + [429] * 2
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many failed attempts" in refused.text
    assert (await post_login(client, user.email, PASSWORD)).status_code == 303
