"""Self check-in with a rotating venue code.

The venue screen shows a QR of `/c/{session}/{code}`; the code is an HMAC-SHA256 (secret key)
over the session id and the current 30-second window, so a photo sent to someone at home stops
working within a minute. The current and the previous window are accepted (a scan a few seconds
after the screen changed still works). A short numeric form of the same code ("17-482913") can
be typed at `/c` by people whose camera app does not open links.

Who may check in by phone number (the rule against checking in others by guessing numbers):

1. the venue code must be fresh (current or previous window): the person is at the venue, or
   holds a photo less than a minute old;
2. the number must belong to a seated (invited or registered) registration of THIS event:
   a number from the directory that is not registered here finds nothing;
3. attempts are limited, counted in the database (every worker counts the same attempts) over
   10 minutes, and refused with a 429 that says how long to wait:
   - phone numbers that found nothing and walk-ins (every one, successful or not) together:
     5 per client address per session, 100 per session;
   - wrong typed codes ("17-482913", wherever a code is accepted): 10 per client address (any
     session) and 100 per session, so a guesser at 10 tries in 10 minutes expects a hit after
     years, and even many addresses together after weeks, while a code lives one minute. The
     long code of the QR (48 bits) cannot be guessed and is never limited, so a flood of
     wrong typed codes cannot stop the venue screen's QR from working;
4. a phone check-in never reveals the ticket: it does not set the ticket cookie and shows only
   the first name, so guessing a number cannot take over someone's personal page;
5. every self check-in is audited with the client address, and the organizer sees it (method
   self_scan) on the attendance list, where it can be undone;
6. a walk-in registers only a person new to the directory, under the name typed: a number that
   is already in the directory is neither checked in nor changed nor greeted by its stored name;
   the person is asked to see an organizer at the door (the attempt is audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.db import is_unique_violation, write_transaction
from portal.events.checkin import services as checkin
from portal.events.participants import phones
from portal.events.participants import services as participants
from portal.events.registrations import services as registrations
from portal.events.registrations.services import SEATED
from portal.events.tables import Event, Participant, Registration, SelfCheckInFailure, Session

WINDOW_SECONDS = 30
CODE_CHARS = 12
SHORT_DIGITS = 6
FAILURES_PER_ADDRESS = 5
FAILURES_PER_SESSION = 100
CODE_GUESSES_PER_ADDRESS = 10
CODE_GUESSES_PER_SESSION = 100
FAILURE_PERIOD = dt.timedelta(minutes=10)
# What SelfCheckInFailure.kind counts: a phone number that found nothing, a walk-in, a wrong typed code.
PHONE, WALK_IN, CODE = "phone", "walk_in", "code"


class SelfCheckInError(DomainError):
    """Refusals: expired_code, forged_code, too_many_codes, too_many_attempts, phone_not_registered,
    bad_phone, walk_ins_closed, known_phone."""

    status_code = 422


class TooManyAttempts(SelfCheckInError):
    """Code too_many_attempts (numbers and walk-ins) or too_many_codes (429), with the seconds until the
    oldest counted attempt is forgotten."""

    status_code = 429

    def __init__(self, code: str, message: str, wait: dt.timedelta) -> None:
        super().__init__(code, message)
        self.retry_after = max(1, int(wait.total_seconds() + 0.999))


def window(now: float) -> int:
    """The 30-second window a moment falls in."""
    return int(now // WINDOW_SECONDS)


def _mac(secret: str, session_id: int, win: int) -> bytes:
    return hmac.new(secret.encode(), f"selfcheck:{session_id}:{win}".encode(), hashlib.sha256).digest()


def code_for(secret: str, session_id: int, now: float) -> str:
    """The long code of the QR for this window (URL-safe hex)."""
    return _mac(secret, session_id, window(now)).hex()[:CODE_CHARS]


def short_code_for(secret: str, session_id: int, now: float) -> str:
    """The typed fallback: session id, a dash, six digits."""
    digits = int.from_bytes(_mac(secret, session_id, window(now))[-8:], "big") % 10**SHORT_DIGITS
    return f"{session_id}-{digits:0{SHORT_DIGITS}d}"


@dataclass(frozen=True)
class DisplayCode:
    """What the venue screen shows."""

    code: str
    short: str
    seconds_left: int


def display(secret: str, session_id: int, now: float) -> DisplayCode:
    """The code for the screen now, and how long it stays."""
    left = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return DisplayCode(code_for(secret, session_id, now), short_code_for(secret, session_id, now), left)


def verify(secret: str, session_id: int, code: str, now: float) -> None:
    """Accept the code of the current or the previous window; refuse expired and forged codes."""
    code = (code or "").strip().lower()
    for back in (0, 1):
        moment = now - back * WINDOW_SECONDS
        if hmac.compare_digest(code, code_for(secret, session_id, moment)):
            return
        if hmac.compare_digest(code, short_code_for(secret, session_id, moment)):
            return
    # Recognise a recent but expired code (up to 10 minutes), to say "scan again" rather than "forged".
    for back in range(2, 21):
        moment = now - back * WINDOW_SECONDS
        if hmac.compare_digest(code, code_for(secret, session_id, moment)) or hmac.compare_digest(
                code, short_code_for(secret, session_id, moment)):
            raise SelfCheckInError("expired_code", _("This code has expired. Scan the code on the screen again."))
    raise SelfCheckInError("forged_code", _("This is not a valid check-in code. Scan the code on the screen again."))


def parse_short(text: str) -> tuple[int, str] | None:
    """(session id, short code) from what someone typed ("17-482913", "17 482913")."""
    cleaned = "".join(ch if ch.isdigit() else " " for ch in (text or "")).split()
    if len(cleaned) != 2 or not cleaned[0].isdigit() or len(cleaned[1]) != SHORT_DIGITS or len(cleaned[0]) > 9:
        return None
    # int() reads Bangla digits too ("১৭-৪৮২৯১৩" from a Bangla keyboard); the code is compared in ASCII digits.
    return int(cleaned[0]), f"{int(cleaned[0])}-{int(cleaned[1]):0{SHORT_DIGITS}d}"


async def session_info(session_id: int) -> dict[str, Any]:
    """The session with its event's title and walk-in rule, or session_not_found."""
    row = await Session.select(
        Session.id, Session.title, Session.event, Session.starts_at, Session.ends_at,
        Session.event.title.as_alias("event_title"), Session.event.walk_ins.as_alias("walk_ins"),
        Session.event.status.as_alias("event_status"), Session.event.district.as_alias("district"),
    ).where(Session.id == session_id).first()
    if row is None:
        raise checkin.CheckInError("session_not_found", _("This session does not exist."))
    return row


async def _limit(query: Any, limit: int, code: str, message: str) -> None:
    """Refuse when `query` (counted attempts) reached `limit` within the period."""
    now = clock.now()
    rows = await query.where(SelfCheckInFailure.at > now - FAILURE_PERIOD).order_by(
        SelfCheckInFailure.at, ascending=False).limit(limit)
    if len(rows) >= limit:
        raise TooManyAttempts(code, message, rows[-1]["at"] + FAILURE_PERIOD - now)


def _attempts(*kinds: str) -> Any:
    return SelfCheckInFailure.select(SelfCheckInFailure.at).where(SelfCheckInFailure.kind.is_in(list(kinds)))


async def check_limits(session_id: int, ip: str, message: str | None = None) -> None:
    """Refuse (429) once this address, or everyone, tried too many phone numbers and walk-ins at the session."""
    message = message or _("Too many numbers tried. Ask an organizer at the door.")
    in_session = _attempts(PHONE, WALK_IN).where(SelfCheckInFailure.session == session_id)
    await _limit(in_session.where(SelfCheckInFailure.ip == ip[:64]), FAILURES_PER_ADDRESS, "too_many_attempts",
                 message)
    await _limit(_attempts(PHONE, WALK_IN).where(SelfCheckInFailure.session == session_id), FAILURES_PER_SESSION,
                 "too_many_attempts", message)


async def count_failure(session_id: int, ip: str, kind: str = PHONE) -> None:
    """Count an attempt against the limits (a phone number that found nothing, by default)."""
    await SelfCheckInFailure.insert(SelfCheckInFailure(session=session_id, ip=ip[:64], at=clock.now(), kind=kind))


async def purge() -> None:
    """Forget counted attempts once they no longer count (run on a schedule)."""
    await SelfCheckInFailure.delete().where(SelfCheckInFailure.at < clock.now() - FAILURE_PERIOD)


async def check_code(secret: str, session_id: int, code: str, ip: str) -> None:
    """verify() under the guessing limits of typed codes (rule 3): wrong ones are counted, and past
    the limits every typed code is refused with a 429 before it is looked at."""
    if "-" not in (code or ""):  # the QR's long code: 48 bits, nothing to gain by guessing
        verify(secret, session_id, code, clock.now().timestamp())
        return
    message = _("Too many wrong codes. Wait, or ask an organizer at the door.")
    await _limit(_attempts(CODE).where(SelfCheckInFailure.ip == ip[:64]), CODE_GUESSES_PER_ADDRESS,
                 "too_many_codes", message)
    await _limit(_attempts(CODE).where(SelfCheckInFailure.session == session_id), CODE_GUESSES_PER_SESSION,
                 "too_many_codes", message)
    try:
        verify(secret, session_id, code, clock.now().timestamp())
    except SelfCheckInError as exc:
        if exc.code == "forged_code" and await Session.exists().where(Session.id == session_id):
            await count_failure(session_id, ip, CODE)
        raise


async def by_ticket(secret: str, session_id: int, code: str, token: str, actor: audit.Actor) -> checkin.CheckInResult:
    """Check in the phone's own ticket (from its cookie) with a fresh venue code."""
    await check_code(secret, session_id, code, actor.ip)
    return await checkin.check_in(session_id, actor, token=token, method="self_scan")


async def by_phone(secret: str, session_id: int, code: str, phone_text: str,
                   actor: audit.Actor) -> checkin.CheckInResult:
    """Check in the registration of THIS event that has this phone number (see the module rule)."""
    await check_code(secret, session_id, code, actor.ip)
    session = await session_info(session_id)
    await check_limits(session_id, actor.ip)
    try:
        phone = normalise_phone(phone_text)
    except PhoneError as exc:
        raise SelfCheckInError("bad_phone", str(exc), "phone") from None
    if phone is None:
        raise SelfCheckInError("bad_phone", _("Enter your phone number."), "phone")
    found = await Registration.select(Registration.id).where(
        (Registration.event == session["event"]) & phones.has_number(Registration.participant, phone)
        & Registration.status.is_in(list(SEATED))).first()
    if found is None:
        await count_failure(session_id, actor.ip)
        raise SelfCheckInError(
            "phone_not_registered", _("This number is not registered for this event. Ask an organizer at the door."),
            "phone")
    return await checkin.check_in(session_id, actor, registration_id=found["id"], method="self_scan")


async def walk_in(secret: str, session_id: int, code: str, form: dict[str, Any],
                  actor: audit.Actor) -> tuple[checkin.CheckInResult, str]:
    """Register someone new to the directory at the door (if the event allows walk-ins) and check them in.

    Returns the result and the new person's ticket token (their own, safe to hand to this phone).
    A number already in the directory is refused with `known_phone` (rule 6)."""
    await check_code(secret, session_id, code, actor.ip)
    session = await session_info(session_id)
    if not session["walk_ins"]:
        raise SelfCheckInError("walk_ins_closed", _("This event does not take walk-ins. Ask an organizer."))
    await checkin.require_open(session_id)  # before the walk-in is registered
    await check_limits(session_id, actor.ip)
    errors: dict[str, str] = {}
    name = str(form.get("name", "")).strip()
    organisation = str(form.get("organisation", "")).strip()[:200]
    if not name or len(name) > 200:
        errors["name"] = _("Enter your full name.")
    try:
        phone = normalise_phone(str(form.get("phone", "")))
        if phone is None:
            errors["phone"] = _("Enter your phone number.")
    except PhoneError as exc:
        errors["phone"], phone = str(exc), None
    if errors:
        raise ValidationFailed(errors)
    await count_failure(session_id, actor.ip, WALK_IN)  # every walk-in counts against the limits, not only failures
    event = await Event.select(Event.district).where(Event.id == session["event"]).first()
    try:
        # The person, their registration and their check-in in one transaction: a refusal at any step
        # (the event full or cancelled meanwhile, the window closing) leaves nothing half-saved.
        async with write_transaction(Participant._meta.db):
            person_id = await participants.add_person(
                {"name": name, "organisation": organisation, "phone": phone, "district": event["district"]},
                actor, note="walk-in")
            made = await registrations.register(session["event"], person_id, actor, role="participant")
            result = await checkin.check_in(session_id, actor, registration_id=made["id"], method="self_scan")
    except participants.DuplicatePerson:
        pass
    except Exception as exc:
        if not is_unique_violation(exc):  # else the same number walked in at the same moment
            raise
    else:
        return result, made["ticket_token"]
    await audit.record(actor, "selfcheck.walk_in_known_phone", "event_session", session_id,
                       after={"name": name, "phone": phone})
    raise SelfCheckInError("known_phone", _(
        "This number is already in our list. Ask an organizer at the door to check you in."), "phone")
