"""Login throttling: slow a password guesser down without locking the account's owner out.

The rule (also in the README's security section):

1. Failures are counted in the database (every worker sees the same) per account: the account an
   email or phone number resolves to, so `01711000099`, `+8801711000099` and `01711-000099` are
   one counter; for text that names no account, the text normalised the same way (an email
   lower-cased, a phone number in E.164), so unknown and known accounts behave alike.
2. One address with 30 failures (any accounts) in 15 minutes waits until the oldest is 15 minutes old.
3. One address with 5 failures for one account in 15 minutes waits for that account the same way;
   the owner elsewhere is not affected.
4. An account with 5 or more failures in a day, from anywhere: an attempt from a browser or an
   address the account is not known at must come a growing gap after the account's last failure
   (1 s after the 5th, doubling, at most 15 minutes); a sooner one is refused without looking at
   the password. A guesser spread over many addresses gets about 4 tries an hour.
5. The owner's own browser (a signed cookie set at every successful login) is exempt from 3 and 4;
   an address the account has a live session from is exempt from 4. Nobody is exempt from 2.
   An admin's reset link clears the account's failures.

Refusals are 429 with Retry-After. The password is checked for every attempt that is not
refused, against a dummy argon2 hash when there is no usable account, so the time an answer
takes does not tell whether an account exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from portal.auth.tables import LoginFailure, LoginSession
from portal.core.errors import DomainError
from portal.core.i18n import format_number, ngettext
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone

FAILURE_WINDOW = dt.timedelta(minutes=15)
ACCOUNT_WINDOW = dt.timedelta(days=1)
MAX_FAILURES_PER_ADDRESS = 30
MAX_FAILURES_PER_ACCOUNT_ADDRESS = 5
FREE_FAILURES_PER_ACCOUNT = 5
FIRST_GAP_SECONDS = 1
MAX_GAP = dt.timedelta(minutes=15)
DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600


class LoginThrottled(DomainError):
    """Too many failures: code `locked`, with the seconds to wait."""

    status_code = 429

    def __init__(self, wait: dt.timedelta) -> None:
        seconds = max(1, int(wait.total_seconds() + 0.999))
        if seconds < 120:
            when = ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": format_number(seconds)}
        else:
            minutes = (seconds + 59) // 60
            when = ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": format_number(minutes)}
        super().__init__("locked", _("Too many failed attempts. Try again in %(when)s, or ask an admin for a "
                                     "reset link.") % {"when": when})
        self.retry_after = seconds


def identity_key(text: str) -> str:
    """The counter of login text that names no account: a phone in E.164, otherwise the lower-cased text."""
    text = text.strip().lower()[:254]
    try:
        return normalise_phone(text) or text
    except PhoneError:
        return text


def account_key(user_id: int) -> str:
    """The counter of an existing account, whichever of its email or phone was typed."""
    return f"user:{user_id}"


async def _failures(since: dt.datetime, *conditions: Any) -> list[dt.datetime]:
    query = LoginFailure.select(LoginFailure.at).where(LoginFailure.at > since)
    for condition in conditions:
        query = query.where(condition)
    return [row["at"] for row in await query.order_by(LoginFailure.at)]


def gap_after(failures: int) -> dt.timedelta:
    """How long after the account's last failure the next attempt from an unknown place may come."""
    if failures < FREE_FAILURES_PER_ACCOUNT:
        return dt.timedelta(0)
    exponent = min(failures - FREE_FAILURES_PER_ACCOUNT, 20)
    return min(dt.timedelta(seconds=FIRST_GAP_SECONDS * 2**exponent), MAX_GAP)


async def _known_address(user_id: int | None, ip: str, now: dt.datetime) -> bool:
    if user_id is None:
        return False
    return await LoginSession.exists().where(
        (LoginSession.user == user_id) & (LoginSession.ip == ip[:64]) & (LoginSession.expires_at > now))


async def check(key: str, ip: str, now: dt.datetime, user_id: int | None, known_browser: bool) -> None:
    """Refuse (LoginThrottled) an attempt the rule above does not allow now."""
    by_address = await _failures(now - FAILURE_WINDOW, LoginFailure.ip == ip)
    if len(by_address) >= MAX_FAILURES_PER_ADDRESS:
        raise LoginThrottled(by_address[-MAX_FAILURES_PER_ADDRESS] + FAILURE_WINDOW - now)
    if known_browser:
        return
    here = [at for at in await _failures(now - FAILURE_WINDOW, LoginFailure.identifier == key,
                                         LoginFailure.ip == ip)]
    if len(here) >= MAX_FAILURES_PER_ACCOUNT_ADDRESS:
        raise LoginThrottled(here[-MAX_FAILURES_PER_ACCOUNT_ADDRESS] + FAILURE_WINDOW - now)
    account = await _failures(now - ACCOUNT_WINDOW, LoginFailure.identifier == key)
    gap = gap_after(len(account))
    if gap and account[-1] + gap > now and not await _known_address(user_id, ip, now):
        raise LoginThrottled(account[-1] + gap - now)


async def record_failure(key: str, ip: str, now: dt.datetime) -> None:
    """Count a failed attempt."""
    await LoginFailure.insert(LoginFailure(identifier=key, ip=ip[:64], at=now))


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"known-device:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie_value(secret: str, user_id: int) -> str:
    """The signed value that marks this browser as one the account logged in from."""
    payload = f"{user_id}.{secrets.token_urlsafe(9)}"
    return f"{payload}.{_sign(secret, payload)}"


def device_user(secret: str, value: str | None) -> int | None:
    """The account a browser's cookie vouches for, or None (missing, malformed or forged)."""
    payload, _dot, signature = (value or "")[:100].rpartition(".")
    user_text = payload.split(".", 1)[0]
    if not user_text.isdigit() or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    return int(user_text)
