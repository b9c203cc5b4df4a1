"""An invited person answers their invitation from the links in it (/t/{token}/rsvp): accepting makes the
registration "registered" (the seat was already held) and queues their ticket; declining cancels it and
gives the seat to the first person waiting. Only an invitation can be answered; an answer is audited."""

from __future__ import annotations

from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.events import notify
from portal.events.registrations import services
from portal.events.tables import Registration
from portal.messages import outbox


async def answer(token: str, accept: bool) -> dict[str, Any]:
    """Record the answer to the invitation of this ticket; returns the registration's new status."""
    registration = await services.by_token(token)
    actor = audit.Actor.system("invitation answer")
    async with write_transaction(Registration._meta.db):
        event = await services.lock_event(registration["event"])
        status = (await Registration.select(Registration.status).where(
            Registration.id == registration["id"]).first())["status"]
        if status != "invited":
            raise DomainError("not_invited", _("This invitation has already been answered."))
        new = "registered" if accept else "cancelled"
        await Registration.update({Registration.status: new, Registration.updated_at: clock.now()}).where(
            Registration.id == registration["id"])
        await audit.record(actor, "registration.rsvp", "registration", registration["id"],
                           before={"status": status}, after={"status": new})
        if accept:
            await notify.registered(registration["id"], "registered")
        else:
            await services.fill_free_seats(event, actor, most=1)
    await outbox.kick()
    return {"status": new}
