"""A participant corrects their own details from their ticket (/t/{token}/details): the spelling of their
name in English and in Bangla, their organisation and designation. Nothing else (phone, district, gender
are the staff's to change: they decide who the person is).

Rules: the English name is required and has a letter; the Bangla name, when given, is in Bangla script; each
field at most 200 characters, control characters removed. A change is written with an audit entry holding
the values before and after (`participant.self_correct`); saving the same values writes nothing. A ticket
may save MAX_PER_DAY corrections a day and one address MAX_PER_ADDRESS an hour (429 after that), so a
leaked link cannot be used to rewrite a person over and over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.i18n import script_language
from portal.core.tables import AuditEntry
from portal.core.validation import clean_text
from portal.db import write_transaction
from portal.events.tables import Participant

FIELDS = ("name", "name_bn", "organisation", "designation")
LIMIT = 200
MAX_PER_DAY = 5
MAX_PER_ADDRESS = 20
ACTION = "participant.self_correct"


class TooManyCorrections(DomainError):
    """Too many corrections from one ticket or one address."""

    status_code = 429


def parse(form: dict[str, Any]) -> dict[str, str]:
    """The four fields, cleaned; ValidationFailed with a message per field."""
    values = {field: clean_text(str(form.get(field, ""))).strip() for field in FIELDS}
    errors: dict[str, str] = {}
    for field, value in values.items():
        if len(value) > LIMIT:
            errors[field] = _("Keep this under {limit} characters.").format(limit=LIMIT)
    if not values["name"]:
        errors["name"] = _("Enter your name.")
    elif "name" not in errors and script_language(values["name"]) is None:
        errors["name"] = _("Write your name in letters.")
    if values["name_bn"] and "name_bn" not in errors and script_language(values["name_bn"]) != "bn":
        errors["name_bn"] = _("Write this name in Bangla letters, or leave it empty.")
    if errors:
        raise ValidationFailed(errors)
    return values


async def _check_limits(participant_id: int, ip: str) -> None:
    now = clock.now()
    today = await AuditEntry.count().where((AuditEntry.action == ACTION) & (AuditEntry.record_id == str(participant_id))
                                           & (AuditEntry.at > now - dt.timedelta(days=1)))
    here = await AuditEntry.count().where((AuditEntry.action == ACTION) & (AuditEntry.ip == ip[:64])
                                          & (AuditEntry.at > now - dt.timedelta(hours=1))) if ip else 0
    if today >= MAX_PER_DAY or here >= MAX_PER_ADDRESS:
        raise TooManyCorrections("too_many", _("You have corrected your details many times today. Please try "
                                               "again tomorrow, or ask the organiser."))


async def correct(registration: dict[str, Any], form: dict[str, Any], ip: str = "") -> bool:
    """Save a person's corrections from their ticket; True when something changed."""
    values = parse(form)
    participant_id = registration["participant"]
    async with write_transaction(Participant._meta.db):
        before = await Participant.select(*(getattr(Participant, f) for f in FIELDS)).where(
            Participant.id == participant_id).first()
        old, new = audit.diff(before, values)
        if not new:
            return False
        await _check_limits(participant_id, ip)
        await Participant.update({**{getattr(Participant, f): v for f, v in new.items()},
                                  Participant.updated_at: clock.now()}).where(Participant.id == participant_id)
        await audit.record(audit.Actor(id=None, label=f"participant (own ticket, registration {registration['id']})",
                                       ip=ip), ACTION, "participant", participant_id, before=old, after=new,
                           note="corrected from the ticket page")
    return True


async def current(participant_id: int) -> dict[str, Any]:
    """The person's correctable details."""
    return await Participant.select(*(getattr(Participant, f) for f in FIELDS)).where(
        Participant.id == participant_id).first()
