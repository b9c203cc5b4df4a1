"""What each kind of message says, per language and channel. The built-in wording is English text marked
for translation (its Bangla is in the catalogue); an admin can replace it (MessageTemplate rows). A wording
names its values in braces: {name}, {event}, {date}, {venue}, {link}, {yes}, {no}, {verify}, {stop}, {session}.
Staff messages (an account's invitation and a password reset) carry the one-time link in {link}."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from portal.core import clock
from portal.core.errors import ValidationFailed
from portal.core.i18n import N_, catalogue
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.messages import sms
from portal.messages.tables import MessageTemplate

LANGUAGES = ("bn", "en")
CHANNELS = ("sms", "email")
PLACEHOLDERS = ("name", "event", "date", "venue", "link", "yes", "no", "verify", "stop", "session")
# Kinds whose text carries a secret that opens a staff account: shown to admins only, redacted once sent.
STAFF_KINDS = ("staff_invitation", "staff_reset")


@dataclass(frozen=True)
class Kind:
    """A kind of message: its label and built-in wording (SMS text, email subject and body)."""

    label: str
    sms: str
    subject: str
    email: str


EMAIL_FOOTER = N_("To receive no more messages from the programme, open {stop}")

KINDS: dict[str, Kind] = {
    "ticket": Kind(
        N_("Ticket after registration"),
        N_("{event}, {date}. Your ticket: {link}"),
        N_("Your ticket: {event}"),
        N_("Dear {name},\n\nyou are registered for {event} on {date} at {venue}.\nYour ticket (show it at the "
           "door): {link}"),
    ),
    "invitation": Kind(
        N_("Invitation (accept or decline)"),
        N_("Invitation: {event}, {date}. Yes: {yes} No: {no}"),
        N_("Invitation: {event}"),
        N_("Dear {name},\n\nyou are invited to {event} on {date} at {venue}.\nAccept: {yes}\nDecline: {no}"),
    ),
    "waitlist_promoted": Kind(
        N_("A seat from the waitlist"),
        N_("A seat is yours: {event}, {date}. Ticket: {link}"),
        N_("A seat is yours: {event}"),
        N_("Dear {name},\n\na seat has become free and it is yours: {event} on {date} at {venue}.\n"
           "Your ticket: {link}"),
    ),
    "reminder": Kind(
        N_("Reminder the day before"),
        N_("Tomorrow: {event}, {venue}. Ticket: {link}"),
        N_("Tomorrow: {event}"),
        N_("Dear {name},\n\na reminder: {event} is tomorrow, {date}, at {venue}.\nYour ticket: {link}"),
    ),
    "certificate": Kind(
        N_("Certificate ready"),
        N_("Your certificate for {event}: {link}"),
        N_("Your certificate: {event}"),
        N_("Dear {name},\n\nyour certificate for {event} is ready. Download it from your page: {link}\n"
           "Anyone can check that it is genuine at: {verify}"),
    ),
    "session_moved": Kind(
        N_("A session moved"),
        N_("{event}: {session} is now {date}, {venue}. {link}"),
        N_("New time: {event}, {session}"),
        N_("Dear {name},\n\n{session} of {event} has moved. It is now on {date} at {venue}.\n"
           "Your ticket: {link}"),
    ),
    "session_cancelled": Kind(
        N_("A session cancelled"),
        N_("{event}: {session} on {date} is cancelled."),
        N_("Cancelled: {event}, {session}"),
        N_("Dear {name},\n\n{session} of {event} on {date} is cancelled. The other sessions go ahead.\n"
           "Your ticket: {link}"),
    ),
    "event_moved": Kind(
        N_("The place changed"),
        N_("{event}, {date}: new place {venue}. {link}"),
        N_("New place: {event}"),
        N_("Dear {name},\n\n{event} on {date} has moved to a new place: {venue}.\nYour ticket: {link}"),
    ),
    "event_cancelled": Kind(
        N_("An event cancelled"),
        N_("{event} on {date} is cancelled. We are sorry."),
        N_("Cancelled: {event}"),
        N_("Dear {name},\n\n{event} on {date} is cancelled. We are sorry for the trouble."),
    ),
    "staff_invitation": Kind(
        N_("Staff account: choose a password"),
        N_("Training portal: your account is ready. Choose a password (once, 3 days): {link}"),
        N_("Your account on the training portal"),
        N_("Hello {name},\n\nan account on the training portal was made for you. Open this link to choose your "
           "password (it works once, for 3 days):\n\n{link}"),
    ),
    "staff_reset": Kind(
        N_("Staff account: new password"),
        N_("Training portal: choose a new password (once, 3 days): {link}"),
        N_("Choose a new password for the training portal"),
        N_("Hello {name},\n\nopen this link to choose a new password (it works once, for 3 days):\n\n{link}\n\n"
           "If you did not ask for it, ignore this message: your password stays as it is."),
    ),
}


_ONE_TIME_LINK = re.compile(r"(/link/)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """`text` with a staff account's one-time link blanked out (kept once the message is sent)."""
    return _ONE_TIME_LINK.sub(r"\1(sent)", text)


def translate(text: str, language: str) -> str:
    """`text` in `language` (the catalogue's wording, else the English)."""
    if language == "en":
        return text
    translated = catalogue(language).get(text)
    return translated if isinstance(translated, str) else text


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict[str, Any]) -> str:
    """`text` with its {placeholders} replaced; an unknown one is left as it is."""
    return string.Formatter().vformat(text, (), _Keep({k: "" if v is None else str(v) for k, v in values.items()}))


_FIELD = re.compile(r"{([^{}]*)}")


def check(text: str) -> str | None:
    """Why an admin's wording cannot be used, or None."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return _("A brace is not closed: write values as {event}.")
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        return _("Unknown value {value}; use {allowed}.").format(
            value="{" + unknown[0] + "}", allowed=", ".join("{" + p + "}" for p in PLACEHOLDERS))
    return None


async def overrides() -> dict[tuple[str, str, str], dict[str, Any]]:
    """The admin's wordings by (kind, language, channel)."""
    rows = await MessageTemplate.select()
    return {(r["kind"], r["language"], r["channel"]): r for r in rows}


async def wording(kind: str, language: str, channel: str) -> tuple[str, str]:
    """(subject, body) for a kind in a language and channel: the admin's, else the built-in one."""
    row = await MessageTemplate.select().where(
        (MessageTemplate.kind == kind) & (MessageTemplate.language == language) & (MessageTemplate.channel == channel)
    ).first()
    if row is not None:
        return row["subject"], row["body"]
    spec = KINDS[kind]
    if channel == "sms":
        return "", translate(spec.sms, language)
    body = translate(spec.email, language) + "\n\n" + translate(EMAIL_FOOTER, language)
    return translate(spec.subject, language), body


async def compose(kind: str, language: str, channel: str, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) ready to send."""
    subject, body = await wording(kind, language, channel)
    return fill(subject, values).strip(), fill(body, values).strip()


SAMPLE = {"name": "Rahima Begum", "event": "District workshop Sylhet", "date": "7 Dec", "venue": "DC office",
          "link": "https://portal.example/t/AbCdEfGhIjKlMnOpQrStUv", "yes": "https://portal.example/r/AbCd/yes",
          "no": "https://portal.example/r/AbCd/no", "verify": "https://portal.example/verify/AbCdEfGhIjKlMnOp",
          "stop": "https://portal.example/m/stop/AbCdEfGhIjKl", "session": "Day 2"}
SAMPLE_BN = {**SAMPLE, "name": "রহিমা বেগম", "event": "জেলা কর্মশালা সিলেট", "date": "৭ ডিসেম্বর", "venue": "ডিসি অফিস",
             "session": "দিন ২"}


async def table() -> list[dict[str, Any]]:
    """Every kind x language x channel with its wording, whether an admin changed it and its SMS parts for a
    typical message (sample values of realistic length)."""
    changed = await overrides()
    result = []
    for kind, spec in KINDS.items():
        for language in LANGUAGES:
            for channel in CHANNELS:
                subject, body = await wording(kind, language, channel)
                sample = fill(body, SAMPLE_BN if language == "bn" else SAMPLE)
                size = sms.size(sample)
                result.append({"kind": kind, "label": spec.label, "language": language, "channel": channel,
                               "subject": subject, "body": body, "changed": (kind, language, channel) in changed,
                               "parts": size.parts if channel == "sms" else None, "encoding": size.encoding})
    return result


async def save(kind: str, language: str, channel: str, subject: str, body: str, actor_name: str) -> None:
    """Store an admin's wording (an empty body restores the built-in one)."""
    if kind not in KINDS or language not in LANGUAGES or channel not in CHANNELS:
        raise ValidationFailed({"body": _("No such message.")})
    body = body.replace("\r\n", "\n").strip()
    subject = subject.strip()
    errors = {}
    for field, text in (("body", body), ("subject", subject)):
        problem = check(text)
        if problem:
            errors[field] = problem
    if len(body) > 2000:
        errors["body"] = _("At most 2,000 characters.")
    if len(subject) > 300:
        errors["subject"] = _("At most 300 characters.")
    if channel == "email" and body and not subject:
        errors["subject"] = _("An email needs a subject.")
    if errors:
        raise ValidationFailed(errors)
    where = ((MessageTemplate.kind == kind) & (MessageTemplate.language == language)
             & (MessageTemplate.channel == channel))
    async with write_transaction(MessageTemplate._meta.db):
        await MessageTemplate.delete().where(where)
        if body:
            await MessageTemplate.insert(MessageTemplate(kind=kind, language=language, channel=channel,
                                                         subject=subject, body=body, updated_at=clock.now(),
                                                         updated_by=actor_name))
