"""Staff users, their login sessions, failed logins and one-time links."""

from piccolo.columns import (
    Array,
    Boolean,
    ForeignKey,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("admin", "coordinator", "organizer", "trainer")


class User(Table, tablename="staff_user"):
    """A member of staff. Deactivated, never deleted: the audit log and events refer to them."""

    name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    password_hash = Varchar(length=200, default="")
    role = Varchar(length=20, default="organizer", index=True)
    # District codes an organizer is limited to (at least one; an organizer without one sees nothing).
    # Other roles have none: they see every district.
    districts = Array(base_column=Varchar(length=40), default=list)
    active = Boolean(default=True)
    # The language of the staff pages for this person ("en", "bn"; "" = the browser's cookie or preference).
    language = Varchar(length=5, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class LoginSession(Table, tablename="login_session"):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")


class LoginFailure(Table, tablename="login_failure"):
    """A failed login, counted per account and per address for rate limiting."""

    identifier = Varchar(length=254, index=True)
    ip = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class OneTimeLink(Table, tablename="one_time_link"):
    """A link to set a password: first admin set-up, or a reset an admin handed out."""

    token_hash = Varchar(length=64, unique=True)
    purpose = Varchar(length=20)  # "setup" or "reset"
    user = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
