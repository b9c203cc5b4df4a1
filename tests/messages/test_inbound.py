"""The gateway's callbacks (/m/sms/inbound): a STOP reply (or বন্ধ, any case, any spaces) opts the number out
everywhere and is audited; other replies and unknown numbers are ignored with a 2xx; a wrong or missing
secret is refused with 403, a body the portal cannot read with 400; a delivery report of a failure marks the
message failed."""

from __future__ import annotations

import dataclasses

import pytest

from portal.core import audit
from portal.core.tables import AuditEntry
from portal.events.registrations import services as registrations
from portal.events.tables import Participant
from portal.messages import inbound, sender
from portal.messages.tables import Contact, OutboxMessage
from portal.settings import Settings
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")
SECRET = "gateway-shared-secret-0123456789"
URL = "/m/sms/inbound"


@pytest.fixture
def with_secret(app, settings):
    app.state.settings = dataclasses.replace(settings, sms_inbound_secret=SECRET)
    return app.state.settings


async def _registered(phone: str) -> tuple[int, int]:
    event_id = await factories.make_event(title="Union workshop")
    person = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", phone=phone)
    await registrations.register(event_id, person, ACTOR)
    return event_id, person


def test_the_secret_comes_from_the_environment():
    env = {"PORTAL_DATA_DIR": "/tmp/messages-settings", "PORTAL_SECRET_KEY": "x" * 40}
    assert Settings.from_env(env).sms_inbound_secret == ""
    assert Settings.from_env({**env, "PORTAL_SMS_INBOUND_SECRET": f" {SECRET} "}).sms_inbound_secret == SECRET
    assert not inbound.secret_matches("", "")  # none configured: nothing matches, not even an empty secret


@pytest.mark.parametrize("text", ["STOP", " s t o P ", "stop\n", "বন্ধ", " বন্ধ "])
def test_stop_words(text):
    assert inbound.is_stop(text)


@pytest.mark.parametrize("text", ["", "stopp", "don't stop", "yes", "বন্ধু"])
def test_not_stop_words(text):
    assert not inbound.is_stop(text)


async def test_a_stop_reply_opts_the_number_out_everywhere_and_is_audited(client, with_secret):
    await _registered("+8801711234567")
    assert await OutboxMessage.count().where(OutboxMessage.status == "queued") == 1
    answer = await client.post(URL, data={"from": "8801711234567", "text": " s T o p "},
                               headers={"X-Portal-Secret": SECRET})
    assert answer.status_code == 200 and answer.json() == {"result": "opted_out"}
    contact = await Contact.select().where(Contact.address == "+8801711234567").first()
    assert contact["opted_out_at"] is not None and contact["opt_out_via"] == "sms reply"
    assert (await OutboxMessage.select().first())["status"] == "cancelled"
    entry = await AuditEntry.select().where(AuditEntry.action == "contact.opt_out").first()
    assert entry["actor"] == "SMS reply STOP"
    # Respected everywhere: a registration elsewhere queues nothing for the number, the sender sends nothing.
    other = await factories.make_event(title="Another workshop")
    person = (await Contact.select(Contact.address).first())["address"]
    row = await Participant.select(Participant.id).where(Participant.phone == person).first()
    await registrations.register(other, row["id"], ACTOR)
    assert await OutboxMessage.count().where(OutboxMessage.status == "queued") == 0
    again = await client.post(URL, data={"from": "+8801711234567", "text": "STOP"}, headers={"X-Portal-Secret": SECRET})
    assert again.json() == {"result": "already"}


async def test_bangla_stop_as_json_and_the_secret_in_the_url(client, with_secret, gateway):
    await _registered("+8801711234568")
    answer = await client.post(f"{URL}?secret={SECRET}", json={"from": "01711-234568", "text": "বন্ধ"})
    assert answer.status_code == 200 and answer.json() == {"result": "opted_out"}
    settings = dataclasses.replace(with_secret, sms_url=gateway.url)
    assert await sender.send_due(settings) == {}
    assert gateway.requests == []


async def test_other_replies_and_unknown_numbers_are_ignored_with_2xx(client, with_secret):
    await _registered("+8801711234569")
    for data in ({"from": "+8801711234569", "text": "Thank you"}, {"from": "+8801899999999", "text": "STOP"}):
        answer = await client.post(URL, data=data, headers={"X-Portal-Secret": SECRET})
        assert answer.status_code == 200 and answer.json() == {"result": "ignored"}
    get = await client.get(URL, params={"secret": SECRET, "from": "+8801899999999", "text": "STOP"})
    assert get.status_code == 200 and get.json() == {"result": "ignored"}
    assert not await Contact.exists().where(Contact.opted_out_at.is_not_null())


async def test_a_wrong_or_missing_secret_is_refused(client, app, settings, with_secret):
    await _registered("+8801711234570")
    stop = {"from": "+8801711234570", "text": "STOP"}
    assert (await client.post(URL, data=stop)).status_code == 403
    assert (await client.post(URL, data=stop, headers={"X-Portal-Secret": "wrong"})).status_code == 403
    assert (await client.post(f"{URL}?secret=wrong", data=stop)).status_code == 403
    app.state.settings = dataclasses.replace(settings, sms_inbound_secret="")  # none configured: all refused
    assert (await client.post(URL, data=stop, headers={"X-Portal-Secret": ""})).status_code == 403
    assert not await Contact.exists().where(Contact.opted_out_at.is_not_null())


@pytest.mark.parametrize(("body", "kind"), [
    ({"text": "STOP"}, "form"),
    ({"from": "not a number", "text": "STOP"}, "form"),
    ({"from": "+8801711234571", "text": "x" * 2000}, "form"),
    ([1, 2], "json"),
    ({"from": ["+8801711234571"], "text": "STOP"}, "json"),
    ("{not json", "raw"),
])
async def test_a_body_the_portal_cannot_read_is_400(client, with_secret, body, kind):
    headers = {"X-Portal-Secret": SECRET}
    if kind == "form":
        answer = await client.post(URL, data=body, headers=headers)
    elif kind == "json":
        answer = await client.post(URL, json=body, headers=headers)
    else:
        answer = await client.post(URL, content=body, headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code == 400 and "error" in answer.json()


async def test_a_delivery_report_of_a_failure_marks_the_message_failed(client, with_secret, gateway):
    await _registered("+8801711234572")
    assert await sender.send_due(dataclasses.replace(with_secret, sms_url=gateway.url,
                                                     sms_success=r"^1701\|(\w+)")) == {"sent": 1}
    provider_id = (await OutboxMessage.select().first())["provider_id"]
    noted = await client.post(URL, data={"id": provider_id, "status": "DELIVERED"}, headers={"X-Portal-Secret": SECRET})
    assert noted.json() == {"result": "noted"}
    failed = await client.post(URL, data={"id": provider_id, "status": "Undelivered"},
                               headers={"X-Portal-Secret": SECRET})
    assert failed.json() == {"result": "failed"}
    row = await OutboxMessage.select().first()
    assert (row["status"], row["last_error"]) == ("failed", "gateway report: Undelivered")
