"""A session moved or cancelled, the place changed, the event cancelled: everyone registered (not cancelled,
consent on record, not opted out) is told in their language, in the change's own transaction, through the
real SMTP server and the local gateway."""

from __future__ import annotations

import dataclasses

import pytest

from portal.auth.services import CurrentUser
from portal.core import audit
from portal.core.errors import DomainError
from portal.events.management import services
from portal.events.registrations import services as registrations
from portal.messages import outbox, sender, sms, wording
from portal.messages.tables import Contact, OutboxMessage
from tests import factories
from tests.factories import DHAKA

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")
STAFF = CurrentUser(id=1, name="Coordinator", role="coordinator", email="c@example.org")


async def _world():
    """An event of two days; a Bangla-named person with email, an English one, one cancelled, one opted out,
    one without consent on record (added without the outbox knowing them)."""
    outbox.configure("https://portal.example")
    event_id, sessions = await factories.make_event_with_sessions(2, title="District workshop Sylhet",
                                                                  venue="DC office")
    bangla = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", email="rahima@example.org")
    english = await factories.make_person(name="John Smith")
    gone = await factories.make_person(name="Gone Person")
    stopped = await factories.make_person(name="Stopped Person")
    for person in (bangla, english, gone, stopped):
        made = await registrations.register(event_id, person, ACTOR)
    await registrations.cancel((await registrations.list_registrations(event_id, "Gone"))[0]["id"], event_id, ACTOR)
    stop_address = (await registrations.list_registrations(event_id, "Stopped"))[0]["phone"]
    await outbox.set_opt_out(stop_address, True, "staff", ACTOR)
    silent = await factories.make_registration(event_id)  # no consent recorded: never told
    assert made and silent
    await OutboxMessage.delete().where(OutboxMessage.id > 0)
    return event_id, sessions


async def _told(kind: str) -> list[tuple[str, str, str]]:
    rows = await OutboxMessage.select().where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return [(r["channel"], r["language"], r["to_name"]) for r in rows]


async def test_a_moved_session_tells_everyone_registered_in_their_language_and_arrives(
        settings, db, smtp_server, gateway):
    event_id, sessions = await _world()
    await services.update_session(event_id, sessions[1], {"title": "Day 2", "date": "2026-11-24", "start": "10:30",
                                                          "end": "16:00"}, STAFF, DHAKA)
    assert await _told("session_moved") == [("sms", "bn", "Rahima Begum"), ("email", "bn", "Rahima Begum"),
                                            ("sms", "en", "John Smith")]
    settings = dataclasses.replace(settings, sms_url=gateway.url, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                                   smtp_from="portal@programme.example")
    assert await sender.send_due(settings) == {"sent": 3}
    texts = sorted(r["params"]["text"] for r in gateway.requests)
    assert texts[0].startswith("District workshop Sylhet: Day 2 is now 24 Nov 10:30, DC office. https://portal.")
    assert "দিন ২" in texts[1] and "১০:৩০" in texts[1]
    ((message, envelope),) = smtp_server.received()
    assert envelope["rcpt_tos"] == ["rahima@example.org"] and "রহিমা বেগম" in message.get_content()
    # Renaming alone tells nobody.
    await services.update_session(event_id, sessions[1], {"title": "Field visit", "date": "2026-11-24",
                                                          "start": "10:30", "end": "16:00"}, STAFF, DHAKA)
    assert len(await _told("session_moved")) == 3


async def test_a_cancelled_session_the_new_place_and_the_cancelled_event(settings, db):
    event_id, sessions = await _world()
    await services.delete_session(event_id, sessions[0], STAFF, tz=DHAKA)
    assert [k[:2] for k in await _told("session_cancelled")] == [("sms", "bn"), ("email", "bn"), ("sms", "en")]
    english = (await OutboxMessage.select().where((OutboxMessage.kind == "session_cancelled")
                                                  & (OutboxMessage.language == "en")).first())["body"]
    assert english == "District workshop Sylhet: Day 1 on 23 Nov 09:00 is cancelled."
    event = await services.get_event(STAFF, event_id)
    form = {"kind": event["kind"], "title": event["title"], "district": event["district"], "venue": "Circuit House",
            "start_date": event["start_date"].isoformat(), "end_date": event["end_date"].isoformat(),
            "completion_percent": "100"}
    await services.update_event(event_id, form, STAFF, DHAKA)
    assert len(await _told("event_moved")) == 3
    assert "Circuit House" in (await OutboxMessage.select().where(OutboxMessage.kind == "event_moved").first())["body"]
    await services.update_event(event_id, {**form, "title": "Renamed"}, STAFF, DHAKA)  # same place: nobody told
    assert len(await _told("event_moved")) == 3
    await services.change_status(event_id, "cancelled", STAFF)
    assert len(await _told("event_cancelled")) == 3
    assert not await OutboxMessage.exists().where(OutboxMessage.to_name.is_in(["Gone Person", "Stopped Person"]))


async def test_a_draft_event_tells_nobody_and_a_refused_change_queues_nothing(settings, db):
    event_id, sessions = await _world()
    await factories.make_registration(event_id, attend=[sessions[0]])
    with pytest.raises(DomainError):  # the session has a check-in: refused, rolled back, nothing queued
        await services.delete_session(event_id, sessions[0], STAFF, tz=DHAKA)
    assert await OutboxMessage.count() == 0
    await services.change_status(event_id, "draft", STAFF)
    await services.change_status(event_id, "cancelled", STAFF)
    assert await OutboxMessage.count() == 0


async def test_the_wording_is_editable_and_the_bangla_fits_one_part(settings, db):
    event_id, sessions = await _world()
    await wording.save("event_cancelled", "en", "sms", "", "Sorry, {event} is off.", "admin")
    await services.change_status(event_id, "cancelled", STAFF)
    bodies = {r["language"]: r["body"] for r in await OutboxMessage.select().where(OutboxMessage.channel == "sms")}
    assert bodies["en"] == "Sorry, District workshop Sylhet is off."
    assert bodies["bn"].startswith("District workshop Sylhet") and "বাতিল" in bodies["bn"]
    assert await Contact.count() >= 4
    for kind in ("session_cancelled", "event_cancelled"):
        text = wording.fill(wording.translate(wording.KINDS[kind].sms, "bn"), wording.SAMPLE_BN)
        assert sms.parts(text) == 1, text
