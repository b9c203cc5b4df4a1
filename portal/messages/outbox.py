"""The outbox: features write a message here inside the transaction of the change that causes it (so a
rolled-back change sends nothing, and a committed one is never lost), then `kick()` the sender after the
commit. Consent and opt-out are kept per address (Contact): an address that opted out gets nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from portal.core import audit, clock, jobs
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import N_
from portal.db import write_transaction
from portal.messages import sms, wording
from portal.messages.tables import Contact, OutboxMessage

STATUSES = {"queued": N_("Queued"), "sending": N_("Sending"), "sent": N_("Sent"), "failed": N_("Failed"),
            "cancelled": N_("Cancelled")}
SEND_JOB = "messages.send"

# The base of the links in messages (PORTAL_BASE_URL), set by create_app and `portal worker`.
_base_url = [""]


def configure(base_url: str) -> None:
    """Links in messages start with `base_url`."""
    _base_url[0] = base_url.rstrip("/")


def link(path: str) -> str:
    """An absolute link for a message."""
    return _base_url[0] + path


async def contact(address: str, *, language: str = "", consent_source: str = "") -> dict[str, Any]:
    """The contact row of an address, created on first use. Recording consent (`consent_source`) once is
    enough; the language is the latest one a person used."""
    row = await Contact.select().where(Contact.address == address).first()
    now = clock.now()
    if row is None:
        values = {"address": address, "language": language, "consent": bool(consent_source),
                  "consent_at": now if consent_source else None, "consent_source": consent_source[:100],
                  "stop_token": secrets.token_urlsafe(12)}
        await Contact.insert(Contact(**values))
        return await Contact.select().where(Contact.address == address).first()
    changes: dict[Any, Any] = {}
    if consent_source and not row["consent"]:
        changes.update({Contact.consent: True, Contact.consent_at: now, Contact.consent_source: consent_source[:100]})
    if language and language != row["language"]:
        changes[Contact.language] = language
    if changes:
        await Contact.update(changes).where(Contact.id == row["id"])
        row = await Contact.select().where(Contact.id == row["id"]).first()
    return row


async def enqueue(kind: str, *, channel: str, to: str, language: str = "", values: dict[str, Any], to_name: str = "",
                  default_language: str = "bn",
                  consent_source: str = "", record_type: str = "", record_id: int | None = None,
                  event_id: int | None = None, dedupe_key: str | None = None) -> int | None:
    """Queue one message of `kind` (inside the caller's transaction) with `values` and the address's STOP link.
    Its language: `language` when the person chose it now (it is remembered), else the one they chose before,
    else `default_language`. None when nothing is queued: no consent recorded, the address opted out,
    or a message with this `dedupe_key` was queued before."""
    if channel not in wording.CHANNELS or not to:
        return None
    person = await contact(to, language=language, consent_source=consent_source)
    if not person["consent"] or person["opted_out_at"] is not None:
        return None
    if dedupe_key and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return None
    language = language or person["language"] or default_language
    values = {**values, "stop": link(f"/m/stop/{person['stop_token']}")}
    subject, body = await wording.compose(kind, language, channel, values)
    row = OutboxMessage(channel=channel, to_address=to, to_name=to_name[:200], language=language, kind=kind,
                        subject=subject[:300], body=body, parts=sms.parts(body) if channel == "sms" else 1,
                        status="queued", next_attempt_at=clock.now(), dedupe_key=dedupe_key,
                        record_type=record_type, record_id=record_id, event_id=event_id,
                        created_at=clock.now(), updated_at=clock.now())
    await row.save()
    return row.id


async def notify(kind: str, *, phone: str | None, email: str | None, values: dict[str, Any], language: str = "",
                 default_language: str = "bn",
                 to_name: str = "", consent_source: str = "", record_type: str = "", record_id: int | None = None,
                 event_id: int | None = None, dedupe: str | None = None) -> list[int]:
    """Queue `kind` to a person's phone (SMS) and email, whichever they have; returns the message ids."""
    ids = []
    for channel, address in (("sms", phone), ("email", email)):
        if address:
            message_id = await enqueue(kind, channel=channel, to=address, language=language, values=values,
                                       default_language=default_language,
                                       to_name=to_name, consent_source=consent_source, record_type=record_type,
                                       record_id=record_id, event_id=event_id,
                                       dedupe_key=f"{dedupe}:{channel}" if dedupe else None)
            if message_id is not None:
                ids.append(message_id)
    return ids


async def kick() -> None:
    """Ask the sender to deliver what is due now (after the caller's transaction committed). Without a
    queue that can run it (a service test, a command) the periodic send picks the messages up later."""
    queue = jobs.current()
    if isinstance(queue, jobs.InlineQueue) and queue.context is None:
        return
    await jobs.defer(SEND_JOB, lock=SEND_JOB)


async def opt_out(token: str, via: str, actor: audit.Actor | None = None) -> dict[str, Any]:
    """Stop every message to the address of a STOP token; its queued messages are cancelled. Audited."""
    if not token or len(token) > 32:
        raise NotFound("No such link.")
    row = await Contact.select().where(Contact.stop_token == token).first()
    if row is None:
        raise NotFound("No such link.")
    return await _set_opt_out(row, True, via, actor or audit.Actor.system("stop link"))


async def set_opt_out(address: str, stopped: bool, via: str, actor: audit.Actor) -> dict[str, Any]:
    """Staff record (or lift) an opt-out for an address."""
    row = await Contact.select().where(Contact.address == address).first()
    if row is None:
        raise NotFound("No such address.")
    return await _set_opt_out(row, stopped, via, actor)


async def _set_opt_out(row: dict[str, Any], stopped: bool, via: str, actor: audit.Actor) -> dict[str, Any]:
    if (row["opted_out_at"] is not None) == stopped:
        return row
    now = clock.now()
    async with write_transaction(Contact._meta.db):
        await Contact.update({Contact.opted_out_at: now if stopped else None, Contact.opt_out_via: via[:40]}).where(
            Contact.id == row["id"])
        if stopped:
            await OutboxMessage.update({OutboxMessage.status: "cancelled", OutboxMessage.last_error: "opted out",
                                        OutboxMessage.updated_at: now}).where(
                (OutboxMessage.to_address == row["address"]) & (OutboxMessage.status == "queued"))
        await audit.record(actor, "contact.opt_out" if stopped else "contact.opt_in", "message_contact", row["id"],
                           before={"opted_out": not stopped}, after={"opted_out": stopped, "via": via})
    return await Contact.select().where(Contact.id == row["id"]).first()


class RetryRefused(DomainError):
    """Only a failed or cancelled message can be sent again."""


async def retry(message_id: int, actor: audit.Actor) -> None:
    """Queue a failed (or cancelled) message again, with a fresh count of tries. Audited."""
    row = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.to_address).where(
        OutboxMessage.id == message_id).first()
    if row is None:
        raise NotFound("No such message.")
    stopped = await Contact.exists().where((Contact.address == row["to_address"]) & Contact.opted_out_at.is_not_null())
    if stopped:
        raise RetryRefused("opted_out", N_("This person asked for no more messages."))
    async with write_transaction(OutboxMessage._meta.db):
        changed = await OutboxMessage.update({
            OutboxMessage.status: "queued", OutboxMessage.attempts: 0, OutboxMessage.next_attempt_at: clock.now(),
            OutboxMessage.updated_at: clock.now(),
        }).where((OutboxMessage.id == message_id) & OutboxMessage.status.is_in(["failed", "cancelled"])).returning(
            OutboxMessage.id)
        if not changed:
            raise RetryRefused("not_failed", N_("Only a failed or cancelled message can be sent again."))
        await audit.record(actor, "message.retry", "outbox_message", message_id, before={"status": row["status"]},
                           after={"status": "queued"})


def _filtered(query: Any, status: str, channel: str, q: str, event_id: int | None) -> Any:
    if status in STATUSES:
        query = query.where(OutboxMessage.status == status)
    if channel in wording.CHANNELS:
        query = query.where(OutboxMessage.channel == channel)
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    q = q.strip()
    if q:
        from portal.db import icontains

        query = query.where(icontains(OutboxMessage.to_address, q) | icontains(OutboxMessage.to_name, q))
    return query


async def listing(*, status: str = "", channel: str = "", q: str = "", event_id: int | None = None,
                  page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of the outbox, newest first, and how many match."""
    total = await _filtered(OutboxMessage.count(), status, channel, q, event_id)
    rows = await _filtered(OutboxMessage.select(), status, channel, q, event_id).order_by(
        OutboxMessage.id, ascending=False).limit(per_page).offset((max(page, 1) - 1) * per_page)
    return rows, total


async def counts() -> dict[str, int]:
    """How many messages are in each status."""
    result = dict.fromkeys(STATUSES, 0)
    for status in STATUSES:
        result[status] = await OutboxMessage.count().where(OutboxMessage.status == status)
    return result


async def for_records(record_type: str, record_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The messages of each record (a registration's tickets and reminders), oldest first."""
    if not record_ids:
        return {}
    rows = await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.record_id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status,
        OutboxMessage.sent_at, OutboxMessage.last_error,
    ).where((OutboxMessage.record_type == record_type) & OutboxMessage.record_id.is_in(record_ids)).order_by(
        OutboxMessage.id)
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row["record_id"], []).append(row)
    return result


async def latest(record_type: str, record_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For a page of records, in one query: each record's last message (`last`), its messages by status
    (`counts`) and, when one failed, the last failure with the provider's reason (`failed`)."""
    if not record_ids:
        return {}
    rows = await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.record_id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status,
        OutboxMessage.created_at, OutboxMessage.sent_at, OutboxMessage.last_error,
    ).where((OutboxMessage.record_type == record_type) & OutboxMessage.record_id.is_in(record_ids)).order_by(
        OutboxMessage.id)
    result: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = result.setdefault(row["record_id"], {"last": row, "counts": {}, "failed": None})
        entry["last"] = row
        entry["counts"][row["status"]] = entry["counts"].get(row["status"], 0) + 1
        if row["status"] == "failed":
            entry["failed"] = row
    return result


def backoff(attempts: int, first_seconds: int) -> dt.timedelta:
    """The wait before try number `attempts + 1`: first_seconds, doubled each time, at most 6 hours."""
    return dt.timedelta(seconds=min(first_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


async def contact_language(address: str) -> str:
    """The language a person at this address chose, or ""."""
    row = await Contact.select(Contact.language).where(Contact.address == address).first()
    return row["language"] if row else ""
