"""Bulk send from an event: the preview counts people, channels and SMS parts before anything is sent; the
job queues one message per person and channel, a job run again after a restart queues only what is
missing, and the gateway gets exactly one SMS per person."""

from __future__ import annotations

import dataclasses

import pytest

from portal.core import audit
from portal.events.messaging import services as messaging
from portal.events.registrations import services as registrations
from portal.messages import sender, sms
from portal.messages.tables import OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


async def _event_with_people(n: int, **event) -> tuple[int, list[int]]:
    event_id = await factories.make_event(title="District workshop Sylhet", **event)
    ids = []
    for i in range(n):
        person = await factories.make_person(name=f"Person {i:03d}", name_bn="ব্যক্তি" if i % 2 else "")
        ids.append(await factories.make_registration(event_id, person))  # straight into the table: no ticket yet
    return event_id, ids


async def test_preview_counts_people_channels_and_parts(settings, db):
    event_id, ids = await _event_with_people(12)
    preview = await messaging.preview(event_id, "reminder", "not_sent")
    assert (preview["people"], preview["sms"], preview["email"]) == (12, 12, 0)
    assert preview["by_language"] == {"en": 6, "bn": 6}
    assert set(preview["samples"]) == {"bn", "en"}
    assert preview["parts"] == 6 * preview["samples"]["en"]["parts"] + 6 * sms.parts(
        preview["samples"]["bn"]["sms"])
    assert await OutboxMessage.count() == 0  # a preview sends nothing


async def test_a_restarted_bulk_send_gives_everyone_exactly_one_message(settings, db, gateway):
    event_id, ids = await _event_with_people(40)
    batch = "restartbatch"
    # The first run dies after 15 people (a restart); the job runs again from the start.
    assert await messaging.queue_batch(event_id, "reminder", ids[:15], batch) == 15
    assert await messaging.queue_batch(event_id, "reminder", ids, batch) == 25
    assert await messaging.queue_batch(event_id, "reminder", ids, batch) == 0
    progress = await messaging.progress(event_id, batch)
    assert (progress["total"], progress["queued"]) == (40, 40)
    settings = dataclasses.replace(settings, sms_url=gateway.url)
    await sender.send_due(settings)
    numbers = [request["params"]["to"] for request in gateway.requests]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert (await messaging.progress(event_id, batch))["sent"] == 40
    # "Only those not sent it yet" now finds nobody.
    assert await messaging.recipients(event_id, "reminder", "not_sent") == []
    assert len(await messaging.recipients(event_id, "reminder", "all")) == 40


async def test_the_page_previews_then_sends_and_shows_each_persons_status(client, create_user, login):
    event_id, ids = await _event_with_people(5)
    await registrations.register(event_id, await factories.make_person(name="Invited One"), ACTOR, status="invited")
    await login(client, await create_user("organizer", districts=("khulna",)))
    page = await client.get(f"/manage/events/{event_id}/messages", params={"kind": "ticket", "audience": "not_sent"})
    assert page.status_code == 200
    assert "5 people" in page.text and "SMS parts in all" in page.text and "Send to 5 people" in page.text
    sent = await client.post(f"/manage/events/{event_id}/messages", data={"kind": "ticket", "audience": "not_sent"})
    assert sent.status_code == 303 and "batch=" in sent.headers["location"]
    from portal.core import jobs

    batch = sent.headers["location"].rsplit("batch=", 1)[1]
    await jobs.current().wait(f"{messaging.JOB}:{batch}")
    after = await client.get(sent.headers["location"])
    assert "This send: 5 messages" in after.text
    assert after.text.count("Queued") >= 5
    bad = await client.post(f"/manage/events/{event_id}/messages", data={"kind": "spam", "audience": "all"})
    assert bad.status_code == 422
    other = await factories.make_event(district="sylhet")
    assert (await client.get(f"/manage/events/{other}/messages")).status_code == 404


async def test_a_draft_event_sends_nothing(client, create_user, login):
    event_id, _ = await _event_with_people(2, status="draft")
    await login(client, await create_user("coordinator"))
    response = await client.post(f"/manage/events/{event_id}/messages", data={"kind": "ticket", "audience": "all"})
    assert response.status_code == 409
    assert await OutboxMessage.count() == 0
