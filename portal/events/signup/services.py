"""Public registration (/r/{event id}) for events an organizer opened for it.

Rules (also in the README, "Messages"):
- The form asks for name, mobile number, district, organisation, gender, stakeholder type and consent to
  be contacted; the number is normalised to E.164 by the directory's own rules (portal/events/forms.py).
- One person is one row: a number the directory knows registers that person (their stored details are
  not changed from a public form); a new number creates a person.
- One number registers once per event; capacity and the waitlist apply as for staff registrations.
- The answer is the same whether the number was known, new, or already registered: the ticket goes to
  the number by SMS (and email), never onto the page, so nobody learns whether a number is in the
  directory or registered, and nobody gets someone else's ticket.
- A hidden field people never see (a honeypot) answers as if it worked and saves nothing; each address
  may submit MAX_PER_ADDRESS forms an hour per event and MAX_PER_ADDRESS_ALL in all (429 after that).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.i18n import script_language
from portal.db import write_transaction
from portal.events.forms import parse_participant
from portal.events.participants.services import find_match
from portal.events.registrations import services as registrations
from portal.events.tables import Event, Participant, PublicSignup, Registration, SignupAttempt

WINDOW = dt.timedelta(hours=1)
MAX_PER_ADDRESS = 10
MAX_PER_ADDRESS_ALL = 30
CONSENT = "public registration form"


class TooMany(DomainError):
    """Too many forms from one address."""

    status_code = 429

    def __init__(self) -> None:
        super().__init__("too_many", _("Too many registrations from this connection. Please try again in an hour."))


async def is_open(event_id: int) -> bool:
    """True when the event takes public registrations."""
    return await PublicSignup.exists().where((PublicSignup.event == event_id) & (PublicSignup.open == True))  # noqa: E712


async def set_open(event_id: int, opened: bool, actor: audit.Actor) -> None:
    """Open or close the event's public page. Audited."""
    async with write_transaction(PublicSignup._meta.db):
        row = await PublicSignup.select(PublicSignup.id).where(PublicSignup.event == event_id).first()
        if row is None:
            await PublicSignup.insert(PublicSignup(event=event_id, open=opened, changed_at=clock.now(),
                                                   changed_by=actor.id))
        else:
            await PublicSignup.update({PublicSignup.open: opened, PublicSignup.changed_at: clock.now(),
                                       PublicSignup.changed_by: actor.id}).where(PublicSignup.id == row["id"])
        await audit.record(actor, "event.public_registration", "event", event_id, after={"open": opened})


async def public_event(event_id: int) -> dict[str, Any]:
    """The event of an open public page; NotFound otherwise (a draft, cancelled or closed one alike)."""
    row = await Event.select(Event.id, Event.title, Event.description, Event.district, Event.venue,
                             Event.start_date, Event.end_date, Event.status).where(Event.id == event_id).first()
    if row is None or row["status"] != "published" or not await is_open(event_id):
        raise NotFound(_("Registration for this event is not open."))
    return row


async def _count_attempt(event_id: int, ip: str) -> None:
    since = clock.now() - WINDOW
    here = await SignupAttempt.count().where((SignupAttempt.ip == ip) & (SignupAttempt.at > since)
                                             & (SignupAttempt.event == event_id))
    everywhere = await SignupAttempt.count().where((SignupAttempt.ip == ip) & (SignupAttempt.at > since))
    if here >= MAX_PER_ADDRESS or everywhere >= MAX_PER_ADDRESS_ALL:
        raise TooMany()
    await SignupAttempt.insert(SignupAttempt(event=event_id, ip=ip, at=clock.now()))


FIELD_MESSAGES = {
    "name": lambda: _("Enter your name."),
    "phone": lambda: _("Enter a Bangladeshi mobile number, like 01711-234567."),
    "email": lambda: _("This email address does not look right."),
    "district": lambda: _("Choose your district from the list."),
    "gender": lambda: _("Choose from the list."),
    "stakeholder_type": lambda: _("Choose from the list."),
    "organisation": lambda: _("Too long."),
    "consent": lambda: _("We can only send your ticket if you agree to receive messages."),
}


async def sign_up(event_id: int, form: dict[str, Any], ip: str, language: str) -> str:
    """Register from the public form; returns "done" (the same answer in every case that is not an error)."""
    await public_event(event_id)
    await _count_attempt(event_id, ip)
    if str(form.get("website", "")).strip():  # the honeypot: only robots fill it in
        return "done"
    name = str(form.get("name", "")).strip()
    fields = {"name": name, "name_bn": name if script_language(name) == "bn" else "",
              "phone": form.get("phone", ""), "email": form.get("email", ""), "district": form.get("district", ""),
              "organisation": form.get("organisation", ""), "gender": form.get("gender", ""),
              "stakeholder_type": form.get("stakeholder_type", "")}
    errors: dict[str, str] = {}
    try:
        values = parse_participant(fields)
    except ValidationFailed as exc:
        errors = {key: FIELD_MESSAGES.get(key, lambda: _("Please check this field."))() for key in exc.errors}
        values = None
    if not str(form.get("phone", "")).strip():
        errors["phone"] = FIELD_MESSAGES["phone"]()
    if not str(form.get("district", "")).strip():
        errors["district"] = FIELD_MESSAGES["district"]()
    if form.get("consent") not in ("on", "1", "yes"):
        errors["consent"] = FIELD_MESSAGES["consent"]()
    if errors or values is None:
        raise ValidationFailed(errors)
    actor = audit.Actor.system(f"public registration {ip}")
    async with write_transaction(Participant._meta.db):
        existing, _field = await find_match(values.phone, None)
        if existing is None and values.email:
            existing, _field = await find_match(None, values.email)
        if existing is None:
            person = Participant(**values.as_row())
            await person.save()
            await audit.record(actor, "participant.create", "participant", person.id, after=values.as_row(),
                               note="public registration")
            person_id = person.id
        else:
            person_id = existing["id"]
    if await Registration.exists().where((Registration.event == event_id) & (Registration.participant == person_id)):
        return "done"  # already registered: the same answer, and no second ticket
    try:
        await registrations.register(event_id, person_id, actor, language=language, consent=CONSENT)
    except registrations.RegistrationError as exc:
        if exc.code != "already_registered":  # two forms at once for one number: the other one won
            raise
    return "done"


async def purge() -> None:
    """Forget counted attempts older than the window (the periodic purge)."""
    await SignupAttempt.delete().where(SignupAttempt.at < clock.now() - WINDOW)
