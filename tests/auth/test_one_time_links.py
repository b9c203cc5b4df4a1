"""One-time links are used once, also when several requests arrive together (issue 13, item 3).

Through the app (asyncio.gather of POSTs) and through the services: on PostgreSQL each call takes
its own pooled connection, so the transactions really run side by side.
"""

import asyncio

import pytest

from portal.auth import services
from portal.auth.tables import LoginSession, OneTimeLink, User
from portal.core.audit import Actor
from portal.core.errors import DomainError, ValidationFailed
from portal.core.tables import AuditEntry
from tests.factories import make_event_with_sessions, make_person, make_registration
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio
TRIES = 4


async def _post_all(client, url: str, forms: list[dict]) -> list[int]:
    await client.get("/login")
    token = client.cookies["csrftoken"]
    answers = await asyncio.gather(*(client.post(url, data={**form, "_csrf_token": token}) for form in forms))
    return sorted(answer.status_code for answer in answers)


def _admin_form(n: int) -> dict:
    return {"name": f"Admin {n}", "email": f"admin{n}@example.org", "password": PASSWORD}


async def test_concurrent_posts_to_a_setup_link_make_one_admin(client):
    token = await services.ensure_first_admin("", "")
    statuses = await _post_all(client, f"/link/{token}", [_admin_form(n) for n in range(TRIES)])
    assert statuses == [303] + [410] * (TRIES - 1)
    assert await User.count() == 1


async def test_concurrent_posts_to_a_reset_link_reset_once(client, create_user):
    admin, user = await create_user("admin"), await create_user("organizer")
    token = await services.create_link("reset", user.id, admin.actor())
    forms = [{"password": f"new password number {n}"} for n in range(TRIES)]
    statuses = await _post_all(client, f"/link/{token}", forms)
    assert statuses == [303] + [410] * (TRIES - 1)
    assert await AuditEntry.count().where(AuditEntry.action == "user.password_reset") == 1
    assert await LoginSession.count().where(LoginSession.user == user.id) == 1  # the winner's session only


async def test_concurrent_service_calls_on_one_setup_link_make_one_admin(db):
    token = await services.ensure_first_admin("", "")
    results = await asyncio.gather(*(services.use_link(token, _admin_form(n)) for n in range(TRIES)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == TRIES - 1 and {r.code for r in refused} == {"expired_link"}
    assert await User.count() == 1


async def test_two_different_setup_links_at_once_make_one_admin(db):
    tokens = [await services.create_link("setup", None, Actor.system("tests")) for _ in range(TRIES)]
    results = await asyncio.gather(*(services.use_link(t, _admin_form(n)) for n, t in enumerate(tokens)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, Exception))
    assert await User.count() == 1


async def test_concurrent_service_calls_on_one_reset_link_reset_once(create_user):
    admin, user = await create_user("admin"), await create_user("organizer")
    token = await services.create_link("reset", user.id, admin.actor())
    results = await asyncio.gather(*(services.use_link(token, {"password": f"new password {n}"})
                                     for n in range(TRIES)), return_exceptions=True)
    winners = [n for n, r in enumerate(results) if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, DomainError) and r.code == "expired_link" for r in results if isinstance(r, Exception))
    # The password that works is the winner's.
    assert (await services.authenticate(user.email, f"new password {winners[0]}", "1.1.1.1")).id == user.id


async def test_a_refused_form_does_not_use_the_link_up(create_user):
    admin, user = await create_user("admin"), await create_user("organizer")
    token = await services.create_link("reset", user.id, admin.actor())
    with pytest.raises(ValidationFailed):
        await services.use_link(token, {"password": "short"})
    assert (await OneTimeLink.select(OneTimeLink.used_at).first())["used_at"] is None
    await services.use_link(token, {"password": "long enough now"})
    with pytest.raises(DomainError) as excinfo:
        await services.use_link(token, {"password": "and once more"})
    assert excinfo.value.code == "expired_link"


@pytest.fixture
async def pool_member_id(create_user):
    from portal.certificates import issue
    from portal.certificates.tables import PoolMember

    coordinator = await create_user("coordinator")
    tot_id, sessions = await make_event_with_sessions(kind="tot", days=1, title="ToT")
    person = await make_person("Nasrin Akter", email="nasrin@example.org")
    await issue.issue_one(coordinator, tot_id, await make_registration(tot_id, person, attend=sessions))
    return coordinator, (await PoolMember.select(PoolMember.id).first())["id"]


async def test_a_trainer_invitation_link_is_used_once(pool_member_id):
    from portal.certificates import pool

    coordinator, member_id = pool_member_id
    token = await pool.invite(coordinator, member_id)
    results = await asyncio.gather(*(services.use_link(token, {"password": f"trainer password {n}"})
                                     for n in range(TRIES)), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert await AuditEntry.count().where(AuditEntry.action == "user.password_reset") == 1


async def test_concurrent_invitations_of_one_member_make_one_account(pool_member_id):
    from portal.certificates import pool

    coordinator, member_id = pool_member_id
    results = await asyncio.gather(*(pool.invite(coordinator, member_id) for _ in range(TRIES)),
                                   return_exceptions=True)
    assert sum(isinstance(r, str) for r in results) == 1
    refused = [r for r in results if not isinstance(r, str)]
    assert all(isinstance(r, DomainError) and r.code in {"already_invited", "account_exists"} for r in refused), refused
    assert await User.count().where(User.role == "trainer") == 1
    assert await OneTimeLink.count() == 1
