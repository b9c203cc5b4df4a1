"""Staff accounts: passwords, login with rate limits, sessions and one-time links."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.auth import throttle
from portal.auth.tables import ROLES, LoginFailure, LoginSession, OneTimeLink, User
from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.districts import BY_CODE
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import LANGUAGES
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.core.validation import clean_email, clean_phone
from portal.db import is_unique_violation, write_transaction
from portal.messages import outbox

SESSION_LIFETIME = dt.timedelta(days=14)
LINK_LIFETIME = dt.timedelta(days=3)
MIN_PASSWORD_LENGTH = 10
USED_LINK = "This link has expired or was already used. Ask an admin for a new one."

# Replaced by a cheaper hasher in the test suite; production uses argon2's defaults.
hasher = PasswordHasher()


def token_hash(token: str) -> str:
    """What we store for a secret token: its SHA-256, so a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in staff member, as the web layer and services see them."""

    id: int
    name: str
    role: str
    email: str | None = None
    phone: str | None = None
    districts: tuple[str, ...] = field(default_factory=tuple)
    language: str = ""  # the staff pages' language this person chose ("" = none yet)

    @property
    def label(self) -> str:
        """How the audit log names this user."""
        return f"{self.name} <{self.email or self.phone}>"

    def actor(self, ip: str = "") -> Actor:
        """This user as the actor of an audited change."""
        return Actor(id=self.id, label=self.label, ip=ip)

    def has_role(self, *roles: str) -> bool:
        """True when the user has one of `roles` (admin has every role)."""
        return self.role == "admin" or self.role in roles

    def sees_district(self, code: str | None) -> bool:
        """Organizers see their districts only (none at all without one); everyone else sees all."""
        return self.role != "organizer" or code in self.districts

    @property
    def district_scope(self) -> tuple[str, ...] | None:
        """The districts this user is limited to (an organizer's, possibly none), or None for all."""
        return self.districts if self.role == "organizer" else None


def _user_from_row(row: dict[str, Any]) -> CurrentUser:
    return CurrentUser(
        id=row["id"], name=row["name"], role=row["role"], email=row["email"], phone=row["phone"],
        districts=tuple(row["districts"] or ()), language=row.get("language") or "",
    )


async def hash_password(password: str) -> str:
    """argon2 hash, computed off the event loop (it is deliberately slow)."""
    return await anyio.to_thread.run_sync(hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


@dataclass
class UserInput:
    """Validated fields of the user form."""

    name: str
    email: str | None
    phone: str | None
    role: str
    districts: list[str]
    active: bool
    password: str | None


def validate_user(form: dict[str, Any], *, password_required: bool) -> UserInput:
    """Check the user form; raise ValidationFailed with a message per field."""
    errors: dict[str, str] = {}
    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > 200:
        errors["name"] = _("Keep the name under 200 characters.")
    email = clean_email(form, errors)
    phone = clean_phone(form, errors)
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _("Enter an email address or a phone number to log in with.")
    role = str(form.get("role", "")).strip()
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    districts = [str(code) for code in form.get("districts", []) if str(code)] if role == "organizer" else []
    if any(code not in BY_CODE for code in districts):
        errors["districts"] = _("Choose districts from the list.")
    elif role == "organizer" and not districts:
        # An organizer without a district would see no events at all (and once saw every district's).
        errors["districts"] = _("Choose at least one district for an organizer.")
    password = str(form.get("password", "")) or None
    if password_required and not password:
        errors["password"] = _("Choose a password of at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
    elif password and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("Use at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
    elif password and len(password) > 1000:
        errors["password"] = _("Use at most 1000 characters.")  # noqa: S105 - a message, not a password
    if errors:
        raise ValidationFailed(errors)
    return UserInput(
        name=name, email=email, phone=phone, role=role, districts=sorted(set(districts)),
        active=str(form.get("active", "on")) in {"on", "true", "1", "yes"}, password=password,
    )


async def _check_unique(values: UserInput, user_id: int | None = None) -> None:
    errors = {}
    for column, value in (("email", values.email), ("phone", values.phone)):
        if value is None:
            continue
        query = User.exists().where(getattr(User, column) == value)
        if user_id is not None:
            query = query.where(User.id != user_id)
        if await query:
            errors[column] = (_("Another account already uses this email.") if column == "email"
                              else _("Another account already uses this phone number."))
    if errors:
        raise ValidationFailed(errors)


def _public_fields(values: UserInput) -> dict[str, Any]:
    return {
        "name": values.name, "email": values.email, "phone": values.phone, "role": values.role,
        "districts": values.districts, "active": values.active,
    }


async def prepare_user(form: dict[str, Any], *, password_required: bool = True) -> tuple[UserInput, str]:
    """Check a new user's form and hash the password (slow: do it before any transaction). Without a
    password (when not required) the hash is empty: the account cannot log in until its owner chooses
    one through a "welcome" link (`create_link`)."""
    values = validate_user(form, password_required=password_required)
    await _check_unique(values)
    return values, await hash_password(values.password) if values.password else ""


async def insert_user(values: UserInput, password_hash: str, actor: Actor) -> int:
    """Store a prepared user (audited); returns the new id."""
    user = User(**_public_fields(values), password_hash=password_hash)
    await user.save()
    await audit.record(actor, "user.create", "user", user.id, after=_public_fields(values))
    return user.id


async def create_user(form: dict[str, Any], actor: Actor, *, password_required: bool = True) -> int:
    """Create a staff user from form values; returns the new id (see `prepare_user` for no password)."""
    values, password_hash = await prepare_user(form, password_required=password_required)
    return await insert_user(values, password_hash, actor)


async def update_user(user_id: int, form: dict[str, Any], actor: Actor) -> None:
    """Edit a user's details (not the password; see reset links)."""
    before = await User.select().where(User.id == user_id).first()
    if before is None:
        raise NotFound(_("No such user."))
    values = validate_user(form, password_required=False)
    await _check_unique(values, user_id)
    if actor.id == user_id and (not values.active or values.role != "admin") and before["role"] == "admin":
        raise ValidationFailed({"role": _("You cannot remove your own admin role or deactivate yourself.")})
    after = _public_fields(values)
    await User.update(after).where(User.id == user_id)
    if not values.active:
        await LoginSession.delete().where(LoginSession.user == user_id)
    old, new = audit.diff(before, after)
    await audit.record(actor, "user.update", "user", user_id, before=old, after=new)


async def get_user(user_id: int) -> dict[str, Any]:
    """One user row, or NotFound."""
    row = await User.select(User.all_columns(exclude=[User.password_hash])).where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("No such user."))
    return row


async def list_users() -> list[dict[str, Any]]:
    """All staff users, active first, by name; `has_password` says whether they have chosen one yet."""
    rows = await User.select().order_by(User.active, ascending=False).order_by(User.name)
    return [{**{k: v for k, v in row.items() if k != "password_hash"}, "has_password": bool(row["password_hash"])}
            for row in rows]


async def has_password(user_id: int) -> bool:
    """Whether the user has chosen a password (an account made without one has not, until its link is used)."""
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("No such user."))
    return bool(row["password_hash"])


async def count_users() -> int:
    """How many staff accounts exist (0 means the portal needs its first admin)."""
    return await User.count()


async def _dummy_hash() -> str:
    """A hash to check passwords against when there is no account (equal work, equal time)."""
    global _dummy  # noqa: PLW0603 - computed once per hasher (the tests install a cheaper one)
    if _dummy[0] is not hasher:
        _dummy = (hasher, await hash_password(secrets.token_urlsafe(16)))
    return _dummy[1]


_dummy: tuple[Any, str] = (None, "")


def _identified_by(identifier: str) -> Any:
    """The condition "this account's email, or its phone in any format", for a login or a forgotten password
    (`identifier` already trimmed and lower-cased)."""
    condition = User.email == identifier
    try:
        return condition | (User.phone == normalise_phone(identifier))
    except PhoneError:
        return condition


async def authenticate(identifier: str, password: str, ip: str, now: dt.datetime | None = None,
                       known_user: int | None = None) -> CurrentUser:
    """Check a login under the throttling rule (portal/auth/throttle.py); raise DomainError `locked`
    (LoginThrottled, 429) or `bad_credentials` (never says which part was wrong). `known_user` is
    the account this browser's known-device cookie vouches for."""
    now = now or clock.now()
    identifier = identifier.strip().lower()[:254]
    row = await User.select().where(_identified_by(identifier)).first() if identifier else None
    key = throttle.account_key(row["id"]) if row else throttle.identity_key(identifier)
    await throttle.check(key, ip, now, row["id"] if row else None, bool(row) and known_user == row["id"])
    usable = row is not None and row["active"] and row["password_hash"]
    matches = await _verify(row["password_hash"] if usable else await _dummy_hash(), password)
    if not (usable and matches):
        await throttle.record_failure(key, ip, now)
        raise DomainError("bad_credentials", _("The email/phone or password is not right."))
    if hasher.check_needs_rehash(row["password_hash"]):
        await User.update({User.password_hash: await hash_password(password)}).where(User.id == row["id"])
    # The owner's own typos from here are forgiven; the account's other failures (a guesser elsewhere) stay.
    await LoginFailure.delete().where((LoginFailure.identifier == key) & (LoginFailure.ip == ip[:64]))
    await User.update({User.last_login_at: now}).where(User.id == row["id"])
    return _user_from_row(row)


async def start_session(user_id: int, ip: str = "", user_agent: str = "") -> str:
    """Create a new login session and return its cookie token (a fresh id at every login)."""
    token = secrets.token_urlsafe(32)
    await LoginSession.insert(
        LoginSession(
            token_hash=token_hash(token), user=user_id, expires_at=clock.now() + SESSION_LIFETIME,
            ip=ip[:64], user_agent=user_agent[:300],
        )
    )
    return token


async def end_session(token: str) -> None:
    """Log out: the session row is deleted, so the cookie is worthless even if copied."""
    await LoginSession.delete().where(LoginSession.token_hash == token_hash(token))


# Every request with a session cookie runs this: as SQL written once (Piccolo takes about a millisecond
# to build a join like it). The columns come back typed on both engines (lists, booleans, datetimes).
_SESSION_USER_SQL = (
    'SELECT u.id, u.name, u.role, u.email, u.phone, u.districts, u.active, u.language, s.expires_at '
    'FROM login_session s JOIN staff_user u ON u.id = s."user" WHERE s.token_hash = {}'
)


async def user_for_session(token: str) -> CurrentUser | None:
    """The active user behind a session cookie, or None."""
    if not token or len(token) > 100:
        return None
    rows = await LoginSession.raw(_SESSION_USER_SQL, token_hash(token))
    if not rows or not rows[0]["active"] or rows[0]["expires_at"] < clock.now():
        return None
    return _user_from_row(rows[0])


async def set_language(user_id: int, language: str) -> None:
    """Remember the language a staff member reads the portal in (a profile setting, not audited)."""
    if language not in LANGUAGES:
        raise ValidationFailed({"language": _("Choose a language from the list.")})
    await User.update({User.language: language}).where(User.id == user_id)


async def purge_expired(now: dt.datetime | None = None) -> None:
    """Delete expired sessions, old failures and used or expired links (run on a schedule)."""
    now = now or clock.now()
    await LoginSession.delete().where(LoginSession.expires_at < now)
    await LoginFailure.delete().where(LoginFailure.at < now - throttle.ACCOUNT_WINDOW)
    await OneTimeLink.delete().where(OneTimeLink.expires_at < now)


# The message that carries each purpose's link (portal/messages/wording.py), and the consent a staff account
# implies: an account's own links go to its own address.
LINK_MESSAGES = {"welcome": "staff_invitation", "reset": "staff_reset"}
STAFF_CONSENT = "staff account"
FORGOT_PER_ADDRESS = 5  # "forgot password" forms per address in throttle.FAILURE_WINDOW
FORGOT_LINKS_PER_ACCOUNT = 3  # links one account may be sent in FORGOT_WINDOW through the form
FORGOT_WINDOW = dt.timedelta(hours=1)


def link_path(token: str) -> str:
    """The path of a one-time link (the route `auth.link`)."""
    return f"/link/{token}"


async def create_link(purpose: str, user_id: int | None, actor: Actor, *, send: bool = False) -> str:
    """A one-time link token for setting a password: "setup" (the first admin), "welcome" (a new account
    made without a password) or "reset". With `send`, the link also goes to the account's email (else its
    phone) through the outbox, in the same transaction; the token itself is never logged or audited (only
    its hash is stored) and the outbox blanks it out of a message once sent."""
    token = secrets.token_urlsafe(24)
    queued: list[int] = []
    async with write_transaction(OneTimeLink._meta.db):
        await OneTimeLink.insert(
            OneTimeLink(
                token_hash=token_hash(token), purpose=purpose, user=user_id, created_at=clock.now(),
                expires_at=clock.now() + LINK_LIFETIME,
            )
        )
        if send and user_id is not None and purpose in LINK_MESSAGES:
            queued = await _send_link(purpose, user_id, token)
        await audit.record(actor, f"user.link_{purpose}", "user", user_id or "-",
                           note="sent by message" if queued else "")
    if queued:
        await outbox.kick()
    return token


async def _send_link(purpose: str, user_id: int, token: str) -> list[int]:
    row = await User.select(User.name, User.email, User.phone, User.language).where(User.id == user_id).first()
    if row is None:
        return []
    return await outbox.notify(
        LINK_MESSAGES[purpose], phone=None if row["email"] else row["phone"], email=row["email"],
        values={"name": row["name"], "link": outbox.link(link_path(token))}, language=row["language"] or "",
        default_language="en", to_name=row["name"], consent_source=STAFF_CONSENT, record_type="user",
        record_id=user_id)


class TooManyRequests(DomainError):
    """Too many "forgot password" forms from one address."""

    status_code = 429


async def forgot_password(identifier: str, ip: str) -> None:
    """The "forgot password" form: an active account with this email or phone is sent a link (a reset, or
    its welcome link when it never chose a password). The same answer whether or not an account exists;
    each address may send FORGOT_PER_ADDRESS forms in 15 minutes (429 after that, counted beside the login
    failures under an address key of its own), and one account gets at most FORGOT_LINKS_PER_ACCOUNT links an
    hour this way."""
    now = clock.now()
    address_key = f"forgot:{ip}"[:64]
    recent = await LoginFailure.count().where((LoginFailure.ip == address_key)
                                              & (LoginFailure.at > now - throttle.FAILURE_WINDOW))
    if recent >= FORGOT_PER_ADDRESS:
        raise TooManyRequests("too_many", _("Too many requests from this connection. Please try again later."))
    # Upper case: a login's counters are lower-cased text or "user:N", so the login throttle never counts these.
    await LoginFailure.insert(LoginFailure(identifier="FORGOT", ip=address_key, at=now))
    identifier = identifier.strip().lower()[:254]
    if not identifier:
        return
    row = await User.select(User.id, User.active, User.password_hash).where(_identified_by(identifier)).first()
    if row is None or not row["active"]:
        return
    sent = await OneTimeLink.count().where((OneTimeLink.user == row["id"])
                                           & (OneTimeLink.created_at > now - FORGOT_WINDOW))
    if sent >= FORGOT_LINKS_PER_ACCOUNT:
        return
    purpose = "reset" if row["password_hash"] else "welcome"
    await create_link(purpose, row["id"], Actor.system(f"forgot password form {ip}"[:100]), send=True)


async def link_details(token: str) -> dict[str, Any]:
    """The unused, unexpired link behind a token, or DomainError `expired_link`."""
    row = await OneTimeLink.select().where(OneTimeLink.token_hash == token_hash(token)).first()
    if row is None or row["used_at"] is not None or row["expires_at"] < clock.now():
        raise DomainError("expired_link", USED_LINK)
    if row["purpose"] == "setup" and await count_users() > 0:
        raise DomainError("expired_link", _("The portal is already set up. Log in instead."))
    return row


async def _consume(link: dict[str, Any], now: dt.datetime) -> bool:
    """Mark the link used in one conditional UPDATE that only one request can win (True for the winner).

    A setup link consumes every unused setup link at once: two different setup links must not make
    two first admins. On PostgreSQL a second transaction waits for the first's row locks and then
    finds `used_at` set; on SQLite write transactions run one at a time."""
    unused = OneTimeLink.used_at.is_null() & (OneTimeLink.expires_at > now)
    scope = (OneTimeLink.purpose == "setup") if link["purpose"] == "setup" else (OneTimeLink.id == link["id"])
    won = await OneTimeLink.update({OneTimeLink.used_at: now}).where(scope & unused).returning(OneTimeLink.id)
    return any(row["id"] == link["id"] for row in won)


async def use_link(token: str, form: dict[str, Any], ip: str = "") -> CurrentUser:
    """Set a password through a one-time link; creates the first admin for a setup link.

    The form is checked and the password hashed first (a mistake does not use the link up); then
    consuming the link and the change are one transaction, so of concurrent requests exactly one
    wins and the others get `expired_link` (the page answers 410)."""
    link = await link_details(token)
    if link["purpose"] == "setup":
        values, password_hash = await prepare_user({**form, "role": "admin"})
    else:
        password = str(form.get("password", ""))
        if not MIN_PASSWORD_LENGTH <= len(password) <= 1000:
            raise ValidationFailed({"password": _("Use at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)})
        password_hash = await hash_password(password)
    async with write_transaction(OneTimeLink._meta.db):
        if not await _consume(link, clock.now()):
            raise DomainError("expired_link", USED_LINK)
        if link["purpose"] == "setup":
            if await count_users() > 0:
                raise DomainError("expired_link", _("The portal is already set up. Log in instead."))
            user_id = await insert_user(values, password_hash, Actor.system("setup link"))
        else:
            user_id = link["user"]
            await User.update({User.password_hash: password_hash}).where(User.id == user_id)
            await LoginSession.delete().where(LoginSession.user == user_id)
            await LoginFailure.delete().where(LoginFailure.identifier.is_in(await _identifiers(user_id)))
            await audit.record(Actor(id=user_id, label=f"user {user_id} (reset link)", ip=ip),
                               "user.password_reset", "user", user_id)
    row = await User.select().where(User.id == user_id).first()
    return _user_from_row(row)


async def _identifiers(user_id: int) -> list[str]:
    row = await User.select(User.email, User.phone).where(User.id == user_id).first()
    return [throttle.account_key(user_id), *(value for value in (row["email"], row["phone"]) if value)]


async def ensure_first_admin(email: str, password: str) -> str:
    """At start-up with no users: create the admin from settings, or return a set-up token."""
    if await count_users() > 0:
        return ""
    if email and password:
        try:
            await create_user(
                {"name": "Administrator", "email": email, "role": "admin", "password": password},
                Actor.system("PORTAL_ADMIN_EMAIL"),
            )
        except Exception as exc:
            # Two servers started at once on one database: the other one created the admin first.
            if not is_unique_violation(exc):
                raise
        return ""
    return await create_link("setup", None, Actor.system("first start"))
