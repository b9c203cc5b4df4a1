"""The participant directory: one person is one row, matched on phone or email."""

from __future__ import annotations

from typing import Any

from portal.auth.services import CurrentUser
from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.db import icontains, write_transaction
from portal.events.forms import ParticipantInput, parse_participant
from portal.events.participants import phones
from portal.events.tables import Participant
from portal.messages import outbox
from portal.messages.tables import Contact

PAGE_SIZE = 25


class DuplicatePerson(DomainError):
    """The phone or email belongs to someone already in the directory."""

    def __init__(self, existing: dict[str, Any], field: str) -> None:
        label = {"phone": "phone number", "other_phones": "phone number"}.get(field, field)
        super().__init__("duplicate", f"{existing['name']} already has this {label}.", field)
        self.existing = existing


def phone_fragment(q: str) -> str | None:
    """What a search box's text looks for in stored (E.164) phones: the whole number normalised
    ("01711-234567" -> "+8801711234567"), or a part of one (3 or more digits, Bangla digits read as
    digits) without its leading zeros; None when the text is not phone-like (it has letters)."""
    text = q.strip()
    if not text or any(not (ch.isdecimal() or ch in "+-() ") for ch in text):
        return None
    try:
        return normalise_phone(text)
    except PhoneError:
        pass
    digits = "".join(str(int(ch)) for ch in text if ch.isdecimal())  # int() reads Bangla digits
    if len(digits) < 3:
        return None
    return digits.lstrip("0") or None


def matches(person: Any, q: str) -> Any | None:
    """The one person search: name, Bangla name, organisation or email contain the text, or the phone
    matches it (phone_fragment). `person` is the Participant table or a foreign key to it
    (Registration.participant); None for an empty search."""
    q = q.strip()
    if not q:
        return None
    condition = (icontains(person.name, q) | icontains(person.name_bn, q) | icontains(person.organisation, q)
                 | icontains(person.email, q))
    phone = phone_fragment(q)
    return condition | phones.number_contains(person, phone) if phone else condition


def _search(query: Any, q: str) -> Any:
    condition = matches(Participant, q)
    return query if condition is None else query.where(condition)


async def list_participants(q: str = "", district: str = "", page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """One page of the directory, by name, and the total."""
    count, select = Participant.count(), Participant.select()
    if district:
        count, select = count.where(Participant.district == district), select.where(Participant.district == district)
    total = await _search(count, q)
    rows = await (
        _search(select, q).order_by(Participant.name).order_by(Participant.id)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return rows, total


async def get_participant(participant_id: int) -> dict[str, Any]:
    """One person, or NotFound."""
    row = await Participant.select().where(Participant.id == participant_id).first()
    if row is None:
        raise NotFound(_("No such participant."))
    return row


async def find_match(phone: str | None, email: str | None, exclude_id: int | None = None,
                     other_phones: tuple[str, ...] = ()) -> tuple[dict | None, str]:
    """The person who already has one of these phone numbers (as their primary or another number) or this email,
    and which field matched (`phone`, `other_phones` or `email`)."""
    for field, number in (("phone", phone), *(("other_phones", n) for n in other_phones)):
        row = await phones.owner(number, exclude_id)
        if row:
            return row, field
    if email:
        query = Participant.select().where(Participant.email == email)
        if exclude_id is not None:
            query = query.where(Participant.id != exclude_id)
        row = await query.first()
        if row:
            return row, "email"
    return None, ""


def may_edit(user: CurrentUser, person: dict[str, Any]) -> bool:
    """Organizers limited to districts edit people of those districts (or with none yet)."""
    return not person["district"] or user.sees_district(person["district"])


async def add_person(row: dict[str, Any], actor: audit.Actor, note: str = "",
                     other_phones: tuple[str, ...] = ()) -> int:
    """The one way to create a person (the directory's form, imports, walk-ins): refuses (DuplicatePerson)
    a phone or email already known, saves the row and its audit entry; its id. Inside the caller's
    transaction when there is one (an import, a walk-in), else in one of its own."""
    async with write_transaction(Participant._meta.db):
        existing, field = await find_match(row.get("phone"), row.get("email"), other_phones=tuple(other_phones))
        if existing:
            raise DuplicatePerson(existing, field)
        person = Participant(**row)
        await person.save()
        await phones.set_others(person.id, other_phones)
        after = {**row, "other_phones": list(other_phones)} if other_phones else row
        await audit.record(actor, "participant.create", "participant", person.id, after=after, note=note)
    return person.id


async def create_participant(form: dict[str, Any], user: CurrentUser, ip: str = "") -> int:
    """Add a person from the directory's form; refuses (code `duplicate`) when the phone or email is known."""
    values: ParticipantInput = parse_participant(form)
    return await add_person(values.as_row(), user.actor(ip), other_phones=values.other_phones)


async def update_participant(participant_id: int, form: dict[str, Any], user: CurrentUser, ip: str = "") -> None:
    """Save changes to a person."""
    before = await get_participant(participant_id)
    if not may_edit(user, before):
        raise NotFound(_("No such participant."))
    values = parse_participant(form)
    if not may_edit(user, {"district": values.district}):
        raise ValidationFailed({"district": "You can only assign people to your own districts."})
    async with write_transaction(Participant._meta.db):
        existing, field = await find_match(values.phone, values.email, exclude_id=participant_id,
                                           other_phones=values.other_phones)
        if existing:
            raise DuplicatePerson(existing, field)
        before["other_phones"] = await phones.others(participant_id)
        # A form without the other numbers' field leaves them as they are.
        others = list(values.other_phones) if "other_phones" in form else before["other_phones"]
        await Participant.update({**values.as_row(), Participant.updated_at: clock.now()}).where(
            Participant.id == participant_id
        )
        await phones.set_others(participant_id, [n for n in others if n != values.phone])
        old, new = audit.diff(before, {**values.as_row(), "other_phones": [n for n in others if n != values.phone]})
        if new:
            await audit.record(user.actor(ip), "participant.update", "participant", participant_id,
                               before=old, after=new)
        if "messages_shown" in form:  # the form's messages section: the person asked us to stop, or not
            stopped = str(form.get("messages_stopped", "")).lower() in {"on", "1", "true", "yes"}
            for address in (values.phone, values.email):
                if address:
                    await outbox.contact(address)
                    await outbox.set_opt_out(address, stopped, "staff", user.actor(ip))


async def contacts_of(person: dict[str, Any]) -> list[dict[str, Any]]:
    """What the person agreed to about messages, per address their messages go to (the primary phone, email)."""
    addresses = [a for a in (person.get("phone"), person.get("email")) if a]
    rows = {r["address"]: r for r in await Contact.select().where(Contact.address.is_in(addresses or [""]))}
    return [{"address": a, "consent": bool(rows.get(a, {}).get("consent")),
             "consent_at": rows.get(a, {}).get("consent_at"),
             "stopped": rows.get(a, {}).get("opted_out_at") is not None} for a in addresses]
