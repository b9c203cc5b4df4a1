"""The sender: delivers due outbox messages through the configured providers.

Each message is claimed with a conditional update (queued -> sending, only if still queued), so two
workers, or two web processes, never send one message twice. The outcome is written under the same claim:
sent, or queued again after a back-off (first PORTAL_MESSAGE_RETRY_SECONDS, doubled each time), or failed
with the provider's reason after PORTAL_MESSAGE_MAX_ATTEMPTS tries (at once for a permanent refusal).

A sender that dies between the provider taking a message and recording it leaves the message "sending";
after STALE_CLAIM it is queued again. That one case can deliver twice (the email keeps its Message-ID, so a
mail system can tell); every other path delivers at most once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from typing import Any

from portal.core import clock, jobs
from portal.messages import wording
from portal.messages.outbox import SEND_JOB, backoff
from portal.messages.providers import DeliveryError, Outgoing, Provider, providers_for
from portal.messages.tables import Contact, OutboxMessage

log = logging.getLogger("portal.messages")
STALE_CLAIM = dt.timedelta(minutes=15)
BATCH = 50
# Messages sent at once: a gateway answers in 50-300 ms, so one at a time would cap a bulk send at a few a second.
CONCURRENCY = 8


async def _claim(message_id: int) -> str | None:
    token = secrets.token_hex(8)
    now = clock.now()
    won = await OutboxMessage.update({
        OutboxMessage.status: "sending", OutboxMessage.claim: token, OutboxMessage.claimed_at: now,
        OutboxMessage.updated_at: now,
    }).where((OutboxMessage.id == message_id) & (OutboxMessage.status == "queued")).returning(OutboxMessage.id)
    return token if won else None


async def _finish(message_id: int, token: str, changes: dict[Any, Any]) -> None:
    changes[OutboxMessage.updated_at] = clock.now()
    changes[OutboxMessage.claim] = ""
    await OutboxMessage.update(changes).where((OutboxMessage.id == message_id) & (OutboxMessage.claim == token))


async def release_stale() -> int:
    """Queue again the messages whose sender vanished mid-send; returns how many."""
    rows = await OutboxMessage.update({OutboxMessage.status: "queued", OutboxMessage.claim: "",
                                       OutboxMessage.updated_at: clock.now()}).where(
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < clock.now() - STALE_CLAIM)
    ).returning(OutboxMessage.id)
    return len(rows)


async def deliver_one(message_id: int, providers: dict[str, Provider], settings: Any) -> str | None:
    """Claim and send one message; returns its new status, or None when another sender had it."""
    token = await _claim(message_id)
    if token is None:
        return None
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    if await Contact.exists().where((Contact.address == row["to_address"]) & Contact.opted_out_at.is_not_null()):
        await _finish(message_id, token, {OutboxMessage.status: "cancelled", OutboxMessage.last_error: "opted out"})
        return "cancelled"
    provider = providers.get(row["channel"])
    if provider is None:  # configuration changed since the claim's query: leave it for later
        await _finish(message_id, token, {OutboxMessage.status: "queued"})
        return "queued"
    attempts = row["attempts"] + 1
    try:
        provider_id = await provider.send(Outgoing(row["id"], row["channel"], row["to_address"], row["to_name"],
                                                   row["subject"], row["body"]))
    except DeliveryError as exc:
        if exc.permanent or attempts >= settings.message_max_attempts:
            await _finish(message_id, token, {OutboxMessage.status: "failed", OutboxMessage.attempts: attempts,
                                              OutboxMessage.last_error: exc.reason})
            log.warning("message %s failed: %s", message_id, exc.reason)
            return "failed"
        await _finish(message_id, token, {
            OutboxMessage.status: "queued", OutboxMessage.attempts: attempts, OutboxMessage.last_error: exc.reason,
            OutboxMessage.next_attempt_at: clock.now() + backoff(attempts, settings.message_retry_seconds)})
        return "queued"
    done = {OutboxMessage.status: "sent", OutboxMessage.attempts: attempts, OutboxMessage.sent_at: clock.now(),
            OutboxMessage.provider_id: provider_id, OutboxMessage.last_error: ""}
    if row["kind"] in wording.STAFF_KINDS:  # a password link is kept only until it is on its way
        done[OutboxMessage.body] = wording.redact(row["body"])
    await _finish(message_id, token, done)
    return "sent"


async def send_due(settings: Any, providers: dict[str, Provider] | None = None, most: int | None = None,
                   concurrency: int = CONCURRENCY) -> dict[str, int]:
    """Deliver every due message of the configured channels (at most `most`), `concurrency` at a time;
    returns counts by outcome."""
    own = providers is None
    providers = providers_for(settings) if providers is None else providers
    outcome: dict[str, int] = {}
    if not providers:
        return outcome
    await release_stale()
    done = 0
    after = 0  # a cursor: each message is tried at most once a round (a retry waits for a later round)
    gate = asyncio.Semaphore(concurrency)

    async def one(message_id: int) -> None:
        nonlocal done
        async with gate:
            status = await deliver_one(message_id, providers, settings)
        if status is not None:
            outcome[status] = outcome.get(status, 0) + 1
            done += 1

    try:
        while most is None or done < most:
            query = OutboxMessage.select(OutboxMessage.id).where(
                (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= clock.now())
                & OutboxMessage.channel.is_in(list(providers)) & (OutboxMessage.id > after)
            ).order_by(OutboxMessage.id).limit(BATCH if most is None else min(BATCH, most - done))
            ids = [row["id"] for row in await query]
            if not ids:
                break
            after = ids[-1]
            await asyncio.gather(*(one(message_id) for message_id in ids))
    finally:
        if own:
            for provider in providers.values():
                await provider.close()
    return outcome


@jobs.job(SEND_JOB)
async def send_job(ctx: jobs.JobContext | None) -> None:
    """Deliver what is due (deferred after a message is queued)."""
    if ctx is not None and ctx.settings is not None:
        await send_due(ctx.settings)


@jobs.periodic("messages.send_due", every=dt.timedelta(minutes=1), first_after=dt.timedelta(seconds=20))
async def send_periodic(ctx: jobs.JobContext | None) -> None:
    """Retries and anything a kick missed, every minute."""
    await send_job(ctx)
