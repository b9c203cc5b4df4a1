"""What an SMS gateway reports back (/m/sms/inbound): a person's reply, and a delivery report.

- A reply (`from` and `text`): STOP (or বন্ধ, "stop" in Bangla), in any case and with any spaces, from a
  number the outbox knows opts that person out: their queued messages are cancelled, nothing is queued for
  them again, and the change is audited (portal/messages/outbox.py). Any other reply, and a number the
  outbox never wrote to, is ignored (answered 2xx, so the gateway does not retry it).
- A delivery report (`id`, the gateway's message id, and `status`): a failure word marks that message failed
  with the gateway's status as its reason; anything else is noted as nothing to do.

The gateway proves it is ours with the shared secret PORTAL_SMS_INBOUND_SECRET (a header
`X-Portal-Secret`, or a `secret` parameter for gateways that can only be given a URL)."""

from __future__ import annotations

import hmac
import re
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError
from portal.core.phone import PhoneError, normalise_phone
from portal.messages import outbox
from portal.messages.tables import Contact, OutboxMessage

STOP_WORDS = {"stop", "বন্ধ"}
FAILED_WORDS = {"failed", "failure", "undelivered", "undeliverable", "rejected", "expired", "error"}
MAX_TEXT = 1600
_SPACE = re.compile(r"\s+")


class BadCallback(DomainError):
    """A callback the portal cannot read (400)."""

    status_code = 400


def secret_matches(expected: str, given: str | None) -> bool:
    """True when the callback carries the configured secret (never when none is configured)."""
    return bool(expected) and given is not None and hmac.compare_digest(expected.encode(), given.encode())


def is_stop(text: str) -> bool:
    """A reply that asks for no more messages: STOP or বন্ধ, any case, spaces anywhere."""
    return _SPACE.sub("", text).casefold() in STOP_WORDS


def _text(values: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = values.get(name)
        if value is not None:
            if not isinstance(value, str | int):
                raise BadCallback("bad_body", f"{name} must be text.")
            return str(value)
    return None


async def handle(values: dict[str, Any]) -> str:
    """Act on one callback; returns what was done: "opted_out", "already", "ignored", "failed" or "noted"."""
    sender = _text(values, "from", "msisdn", "sender")
    text = _text(values, "text", "message", "sms")
    report_id = _text(values, "id", "message_id")
    status = _text(values, "status")
    if sender is not None and text is not None:
        if len(text) > MAX_TEXT or len(sender) > 40:
            raise BadCallback("bad_body", "The reply is too long.")
        sender = sender.strip()
        if sender.isdigit() and sender.startswith("880"):  # the international style without its "+"
            sender = "+" + sender
        try:
            number = normalise_phone(sender)
        except PhoneError:
            raise BadCallback("bad_number", "from is not a phone number.") from None
        if not number or not is_stop(text):
            return "ignored"
        row = await Contact.select().where(Contact.address == number).first()
        if row is None:
            return "ignored"
        if row["opted_out_at"] is not None:
            return "already"
        await outbox.set_opt_out(number, True, "sms reply", audit.Actor.system("SMS reply STOP"))
        return "opted_out"
    if report_id is not None and status is not None:
        if not report_id.strip() or len(report_id) > 200 or len(status) > 100:
            raise BadCallback("bad_body", "A delivery report needs a short id and status.")
        if status.strip().casefold() not in FAILED_WORDS:
            return "noted"
        changed = await OutboxMessage.update({
            OutboxMessage.status: "failed", OutboxMessage.last_error: f"gateway report: {status.strip()}"[:500],
            OutboxMessage.updated_at: clock.now(),
        }).where((OutboxMessage.provider_id == report_id.strip()) & (OutboxMessage.channel == "sms")
                 & (OutboxMessage.status == "sent")).returning(OutboxMessage.id)
        return "failed" if changed else "ignored"
    raise BadCallback("bad_body", "Expected from and text (a reply) or id and status (a delivery report).")
