"""Merging two rows of the directory that are one person.

`merge(keep, drop)` moves everything that hangs on the dropped person to the kept one and deletes the
dropped row, in one transaction, audited with the dropped row as it was and what moved:
- registrations (and with them check-ins, certificates, test attempts and feedback, which hang on the
  registration), unless both are registered for the same event: that is refused with the events
  named, since one person cannot hold two seats and a registration's history must not be lost;
- whatever a later feature keeps per person (the master-trainer pool), through MERGE_HOOKS, which
  those features register (events cannot import them);
- the kept person's empty fields (Bangla name, organisation, designation, district, phone, email)
  are filled from the dropped one.
Not done yet: undoing a merge (the audit entry holds what is needed to do it by hand).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portal.auth.services import CurrentUser
from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound
from portal.db import write_transaction
from portal.events.participants.services import get_participant, may_edit
from portal.events.tables import Event, Participant, Registration

# async hook(keep_id, drop_id) -> what it moved (JSON for the audit); raise MergeRefused to refuse.
MergeHook = Callable[[int, int], Awaitable[dict[str, Any]]]
MERGE_HOOKS: dict[str, MergeHook] = {}
FILLED = ("name_bn", "organisation", "designation", "district", "phone", "email")


class MergeRefused(DomainError):
    """The two people cannot be merged as they are (same event, both in the pool, the same person)."""

    status_code = 409


def merge_hook(name: str) -> Callable[[MergeHook], MergeHook]:
    """Register what a feature moves when two people are merged."""

    def register(hook: MergeHook) -> MergeHook:
        MERGE_HOOKS[name] = hook
        return hook

    return register


async def merge(keep_id: int, drop_id: int, user: CurrentUser, ip: str = "") -> dict[str, Any]:
    """Merge `drop_id` into `keep_id`; returns what moved."""
    if keep_id == drop_id:
        raise MergeRefused("same", "Choose two different people.")
    keep, drop = await get_participant(keep_id), await get_participant(drop_id)
    if not (may_edit(user, keep) and may_edit(user, drop)):
        raise NotFound("No such participant.")
    async with write_transaction(Participant._meta.db):
        kept_events = {r["event"] for r in await Registration.select(Registration.event).where(
            Registration.participant == keep_id)}
        moving = await Registration.select(Registration.id, Registration.event).where(
            Registration.participant == drop_id)
        shared = sorted({r["event"] for r in moving} & kept_events)
        if shared:
            titles = [r["title"] for r in await Event.select(Event.title).where(Event.id.is_in(shared))]
            raise MergeRefused("same_event", "Both are registered for: " + "; ".join(titles)
                               + ". Keep one registration per event first (a seat and its attendance belong to one).")
        moved: dict[str, Any] = {"registrations": [r["id"] for r in moving]}
        if moving:
            await Registration.update({Registration.participant: keep_id}).where(
                Registration.participant == drop_id)
        for name, hook in MERGE_HOOKS.items():
            moved[name] = await hook(keep_id, drop_id)
        fill = {name: drop[name] for name in FILLED if not keep[name] and drop[name]}
        await Participant.delete().where(Participant.id == drop_id)  # first: phone and email are unique
        if fill:
            await Participant.update({**fill, Participant.updated_at: clock.now()}).where(Participant.id == keep_id)
        actor = user.actor(ip)
        await audit.record(actor, "participant.merge", "participant", keep_id,
                           before={"kept": {k: keep[k] for k in ("name", *FILLED)}, "dropped": drop},
                           after={"moved": moved, "filled": fill, "dropped_id": drop_id})
        await audit.record(actor, "participant.merged_away", "participant", drop_id, before=drop,
                           after={"into": keep_id})
    return {"moved": moved, "filled": fill}
