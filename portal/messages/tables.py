"""Tables of the messages feature. No foreign keys to features (messages sit below them): a message names
the record that caused it (`record_type`, `record_id`) and the event it belongs to, as plain values."""

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox_message"):
    """One message to one address on one channel; the sender moves it queued -> sending -> sent, or back to
    queued with a later `next_attempt_at` after a failure, or to failed after the last try."""

    channel = Varchar(length=10, index=True)  # sms, email
    to_address = Varchar(length=254, index=True)  # E.164 phone or email
    to_name = Varchar(length=200, default="")
    language = Varchar(length=5, default="bn")
    kind = Varchar(length=40, index=True)  # ticket, invitation, waitlist_promoted, reminder, certificate, custom
    subject = Varchar(length=300, default="")
    body = Text(default="")
    parts = Integer(default=1)  # SMS parts (the cost); 1 for email
    status = Varchar(length=12, default="queued", index=True)  # queued, sending, sent, failed, cancelled
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claim = Varchar(length=32, default="")  # the sender's claim while sending
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=500, default="")
    provider_id = Varchar(length=200, default="")
    # Unique when set: the same reason never queues a second message (a reminder per registration and day).
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    record_type = Varchar(length=40, default="")
    record_id = Integer(null=True, default=None, index=True)
    event_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class MessageTemplate(Table, tablename="message_template"):
    """An admin's wording of one kind of message in one language and channel; without a row the built-in
    wording (translated through the catalogue) is used."""

    kind = Varchar(length=40, index=True)
    language = Varchar(length=5)
    channel = Varchar(length=10)
    subject = Varchar(length=300, default="")
    body = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=200, default="")


class Contact(Table, tablename="message_contact"):
    """What a person at one address agreed to: consent (when, how), opt-out (when, how) and the language
    their messages go out in. `stop_token` is the secret of their STOP link."""

    address = Varchar(length=254, unique=True)
    language = Varchar(length=5, default="")
    consent = Boolean(default=False)
    consent_at = Timestamptz(null=True, default=None)
    consent_source = Varchar(length=100, default="")
    opted_out_at = Timestamptz(null=True, default=None)
    opt_out_via = Varchar(length=40, default="")
    stop_token = Varchar(length=32, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
