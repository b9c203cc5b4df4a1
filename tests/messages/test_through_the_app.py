"""Through the running app: an organizer registers a person, the app's own job queue delivers the ticket by SMS
to the local gateway and by email to the SMTP server process, without anyone running the sender by hand."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from portal.core import jobs
from portal.messages.outbox import SEND_JOB
from portal.messages.tables import OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings, smtp_server, gateway):
    """This test's settings with the SMTP server and the gateway as providers."""
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                               smtp_from="portal@programme.example", sms_url=gateway.url)


async def test_registering_someone_delivers_their_ticket(client, create_user, login, smtp_server, gateway):
    await login(client, await create_user("coordinator"))
    event_id = await factories.make_event(title="District workshop, Khulna")
    person = await factories.make_person(name="Karim Sheikh", email="karim@example.org")
    response = await client.post(f"/manage/events/{event_id}/registrations", data={"participant_id": str(person)})
    assert response.status_code == 303
    await jobs.current().wait(SEND_JOB)
    for _ in range(50):  # the job was deferred after the commit; it may still be starting
        if await OutboxMessage.count().where(OutboxMessage.status == "sent") == 2:
            break
        await asyncio.sleep(0.05)
        await jobs.current().wait(SEND_JOB)
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 2
    ((message, _),) = smtp_server.received()
    assert message["Subject"] == "Your ticket: District workshop, Khulna"
    (request,) = gateway.requests
    assert "District workshop, Khulna" in request["params"]["text"]
    assert "http://testserver.local/t/" in request["params"]["text"]
