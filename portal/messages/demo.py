"""Demo outbox: the tickets the demo's registrations queued, most of them delivered, a few failed with a
gateway's or mail server's reason, one person who asked for no more messages, and the rest still queued
(as on a portal without a provider), so the outbox page shows every state to a newcomer."""

from __future__ import annotations

import datetime as dt

from portal.core import clock
from portal.messages.tables import Contact, OutboxMessage

FAILURES = {"sms": "HTTP 400: 1003 Invalid mobile number", "email": "550 5.1.1 Mailbox unavailable"}


async def load() -> str:
    """Mark the demo's messages sent, failed and cancelled; returns a summary."""
    rows = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.to_address,
                                      OutboxMessage.created_at).order_by(OutboxMessage.id)
    if not rows:
        return "no messages"
    now = clock.now()
    sent = failed = 0
    for n, row in enumerate(rows):
        if n % 10 == 3 and failed < 4:
            await OutboxMessage.update({
                OutboxMessage.status: "failed", OutboxMessage.attempts: 5, OutboxMessage.last_error: FAILURES[
                    row["channel"]], OutboxMessage.updated_at: now}).where(OutboxMessage.id == row["id"])
            failed += 1
        elif n < len(rows) * 2 // 3:
            await OutboxMessage.update({
                OutboxMessage.status: "sent", OutboxMessage.attempts: 1, OutboxMessage.provider_id: f"demo-{row['id']}",
                OutboxMessage.sent_at: row["created_at"] + dt.timedelta(seconds=3 + n % 40),
                OutboxMessage.updated_at: now}).where(OutboxMessage.id == row["id"])
            sent += 1
    last = rows[-1]
    await Contact.update({Contact.opted_out_at: now, Contact.opt_out_via: "link"}).where(
        Contact.address == last["to_address"])
    await OutboxMessage.update({OutboxMessage.status: "cancelled", OutboxMessage.last_error: "opted out"}).where(
        (OutboxMessage.to_address == last["to_address"]) & (OutboxMessage.status == "queued"))
    queued = await OutboxMessage.count().where(OutboxMessage.status == "queued")
    return f"{len(rows)} messages in the outbox ({sent} sent, {failed} failed, {queued} queued, 1 person opted out)"
