"""What the events feature tells people, through the outbox (portal/messages): the ticket after a
registration, an invitation with accept/decline links, a seat from the waitlist, and the reminder the day
before. Called inside the registration's own transaction, so the message and the change commit together.

Only a published event sends: a draft's registrations are still being prepared. A person's language is the
one they chose (self-registration), else Bangla when their Bangla name is known, else English. Consent:
staff who register or invite a person record the programme's consent to contact them about the event
("registered by staff"); an opt-out always wins (portal/messages/outbox.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from portal.core import clock, jobs
from portal.core.i18n import format_number, format_when
from portal.db import is_unique_violation
from portal.events.tables import Event, Registration
from portal.messages import outbox, wording

STAFF_CONSENT = "registered by staff"
REMINDER_JOB = "events.reminders"


async def _rows(registration_ids: list[int]) -> list[dict[str, Any]]:
    return await Registration.select(
        Registration.id, Registration.status, Registration.ticket_token, Registration.event,
        Registration.participant.name.as_alias("name"), Registration.participant.name_bn.as_alias("name_bn"),
        Registration.participant.phone.as_alias("phone"), Registration.participant.email.as_alias("email"),
        Registration.event.title.as_alias("title"), Registration.event.venue.as_alias("venue"),
        Registration.event.start_date.as_alias("start_date"), Registration.event.status.as_alias("event_status"),
    ).where(Registration.id.is_in(registration_ids))


def _values(row: dict[str, Any], language: str) -> dict[str, Any]:
    token = row["ticket_token"]
    name = row["name_bn"] if language == "bn" and row["name_bn"] else row["name"]
    return {"name": name, "event": row["title"], "venue": row["venue"] or "-",
            "date": format_when(row["start_date"], "%d %b", language),
            "link": outbox.link(f"/t/{token}"), "yes": outbox.link(f"/t/{token}/rsvp?answer=yes"),
            "no": outbox.link(f"/t/{token}/rsvp?answer=no")}


async def _send(kind: str, registration_ids: list[int], *, language: str = "", consent: str = STAFF_CONSENT,
                dedupe: str | None = None, extra: Callable[[str], dict[str, Any]] | None = None) -> list[int]:
    ids: list[int] = []
    for row in await _rows(registration_ids):
        if row["event_status"] != "published":
            continue
        default = "bn" if row["name_bn"] else "en"
        chosen = language or await _known_language(row) or default
        values = _values(row, chosen) | (extra(chosen) if extra else {})
        ids += await outbox.notify(
            kind, phone=row["phone"], email=row["email"], language=language, default_language=default,
            values=values, to_name=row["name"], consent_source=consent, record_type="registration",
            record_id=row["id"], event_id=row["event"], dedupe=f"{dedupe}:{row['id']}" if dedupe else None)
    return ids


# Who hears that a session moved or the event was cancelled: everyone whose registration is not cancelled.
TOLD = ("registered", "waitlisted", "invited")


def session_label(title: str, language: str) -> str:
    """A session's title in a message: the portal's "Day 2" in the person's language."""
    match = re.fullmatch(r"Day (\d+)", title or "")
    if match is None:
        return title
    return wording.translate("Day {number}", language).format(number=format_number(int(match.group(1)), language))


async def changed(kind: str, event_id: int, *, session: dict[str, Any] | None = None,
                  when: dt.datetime | None = None, tz: ZoneInfo | None = None) -> list[int]:
    """Tell everyone registered (not cancelled) that a session moved or was cancelled (`session` with its
    title; `when` its start, local in `tz`), the place changed or the event was cancelled; inside the change's
    transaction and before an event's status changes (only a published event sends). No consent is recorded
    here: only people whose consent is on record, and who did not opt out, get it."""
    ids = [row["id"] for row in await Registration.select(Registration.id).where(
        (Registration.event == event_id) & Registration.status.is_in(list(TOLD))).order_by(Registration.id)]
    if not ids:
        return []

    def extra(language: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if session is not None:
            values["session"] = session_label(session["title"], language)
        if when is not None:
            moment = when.astimezone(tz) if tz else when
            values["date"] = format_when(moment, "%d %b %H:%M", language)
        return values

    return await _send(kind, ids, consent="", extra=extra)


async def _known_language(row: dict[str, Any]) -> str:
    for address in (row["phone"], row["email"]):
        if address:
            language = await outbox.contact_language(address)
            if language:
                return language
    return ""


async def registered(registration_id: int, status: str, *, language: str = "", consent: str = STAFF_CONSENT
                     ) -> list[int]:
    """After a new registration (inside its transaction): the ticket, or the invitation with its answers."""
    if status == "registered":
        return await _send("ticket", [registration_id], language=language, consent=consent)
    if status == "invited":
        return await _send("invitation", [registration_id], language=language, consent=consent)
    return []


async def promoted(registration_ids: list[int]) -> list[int]:
    """After people got a seat from the waitlist (inside that transaction)."""
    return await _send("waitlist_promoted", registration_ids) if registration_ids else []


async def remind(today: dt.date) -> int:
    """Queue the reminder for every seated registration of a published event that starts tomorrow; a
    reminder is queued once per registration and start date (its dedupe key), however often this runs."""
    tomorrow = today + dt.timedelta(days=1)
    events = [row["id"] for row in await Event.select(Event.id).where(
        (Event.start_date == tomorrow) & (Event.status == "published"))]
    if not events:
        return 0
    ids = [row["id"] for row in await Registration.select(Registration.id).where(
        Registration.event.is_in(events) & (Registration.status == "registered"))]
    queued = 0
    for registration_id in ids:
        try:
            queued += len(await _send("reminder", [registration_id], dedupe=f"reminder:{tomorrow.isoformat()}"))
        except Exception as exc:
            if not is_unique_violation(exc):  # another machine queued this one at the same moment
                raise
    return queued


@jobs.periodic(REMINDER_JOB, every=dt.timedelta(hours=1), first_after=dt.timedelta(minutes=2))
async def reminder_job(ctx: jobs.JobContext | None) -> None:
    """Hourly (once across machines on the queue): tomorrow's reminders, then a send."""
    if ctx is None or ctx.settings is None:
        return
    if await remind(clock.today(ctx.settings.tz)):
        await outbox.kick()
