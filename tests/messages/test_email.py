"""Email over SMTP (aiosmtplib) into a real SMTP server process (aiosmtpd): what arrives, login, STARTTLS and
implicit TLS, a refused address, and a server that fails for a while and recovers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress

import pytest

from portal.core import audit
from portal.events.registrations import services as registrations
from portal.messages import outbox, sender
from portal.messages.tables import OutboxMessage
from tests import factories
from tests.messages.conftest import start_smtp

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


def _mail_settings(settings, port: int, **changes):
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="portal@programme.example",
                               **changes)


async def test_ticket_email_arrives_in_the_persons_language(settings, db, smtp_server):
    outbox.configure("https://portal.example")
    settings = _mail_settings(settings, smtp_server.port)
    event_id = await factories.make_event(title="জেলা কর্মশালা, সিলেট", venue="ডিসি অফিস")
    person = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", email="rahima@example.org",
                                         phone=None)
    result = await registrations.register(event_id, person, ACTOR)
    assert await sender.send_due(settings) == {"sent": 1}
    ((message, envelope),) = smtp_server.received()
    assert envelope["rcpt_tos"] == ["rahima@example.org"]
    assert envelope["mail_from"] == "portal@programme.example"
    assert message["Subject"] == "আপনার টিকিট: জেলা কর্মশালা, সিলেট"
    assert "Rahima Begum" in message["To"]
    body = message.get_content()
    assert "প্রিয় রহিমা বেগম" in body and f"https://portal.example/t/{result['ticket_token']}" in body
    assert "https://portal.example/m/stop/" in body
    row = await OutboxMessage.select().first()
    assert row["status"] == "sent" and row["provider_id"] == message["Message-ID"]
    assert await sender.send_due(settings) == {}
    assert len(smtp_server.received()) == 1


async def test_refused_address_fails_at_once_with_the_servers_reason(settings, db, smtp_server):
    settings = _mail_settings(settings, smtp_server.port)
    await outbox.enqueue("ticket", channel="email", to="refuse.me@example.org", language="en", values={},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"failed": 1}
    row = await OutboxMessage.select().first()
    assert row["status"] == "failed" and "550" in row["last_error"] and "Mailbox unavailable" in row["last_error"]
    assert smtp_server.received() == []


async def test_a_server_that_fails_for_a_while_then_recovers_delivers_once(settings, db, tmp_path, clock):
    server = start_smtp(tmp_path / "flaky", "--fail-first", "2")
    try:
        settings = _mail_settings(settings, server.port)
        await outbox.enqueue("ticket", channel="email", to="a@example.org", language="en", values={},
                             consent_source="tests")
        assert await sender.send_due(settings) == {"queued": 1}
        assert "451" in (await OutboxMessage.select().first())["last_error"]
        clock.move_to(clock.now() + dt.timedelta(minutes=1, seconds=1))
        assert await sender.send_due(settings) == {"queued": 1}
        clock.move_to(clock.now() + dt.timedelta(minutes=2, seconds=1))
        assert await sender.send_due(settings) == {"sent": 1}
        assert len(server.received()) == 1
        assert (await OutboxMessage.select().first())["attempts"] == 3
    finally:
        server.stop()


async def test_no_server_listening_is_a_temporary_failure(settings, db):
    from tests.helpers import free_port

    settings = _mail_settings(settings, free_port())
    await outbox.enqueue("ticket", channel="email", to="a@example.org", language="en", values={},
                         consent_source="tests")
    assert await sender.send_due(settings) == {"queued": 1}
    assert (await OutboxMessage.select().first())["last_error"]


def _self_signed(folder) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # OpenSSL checks a certificate against the operating system's clock, not the portal's injected one,
    # so its validity is built around the real now: the test passes on any date either way.
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
async def test_tls_and_login(settings, db, tmp_path, monkeypatch, mode):
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts the test's own certificate authority
    extra = ["--implicit"] if mode == "tls" else []
    server = start_smtp(tmp_path / mode, "--cert", cert, "--key", key, "--user", "portal", "--password", "s3cret",
                        *extra)
    try:
        good = _mail_settings(settings, server.port, smtp_tls=mode, smtp_user="portal", smtp_password="s3cret")
        await outbox.enqueue("ticket", channel="email", to="a@example.org", language="en", values={},
                             consent_source="tests")
        outcome = await sender.send_due(good)
        assert outcome == {"sent": 1}, (await OutboxMessage.select().first())["last_error"]
        ((_, envelope),) = server.received()
        assert envelope["tls"] is True and envelope["auth"] is True
        wrong = dataclasses.replace(good, smtp_password="wrong")
        await outbox.enqueue("ticket", channel="email", to="b@example.org", language="en", values={},
                             consent_source="tests")
        outcome = await sender.send_due(wrong)
        row = await OutboxMessage.select().where(OutboxMessage.to_address == "b@example.org").first()
        assert outcome == {"failed": 1}, row["last_error"]  # 535: the login is refused, trying again will not help
        row = await OutboxMessage.select().where(OutboxMessage.to_address == "b@example.org").first()
        assert "535" in row["last_error"]
    finally:
        server.stop()
