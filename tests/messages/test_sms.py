"""SMS through the generic HTTP gateway adapter, against a local HTTP server that records each request; and
the part count (the cost): GSM-7 160/153, UCS-2 (Bangla) 70/67."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt

import pytest

from portal.core import audit
from portal.events.registrations import services as registrations
from portal.messages import outbox, sender, sms
from portal.messages.providers import format_number
from portal.messages.tables import OutboxMessage
from portal.settings import Settings, SettingsError
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


def _sms_settings(settings, url: str, **changes):
    return dataclasses.replace(settings, sms_url=url, **changes)


@pytest.mark.parametrize(("text", "encoding", "units", "parts"), [
    ("", "GSM-7", 0, 1),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("{" * 80, "GSM-7", 160, 1),  # an extension character takes two
    ("€" * 81, "GSM-7", 162, 2),
    ("আ" * 70, "UCS-2", 70, 1),
    ("আ" * 71, "UCS-2", 71, 2),
    ("আ" * 134, "UCS-2", 134, 2),
    ("আ" * 135, "UCS-2", 135, 3),
    ("a" * 69 + "আ", "UCS-2", 70, 1),  # one Bangla letter makes the whole message UCS-2
    ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two units each
])
def test_parts(text, encoding, units, parts):
    size = sms.size(text)
    assert (size.encoding, size.units, size.parts) == (encoding, units, parts)


def test_built_in_bangla_sms_fit_in_few_parts():
    from portal.messages import wording

    for kind, spec in wording.KINDS.items():
        text = wording.fill(wording.translate(spec.sms, "bn"), wording.SAMPLE_BN)
        assert sms.size(text).encoding == "UCS-2"
        # The 45-character link alone is two thirds of a Bangla part; each built-in text stays within two.
        assert sms.parts(text) <= 2 if kind != "invitation" else sms.parts(text) <= 3, (kind, text)


def test_number_formats():
    assert format_number("+8801711234567", "e164") == "+8801711234567"
    assert format_number("+8801711234567", "international") == "8801711234567"
    assert format_number("+8801711234567", "national") == "01711234567"


def test_settings_from_environment():
    env = {"PORTAL_DATA_DIR": "/tmp/messages-settings", "PORTAL_SECRET_KEY": "x" * 40,
           "PORTAL_SMS_URL": "https://sms.example/api", "PORTAL_SMS_METHOD": "get",
           "PORTAL_SMS_SUCCESS": r"^1701\|(\w+)",
           "PORTAL_SMTP_HOST": "mail.example", "PORTAL_SMTP_TLS": "starttls", "PORTAL_SMTP_FROM": "p@example.org"}
    settings = Settings.from_env(env)
    assert (settings.sms_method, settings.smtp_port, settings.sms_number_format) == ("GET", 587, "e164")
    for bad in ({"PORTAL_SMS_URL": "ftp://x"}, {"PORTAL_SMS_SUCCESS": "("}, {"PORTAL_SMTP_TLS": "ssl"},
                {"PORTAL_SMTP_HOST": "mail.example", "PORTAL_SMTP_FROM": ""}, {"PORTAL_SMS_METHOD": "PUT"},
                {"PORTAL_SMS_NUMBER_FORMAT": "local"}):
        with pytest.raises(SettingsError):
            Settings.from_env({**env, **bad})


async def test_ticket_sms_reaches_the_gateway_as_configured(settings, db, gateway):
    outbox.configure("https://portal.example")
    settings = _sms_settings(settings, gateway.url, sms_method="POST", sms_to_param="msisdn", sms_text_param="sms",
                             sms_sender_param="sid", sms_sender="PORTAL", sms_params="api_token=abc&type=unicode",
                             sms_user="portal", sms_password="pw", sms_success=r"^1701\|(\w+)",
                             sms_number_format="international")
    event_id = await factories.make_event(title="জেলা কর্মশালা")
    person = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", phone="+8801711234567")
    result = await registrations.register(event_id, person, ACTOR)
    assert await sender.send_due(settings) == {"sent": 1}
    (request,) = gateway.requests
    assert request["method"] == "POST" and request["path"] == "/api/sms/send"
    params = request["params"]
    assert params["msisdn"] == "8801711234567" and params["sid"] == "PORTAL"
    assert params["api_token"] == "abc" and params["type"] == "unicode"
    assert params["sms"].startswith("জেলা কর্মশালা") and f"https://portal.example/t/{result['ticket_token']}" in \
        params["sms"]
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"portal:pw").decode()
    row = await OutboxMessage.select().first()
    assert (row["status"], row["provider_id"]) == ("sent", "G00001")
    assert row["parts"] == sms.parts(params["sms"])


async def test_get_gateway_with_a_bearer_token(settings, db, gateway):
    settings = _sms_settings(settings, gateway.url, sms_method="GET", sms_token="tok")
    await outbox.enqueue("ticket", channel="sms", to="+8801711234567", language="en", values={"event": "E"},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"sent": 1}
    (request,) = gateway.requests
    assert request["method"] == "GET" and request["params"]["to"] == "+8801711234567"
    assert request["headers"]["Authorization"] == "Bearer tok"


async def test_a_gateway_answer_without_the_success_pattern_is_a_failure(settings, db, gateway):
    gateway.answer = "1002|Sender ID not allowed"
    settings = _sms_settings(settings, gateway.url, sms_success=r"^1701\|(\w+)")
    await outbox.enqueue("ticket", channel="sms", to="+8801711234567", language="en", values={},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"queued": 1}
    assert (await OutboxMessage.select().first())["last_error"] == "gateway answered: 1002|Sender ID not allowed"


async def test_a_refused_number_fails_at_once(settings, db, gateway):
    settings = _sms_settings(settings, gateway.url)
    await outbox.enqueue("ticket", channel="sms", to="+8801799999999", language="en", values={},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"failed": 1}
    assert (await OutboxMessage.select().first())["last_error"] == "HTTP 400: 1003|Invalid mobile number"


async def test_a_gateway_down_for_a_while_then_up_gets_every_message_once(settings, db, gateway, clock):
    gateway.fail_first = 5
    settings = _sms_settings(settings, gateway.url)
    for i in range(20):
        await outbox.enqueue("ticket", channel="sms", to=f"+88017112{i:05d}", language="en", values={},
                             consent_source="tests")
    first = await sender.send_due(settings)
    assert first == {"queued": 5, "sent": 15}
    clock.move_to(clock.now() + dt.timedelta(minutes=1, seconds=1))
    assert await sender.send_due(settings) == {"sent": 5}
    delivered = [r["params"]["to"] for r in gateway.requests[5:]]
    assert sorted(delivered) == sorted(f"+88017112{i:05d}" for i in range(20))
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 20


async def test_a_gateway_that_is_not_there_is_a_temporary_failure(settings, db):
    from tests.helpers import free_port

    settings = _sms_settings(settings, f"http://127.0.0.1:{free_port()}/send")
    await outbox.enqueue("ticket", channel="sms", to="+8801711234567", language="en", values={},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"queued": 1}
    assert "ConnectError" in (await OutboxMessage.select().first())["last_error"]
