"""Bulk send of an event's messages. Staff choose what (ticket, invitation, reminder) and to whom (everyone
it applies to, or those who have not been sent it yet, narrowed by the registrations page's filter: status,
checked in or not, district, gender, stakeholder type, search text); the page first shows the recipients, a preview in
each language and the SMS parts (the cost). The send itself is a job: it queues one message per person
and channel with a key made of the batch and the registration, so a job that is run again after a
restart queues only what is missing, and every person gets exactly one message."""

from __future__ import annotations

import secrets
from typing import Any

from portal.core import jobs
from portal.core.i18n import N_
from portal.core.paging import PAGE_SIZE, window
from portal.events import notify
from portal.events.registrations.filters import RegistrationFilter
from portal.events.tables import Registration
from portal.messages import outbox, sms, wording
from portal.messages.tables import Contact, OutboxMessage

JOB = "events.bulk_send"
KINDS = {"ticket": ("registered",), "invitation": ("invited",), "reminder": ("registered",)}
AUDIENCES = {"all": N_("Everyone it applies to"), "not_sent": N_("Only those not sent it yet")}


async def recipients(event_id: int, kind: str, audience: str, where: RegistrationFilter | None = None
                     ) -> list[dict[str, Any]]:
    """The registrations a bulk send of `kind` goes to (narrowed by the registrations page's filter `where`),
    with their contact details."""
    query = Registration.select(
        Registration.id, Registration.status, Registration.participant.name.as_alias("name"),
        Registration.participant.phone.as_alias("phone"), Registration.participant.email.as_alias("email"),
    ).where((Registration.event == event_id) & Registration.status.is_in(list(KINDS[kind])))
    rows = await (where or RegistrationFilter()).apply(query).order_by(
        Registration.participant.name).order_by(Registration.id)
    if audience == "not_sent" and rows:
        done = {row["record_id"] for row in await OutboxMessage.select(OutboxMessage.record_id).where(
            (OutboxMessage.record_type == "registration") & (OutboxMessage.kind == kind)
            & OutboxMessage.status.is_in(["queued", "sending", "sent"])
            & OutboxMessage.record_id.is_in([row["id"] for row in rows]))}
        rows = [row for row in rows if row["id"] not in done]
    return rows


async def preview(event_id: int, kind: str, audience: str, where: RegistrationFilter | None = None
                  ) -> dict[str, Any]:
    """What a bulk send would do: how many people, SMS and emails, the SMS parts in all, and the texts of the
    first person in each language."""
    people = await recipients(event_id, kind, audience, where)
    sample_rows = await notify._rows([people[0]["id"]]) if people else []
    samples = {}
    parts = 0
    for language in wording.LANGUAGES:
        if sample_rows:
            subject, body = await wording.compose(kind, language, "sms", notify._values(sample_rows[0], language))
            samples[language] = {"sms": body, "parts": sms.parts(body)}
    by_language: dict[str, int] = {}
    rows = await notify._rows([p["id"] for p in people]) if people else []
    phones = [row["phone"] for row in rows if row["phone"]]
    contacts = await Contact.select(Contact.address, Contact.language, Contact.opted_out_at).where(
        Contact.address.is_in(phones)) if phones else []
    chosen = {c["address"]: c["language"] for c in contacts}
    stopped = {c["address"] for c in contacts if c["opted_out_at"] is not None}  # they get nothing: no cost
    texts = {language: (await wording.wording(kind, language, "sms"))[1] for language in wording.LANGUAGES}
    for row in rows:
        if row["phone"] and row["phone"] not in stopped:
            language = chosen.get(row["phone"]) or ("bn" if row["name_bn"] else "en")
            by_language[language] = by_language.get(language, 0) + 1
            body = wording.fill(texts[language], {**notify._values(row, language), "stop": ""}).strip()
            parts += sms.parts(body)
    return {"people": len(people), "sms": sum(1 for p in people if p["phone"] and p["phone"] not in stopped),
            "email": sum(1 for p in people if p["email"]), "parts": parts, "samples": samples,
            "by_language": by_language}


async def queue_batch(event_id: int, kind: str, registration_ids: list[int], batch: str) -> int:
    """Queue the batch's messages that are not queued yet; returns how many were queued now."""
    queued = 0
    for registration_id in registration_ids:
        queued += len(await notify._send(kind, [registration_id], dedupe=f"bulk:{batch}"))
    return queued


async def start(event_id: int, kind: str, audience: str, where: RegistrationFilter | None = None) -> str:
    """Start a bulk send as a job; returns its batch id (the progress page's key)."""
    ids = [row["id"] for row in await recipients(event_id, kind, audience, where)]
    batch = secrets.token_urlsafe(9)
    await jobs.defer(JOB, lock=f"{JOB}:{batch}", event_id=event_id, kind=kind, ids=ids, batch=batch)
    return batch


@jobs.job(JOB)
async def bulk_send_job(ctx: jobs.JobContext | None, *, event_id: int, kind: str, ids: list[int], batch: str) -> None:
    """Queue every message of the batch (again: only the missing ones), then ask the sender to deliver."""
    await queue_batch(event_id, kind, ids, batch)
    await outbox.kick()


async def progress(event_id: int, batch: str) -> dict[str, int]:
    """How many of a batch's messages are in each status."""
    result = dict.fromkeys(outbox.STATUSES, 0)
    rows = await OutboxMessage.select(OutboxMessage.status).where(
        (OutboxMessage.event_id == event_id) & OutboxMessage.dedupe_key.like(f"bulk:{batch}:%"))
    for row in rows:
        result[row["status"]] += 1
    result["total"] = len(rows)
    return result


async def people_status(event_id: int, page: int = 1, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the event's registrations, by name, each with the messages it was sent (newest first), and
    the pager's figures (paging.window): counted and cut in SQL, messages read for the page's rows only."""
    shown = window(await Registration.count().where(Registration.event == event_id), page, size)
    rows = await Registration.select(
        Registration.id, Registration.status, Registration.participant.name.as_alias("name"),
        Registration.participant.phone.as_alias("phone"), Registration.participant.email.as_alias("email"),
    ).where(Registration.event == event_id).order_by(Registration.participant.name).order_by(
        Registration.id).limit(size).offset(shown["offset"])
    messages = await outbox.for_records("registration", [row["id"] for row in rows])
    for row in rows:
        row["messages"] = list(reversed(messages.get(row["id"], [])))
    return {"people": rows, "page": shown["page"], "pages": shown["pages"], "total": shown["total"]}
