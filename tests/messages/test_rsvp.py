"""Answering an invitation from its links: a page with a button (a link preview answers nothing), accept
queues the ticket, decline frees the seat for the first person waiting; a second answer is refused."""

from __future__ import annotations

import pytest

from portal.core import audit
from portal.core.tables import AuditEntry
from portal.events.registrations import services as registrations
from portal.messages.tables import OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


async def _post(client, url: str, answer: str):
    await client.get(url)
    return await client.post(url, data={"answer": answer, "_csrf_token": client.cookies["csrftoken"]})


async def test_accept_registers_and_sends_the_ticket(client):
    event_id = await factories.make_event(title="CSO platform meeting")
    invited = await registrations.register(event_id, await factories.make_person(), ACTOR, status="invited")
    url = f"/t/{invited['ticket_token']}/rsvp"
    page = await client.get(url + "?answer=yes")
    assert page.status_code == 200 and "Yes, I will come" in page.text and "CSO platform meeting" in page.text
    assert (await registrations.get_registration(invited["id"]))["status"] == "invited"  # a GET changes nothing
    done = await _post(client, url, "yes")
    assert done.status_code == 200 and "you are registered" in done.text
    assert (await registrations.get_registration(invited["id"]))["status"] == "registered"
    kinds = [r["kind"] for r in await OutboxMessage.select(OutboxMessage.kind).order_by(OutboxMessage.id)]
    assert kinds == ["invitation", "ticket"]
    again = await _post(client, url, "no")
    assert again.status_code == 409 and "already been answered" in again.text
    assert await AuditEntry.count().where(AuditEntry.action == "registration.rsvp") == 1


async def test_decline_frees_the_seat_for_the_first_waiting(client):
    event_id = await factories.make_event(capacity=1)
    invited = await registrations.register(event_id, await factories.make_person(), ACTOR, status="invited")
    waiting = await registrations.register(event_id, await factories.make_person(), ACTOR)
    assert waiting["status"] == "waitlisted"
    client.cookies["lang"] = "bn"
    page = await client.get(f"/t/{invited['ticket_token']}/rsvp?answer=no")
    assert "না, আমি আসতে পারব না" in page.text
    done = await _post(client, f"/t/{invited['ticket_token']}/rsvp", "no")
    assert done.status_code == 200
    assert (await registrations.get_registration(invited["id"]))["status"] == "cancelled"
    assert (await registrations.get_registration(waiting["id"]))["status"] == "registered"
    assert await OutboxMessage.exists().where((OutboxMessage.kind == "waitlist_promoted")
                                              & (OutboxMessage.record_id == waiting["id"]))


async def test_unknown_token_and_bad_answer(client):
    assert (await client.get("/t/no-such-token/rsvp")).status_code == 404
    event_id = await factories.make_event()
    invited = await registrations.register(event_id, await factories.make_person(), ACTOR, status="invited")
    bad = await _post(client, f"/t/{invited['ticket_token']}/rsvp", "maybe")
    assert bad.status_code == 422
