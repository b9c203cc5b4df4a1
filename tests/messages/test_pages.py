"""The outbox page (filters, paging, a message, send again, stop), the wording page and the STOP link."""

from __future__ import annotations

import pytest

from portal.core.tables import AuditEntry
from portal.messages import outbox
from portal.messages.tables import Contact, MessageTemplate, OutboxMessage

pytestmark = pytest.mark.anyio


async def _queue(n: int, channel: str = "sms", name: str = "") -> list[int]:
    return [await outbox.enqueue("ticket", channel=channel, to=f"+88017120{i:05d}" if channel == "sms"
                                 else f"p{i}@example.org", language="en", to_name=name or f"Person {i}",
                                 values={"event": "Workshop", "date": "1 Jan", "link": "https://x/t/abc"},
                                 consent_source="tests") for i in range(n)]


async def test_outbox_lists_filters_and_pages(client, create_user, login):
    ids = await _queue(120)
    await OutboxMessage.update({OutboxMessage.status: "failed", OutboxMessage.last_error: "HTTP 400: bad number"}
                               ).where(OutboxMessage.id == ids[5])
    await login(client, await create_user("coordinator"))
    page = await client.get("/manage/messages")
    assert page.status_code == 200
    assert "120 messages" in page.text and "Page 1 of 3" in page.text
    assert "No SMS gateway is configured" in page.text
    failed = await client.get("/manage/messages", params={"status": "failed"})
    assert "1 message" in failed.text and "HTTP 400: bad number" in failed.text and "Person 5" in failed.text
    found = await client.get("/manage/messages", params={"q": "Person 7"}, headers={"HX-Request": "true"})
    assert "<html" not in found.text and "Person 7" in found.text
    empty = await client.get("/manage/messages", params={"status": "sent"})
    assert "No message matches." in empty.text
    client.cookies["lang"] = "bn"
    bn = await client.get("/manage/messages")
    assert "বার্তা" in bn.text and "১২০" in bn.text


async def test_message_page_retry_and_stop(client, create_user, login):
    (message_id,) = await _queue(1)
    await login(client, await create_user("coordinator"))
    page = await client.get(f"/manage/messages/{message_id}")
    assert "https://x/t/abc" in page.text and "GSM-7" in page.text
    refused = await client.post(f"/manage/messages/{message_id}/retry")
    assert refused.status_code == 303
    assert "Only a failed" in (await client.get(refused.headers["location"])).text
    await OutboxMessage.update({OutboxMessage.status: "failed", OutboxMessage.attempts: 5}).where(
        OutboxMessage.id == message_id)
    done = await client.post(f"/manage/messages/{message_id}/retry")
    assert done.status_code == 303
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert (row["status"], row["attempts"]) == ("queued", 0)
    stopped = await client.post(f"/manage/messages/{message_id}/stop", data={"stopped": "1"})
    assert stopped.status_code == 303
    assert (await OutboxMessage.select().where(OutboxMessage.id == message_id).first())["status"] == "cancelled"
    assert await Contact.exists().where(Contact.opted_out_at.is_not_null())
    assert await AuditEntry.exists().where(AuditEntry.action == "message.retry")
    assert await client.get("/manage/messages/999999") is not None
    assert (await client.get("/manage/messages/999999")).status_code == 404


async def test_organizers_and_trainers_do_not_see_the_outbox(client, create_user, login):
    await login(client, await create_user("organizer"))
    assert (await client.get("/manage/messages")).status_code == 403


async def test_admin_rewords_a_message_and_the_next_one_uses_it(client, create_user, login):
    await login(client, await create_user("admin"))
    page = await client.get("/manage/message-templates")
    assert page.status_code == 200 and "Ticket after registration" in page.text
    bad = await client.post("/manage/message-templates", data={"kind": "ticket", "language": "bn", "channel": "sms",
                                                              "body": "{event} {oops}"})
    assert bad.status_code == 422 and "{oops}" in bad.text
    unclosed = await client.post("/manage/message-templates", data={"kind": "ticket", "language": "bn",
                                                                   "channel": "sms", "body": "{event"})
    assert unclosed.status_code == 422
    ok = await client.post("/manage/message-templates", data={"kind": "ticket", "language": "en", "channel": "sms",
                                                             "body": "Ticket for {event}: {link}"})
    assert ok.status_code == 303
    (message_id,) = await _queue(1)
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row["body"] == "Ticket for Workshop: https://x/t/abc"
    await client.post("/manage/message-templates", data={"kind": "ticket", "language": "en", "channel": "sms",
                                                         "body": ""})
    assert await MessageTemplate.count() == 0


async def test_stop_link_asks_then_stops(client):
    await _queue(1, channel="email")
    contact = await Contact.select().first()
    page = await client.get(f"/m/stop/{contact['stop_token']}")
    assert page.status_code == 200 and "Send me no more messages" in page.text
    token = client.cookies["csrftoken"]
    done = await client.post(f"/m/stop/{contact['stop_token']}", data={"_csrf_token": token})
    assert done.status_code == 200 and "no more messages" in done.text
    assert (await Contact.select().first())["opt_out_via"] == "link"
    assert (await client.get("/m/stop/unknown")).status_code == 404
