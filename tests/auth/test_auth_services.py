import datetime as dt

import pytest

from portal.auth import services, throttle
from portal.auth.tables import LoginSession, User
from portal.core import clock as portal_clock
from portal.core.audit import Actor
from portal.core.errors import DomainError, ValidationFailed
from portal.core.tables import AuditEntry
from tests.helpers import PASSWORD

pytestmark = pytest.mark.anyio
SYSTEM = Actor.system("tests")


async def test_passwords_are_stored_as_argon2_hashes(create_user):
    user = await create_user("organizer")
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    assert row["password_hash"].startswith("$argon2")
    assert PASSWORD not in row["password_hash"]


async def test_user_creation_is_audited_without_the_password(create_user):
    user = await create_user("coordinator")
    entry = await AuditEntry.select().where(AuditEntry.action == "user.create").first()
    assert entry["record_id"] == str(user.id)
    assert PASSWORD not in str(entry["after"])


@pytest.mark.parametrize(("form", "field"), [
    ({"name": "", "email": "a@b.org", "role": "admin", "password": "x" * 12}, "name"),
    ({"name": "A", "email": "not-an-email", "role": "admin", "password": "x" * 12}, "email"),
    ({"name": "A", "email": "", "phone": "", "role": "admin", "password": "x" * 12}, "email"),
    ({"name": "A", "email": "a@b.org", "role": "king", "password": "x" * 12}, "role"),
    ({"name": "A", "email": "a@b.org", "role": "admin", "password": "short"}, "password"),
    ({"name": "A", "email": "a@b.org", "role": "organizer", "districts": ["atlantis"], "password": "x" * 12},
     "districts"),
    ({"name": "A", "phone": "123", "role": "admin", "password": "x" * 12}, "phone"),
])
async def test_invalid_user_forms_name_the_field(db, form, field):
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_user(form, SYSTEM)
    assert field in excinfo.value.errors
    assert await User.count() == 0


async def test_email_must_be_unique(create_user):
    await services.create_user({"name": "A", "email": "same@example.org", "role": "admin", "password": PASSWORD},
                               SYSTEM)
    with pytest.raises(ValidationFailed) as excinfo:
        await services.create_user({"name": "B", "email": "SAME@example.org", "role": "admin",
                                    "password": PASSWORD}, SYSTEM)
    assert "email" in excinfo.value.errors


async def test_login_by_email_or_phone(db):
    await services.create_user({"name": "A", "email": "a@example.org", "phone": "01711-234567",
                                "role": "organizer", "districts": ["khulna"], "password": PASSWORD}, SYSTEM)
    assert (await services.authenticate("A@Example.org", PASSWORD, "1.2.3.4")).name == "A"
    assert (await services.authenticate("+8801711234567", PASSWORD, "1.2.3.4")).name == "A"


async def test_wrong_password_and_unknown_user_give_the_same_code(create_user):
    user = await create_user("organizer")
    for identifier, password in ((user.email, "wrong password"), ("nobody@example.org", PASSWORD)):
        with pytest.raises(DomainError) as excinfo:
            await services.authenticate(identifier, password, "1.2.3.4")
        assert excinfo.value.code == "bad_credentials"


async def test_lock_expires_after_the_window(create_user):
    user = await create_user("organizer")
    past = portal_clock.now() - throttle.FAILURE_WINDOW - dt.timedelta(minutes=1)
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT_ADDRESS):
        with pytest.raises(DomainError):
            await services.authenticate(user.email, "wrong password", "1.2.3.4", now=past)
    assert (await services.authenticate(user.email, PASSWORD, "1.2.3.4")).id == user.id


async def test_one_address_is_limited_across_accounts(create_user):
    user = await create_user("organizer")
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(DomainError):
            await services.authenticate(f"guess{n}@example.org", "x", "9.9.9.9")
    with pytest.raises(DomainError) as excinfo:
        await services.authenticate(user.email, PASSWORD, "9.9.9.9")
    assert excinfo.value.code == "locked"
    assert (await services.authenticate(user.email, PASSWORD, "1.1.1.1")).id == user.id


async def test_inactive_user_cannot_log_in(create_user):
    user = await create_user("organizer")
    await User.update({User.active: False}).where(User.id == user.id)
    with pytest.raises(DomainError) as excinfo:
        await services.authenticate(user.email, PASSWORD, "1.2.3.4")
    assert excinfo.value.code == "bad_credentials"


async def test_sessions_end_at_logout_and_expiry(create_user):
    user = await create_user("organizer")
    token = await services.start_session(user.id)
    assert (await services.user_for_session(token)).id == user.id
    await services.end_session(token)
    assert await services.user_for_session(token) is None
    token = await services.start_session(user.id)
    await LoginSession.update({LoginSession.expires_at: portal_clock.now() - dt.timedelta(seconds=1)}).where(
        LoginSession.user == user.id)
    assert await services.user_for_session(token) is None
    await services.purge_expired()
    assert await LoginSession.count() == 0


async def test_session_tokens_are_stored_hashed(create_user):
    user = await create_user("organizer")
    token = await services.start_session(user.id)
    assert not await LoginSession.exists().where(LoginSession.token_hash == token)


async def test_deactivating_a_user_ends_their_sessions(create_user):
    admin, user = await create_user("admin"), await create_user("organizer")
    token = await services.start_session(user.id)
    await services.update_user(user.id, {"name": user.name, "email": user.email, "role": "organizer",
                                         "districts": list(user.districts), "active": "off"}, admin.actor())
    assert await services.user_for_session(token) is None


async def test_admin_cannot_demote_themselves(create_user):
    admin = await create_user("admin")
    with pytest.raises(ValidationFailed):
        await services.update_user(admin.id, {"name": "x", "email": admin.email, "role": "organizer"},
                                   admin.actor())


async def test_first_admin_from_settings_or_a_setup_link(db):
    token = await services.ensure_first_admin("", "")
    assert token and await User.count() == 0
    user = await services.use_link(token, {"name": "First", "email": "first@example.org", "password": PASSWORD})
    assert user.role == "admin"
    with pytest.raises(DomainError) as excinfo:
        await services.link_details(token)
    assert excinfo.value.code == "expired_link"
    assert await services.ensure_first_admin("x@example.org", PASSWORD) == ""
    assert await User.count() == 1


async def test_first_admin_from_environment(db):
    assert await services.ensure_first_admin("boss@example.org", PASSWORD) == ""
    assert (await services.authenticate("boss@example.org", PASSWORD, "1.1.1.1")).role == "admin"


async def test_reset_link_sets_password_once_and_ends_sessions(create_user):
    admin, user = await create_user("admin"), await create_user("organizer")
    old_session = await services.start_session(user.id)
    token = await services.create_link("reset", user.id, admin.actor())
    await services.use_link(token, {"password": "a brand new password"})
    assert await services.user_for_session(old_session) is None
    assert (await services.authenticate(user.email, "a brand new password", "1.1.1.1")).id == user.id
    with pytest.raises(DomainError):
        await services.use_link(token, {"password": "another new password"})
