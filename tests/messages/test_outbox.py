"""The outbox: written with the change that causes it, delivered once by the sender, retried with back-off,
failed with the provider's reason, and never sent to someone who opted out."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from portal.core import audit
from portal.events import notify
from portal.events.registrations import services as registrations
from portal.messages import outbox, sender
from portal.messages.providers import DeliveryError, Outgoing, Provider
from portal.messages.tables import Contact, OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


class Recorder(Provider):
    """A provider that records what it sends; fails the first `failures` tries of each message."""

    def __init__(self, channel: str = "sms", failures: int = 0, permanent: bool = False, delay: float = 0) -> None:
        self.channel = channel
        self.failures = failures
        self.permanent = permanent
        self.delay = delay
        self.sent: list[Outgoing] = []
        self.tries: dict[int, int] = {}

    async def send(self, message: Outgoing) -> str:
        self.tries[message.id] = self.tries.get(message.id, 0) + 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.tries[message.id] <= self.failures:
            raise DeliveryError("503 gateway busy", permanent=self.permanent)
        self.sent.append(message)
        return f"id-{message.id}"


async def _messages(**where) -> list[dict]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return await query


async def test_registration_queues_ticket_by_sms_and_email_in_the_persons_language(settings, db):
    outbox.configure("https://portal.example")
    event_id = await factories.make_event(title="District workshop Sylhet", venue="DC office")
    person = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", email="rahima@example.org")
    result = await registrations.register(event_id, person, ACTOR)
    rows = await _messages()
    assert [(r["channel"], r["kind"], r["language"], r["status"]) for r in rows] == [
        ("sms", "ticket", "bn", "queued"), ("email", "ticket", "bn", "queued")]
    assert f"https://portal.example/t/{result['ticket_token']}" in rows[0]["body"]
    assert rows[0]["record_type"] == "registration" and rows[0]["record_id"] == result["id"]
    assert rows[1]["subject"] and "রহিমা বেগম" in rows[1]["body"] and "/m/stop/" in rows[1]["body"]
    assert rows[0]["parts"] >= 1
    english = await factories.make_person(name="John Smith")
    await registrations.register(event_id, english, ACTOR)
    assert (await _messages(record_id=2))[0]["language"] == "en"


async def test_draft_event_and_waitlist_send_nothing_then_promotion_sends_the_seat(settings, db):
    draft = await factories.make_event(status="draft")
    await registrations.register(draft, await factories.make_person(), ACTOR)
    assert await _messages() == []
    event_id = await factories.make_event(capacity=1)
    first = await registrations.register(event_id, await factories.make_person(), ACTOR)
    waiting = await registrations.register(event_id, await factories.make_person(), ACTOR)
    assert waiting["status"] == "waitlisted"
    assert [r["kind"] for r in await _messages()] == ["ticket"]
    await registrations.cancel(first["id"], event_id, ACTOR)
    rows = await _messages(record_id=waiting["id"])
    assert [r["kind"] for r in rows] == ["waitlist_promoted"]


async def test_invitation_carries_accept_and_decline_links(settings, db):
    outbox.configure("https://portal.example")
    event_id = await factories.make_event()
    result = await registrations.register(event_id, await factories.make_person(), ACTOR, status="invited")
    (row,) = await _messages()
    assert row["kind"] == "invitation"
    token = result["ticket_token"]
    assert f"/t/{token}/rsvp?answer=yes" in row["body"] and f"/t/{token}/rsvp?answer=no" in row["body"]


async def test_message_and_registration_commit_together(settings, db, monkeypatch):
    event_id = await factories.make_event()
    original = notify.registered

    async def queue_then_fail(*args, **kwargs):
        await original(*args, **kwargs)
        assert await OutboxMessage.count() == 1  # written, inside the transaction
        raise RuntimeError("the change fails after its message was written")

    monkeypatch.setattr(notify, "registered", queue_then_fail)
    with pytest.raises(RuntimeError):
        await registrations.register(event_id, await factories.make_person(), ACTOR)
    assert await OutboxMessage.count() == 0
    assert await registrations.counts(event_id) == {"invited": 0, "registered": 0, "waitlisted": 0, "cancelled": 0}


async def _queue(n: int, channel: str = "sms") -> list[int]:
    ids = []
    for i in range(n):
        ids.append(await outbox.enqueue("ticket", channel=channel, to=f"+88017110{i:05d}", language="en",
                                        values={"event": "E", "date": "1 Jan", "link": "L"},
                                        consent_source="tests"))
    return ids


async def test_two_senders_at_once_send_each_message_exactly_once(settings, db):
    ids = await _queue(30)
    provider = Recorder(delay=0.001)
    first, second = await asyncio.gather(sender.send_due(settings, {"sms": provider}),
                                         sender.send_due(settings, {"sms": provider}))
    assert sorted(m.id for m in provider.sent) == ids
    assert first.get("sent", 0) + second.get("sent", 0) == 30
    assert {r["status"] for r in await _messages()} == {"sent"}
    assert (await _messages())[0]["provider_id"] == f"id-{ids[0]}"
    # Nothing left: a third run sends nothing again.
    assert await sender.send_due(settings, {"sms": provider}) == {}
    assert len(provider.sent) == 30


def _about(delta: dt.timedelta, seconds: float) -> bool:
    return abs(delta.total_seconds() - seconds) < 2


async def test_a_failing_gateway_is_retried_with_backoff_then_recovers(settings, db, clock):
    (message_id,) = await _queue(1)
    provider = Recorder(failures=2)
    assert await sender.send_due(settings, {"sms": provider}) == {"queued": 1}
    row = (await _messages())[0]
    assert row["attempts"] == 1 and row["last_error"] == "503 gateway busy"
    assert _about(row["next_attempt_at"] - clock.now(), 60)
    assert await sender.send_due(settings, {"sms": provider}) == {}  # not due yet
    clock.move_to(clock.now() + dt.timedelta(seconds=60))
    assert await sender.send_due(settings, {"sms": provider}) == {"queued": 1}
    row = (await _messages())[0]
    assert _about(row["next_attempt_at"] - clock.now(), 120)  # doubled
    clock.move_to(clock.now() + dt.timedelta(seconds=120))
    assert await sender.send_due(settings, {"sms": provider}) == {"sent": 1}
    row = (await _messages())[0]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, "")
    assert [m.id for m in provider.sent] == [message_id]


async def test_failed_after_the_last_try_with_the_providers_reason_and_sent_again_by_staff(settings, db, clock):
    settings = dataclasses.replace(settings, message_max_attempts=3)
    (message_id,) = await _queue(1)
    provider = Recorder(failures=99)
    for _ in range(3):
        await sender.send_due(settings, {"sms": provider})
        clock.move_to(clock.now() + dt.timedelta(hours=7))
    row = (await _messages())[0]
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 3, "503 gateway busy")
    assert provider.tries[message_id] == 3
    await outbox.retry(message_id, ACTOR)
    assert (await _messages())[0]["status"] == "queued"
    provider.failures = 0
    assert await sender.send_due(settings, {"sms": provider}) == {"sent": 1}
    with pytest.raises(outbox.RetryRefused):
        await outbox.retry(message_id, ACTOR)


async def test_a_permanent_refusal_fails_at_once(settings, db):
    await _queue(1)
    assert await sender.send_due(settings, {"sms": Recorder(failures=1, permanent=True)}) == {"failed": 1}


async def test_a_channel_without_provider_keeps_its_messages_queued(settings, db):
    await _queue(2, channel="email")
    assert await sender.send_due(settings, {"sms": Recorder()}) == {}
    assert await sender.send_due(settings, {}) == {}
    assert {r["status"] for r in await _messages()} == {"queued"}


async def test_a_sender_that_died_mid_send_is_released_after_a_while(settings, db, clock):
    (message_id,) = await _queue(1)
    await OutboxMessage.update({OutboxMessage.status: "sending", OutboxMessage.claim: "dead",
                                OutboxMessage.claimed_at: clock.now()}).where(OutboxMessage.id == message_id)
    provider = Recorder()
    assert await sender.send_due(settings, {"sms": provider}) == {}
    clock.move_to(clock.now() + sender.STALE_CLAIM + dt.timedelta(seconds=1))
    assert await sender.send_due(settings, {"sms": provider}) == {"sent": 1}


async def test_opt_out_cancels_queued_messages_and_stops_new_ones(settings, db):
    (message_id,) = await _queue(1)
    contact = await Contact.select().first()
    await outbox.opt_out(contact["stop_token"], "link")
    row = (await _messages())[0]
    assert (row["status"], row["last_error"]) == ("cancelled", "opted out")
    assert await _queue(1) == [None]
    with pytest.raises(outbox.RetryRefused):
        await outbox.retry(message_id, ACTOR)
    from portal.core.tables import AuditEntry
    assert await AuditEntry.count().where(AuditEntry.action == "contact.opt_out") == 1


async def test_no_consent_recorded_sends_nothing(settings, db):
    assert await outbox.enqueue("ticket", channel="sms", to="+8801711000001", language="en", values={}) is None
    assert await OutboxMessage.count() == 0


async def test_reminder_the_day_before_is_queued_once(settings, db, clock):
    today = clock.now().astimezone(settings.tz).date()
    event_id = await factories.make_event(start_date=today + dt.timedelta(days=1))
    other = await factories.make_event(start_date=today + dt.timedelta(days=2))
    for _ in range(3):
        await registrations.register(event_id, await factories.make_person(), ACTOR)
    await registrations.register(other, await factories.make_person(), ACTOR)
    assert await notify.remind(today) == 3
    assert await notify.remind(today) == 0
    assert len(await _messages(kind="reminder")) == 3


async def test_a_certificate_issued_queues_its_message_once(settings, db, create_user):
    from portal.certificates import issue

    outbox.configure("https://portal.example")
    coordinator = await create_user("coordinator")
    event_id, sessions = await factories.make_event_with_sessions(days=1, status="completed", title="ToT")
    person = await factories.make_person(name="Abdullah Rahman", email="abdullah@example.org")
    registration_id = await factories.make_registration(event_id, person, attend=sessions)
    certificate, created = await issue.issue_one(coordinator, event_id, registration_id)
    assert created
    rows = await _messages(kind="certificate")
    assert [r["channel"] for r in rows] == ["sms", "email"]
    assert f"https://portal.example/verify/{certificate['code']}" in rows[1]["body"]
    assert "https://portal.example/t/" in rows[0]["body"]
    await issue.issue_one(coordinator, event_id, registration_id)  # idempotent: nothing new
    assert len(await _messages(kind="certificate")) == 2
