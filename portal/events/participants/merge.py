"""Merging two rows of the directory that are one person, and undoing a merge.

`merge(keep, drop)` moves everything that hangs on the removed person to the kept one and deletes the removed
row, in one transaction, audited, and stored as a merge record (`ParticipantMerge`) with the removed row as it
was and the id of every row that moved:
- registrations (and with them check-ins, certificates, test attempts and feedback, which hang on the
  registration); when both are registered for the same event, the two registrations become one (shared_events:
  the kept person's row with the better status, the removed one's check-ins and certificates moved onto it where
  it has none, the earlier check-in kept where both were checked in, and every row that could not move stored
  whole in the record under `moved["shared"]`, so undo inserts it again);
- session facilitator places (refused when both lead one session), phone numbers (the removed person's primary
  becomes one of the kept person's other numbers, or their primary when they had none), earlier merge records
  that kept the removed person;
- whatever a later feature keeps per person (the master-trainer pool), through MERGE_HOOKS and UNDO_HOOKS, which
  those features register (events cannot import them);
- the kept person's empty fields (Bangla name, organisation, designation, district, phone, email) are filled
  from the removed one.
`undo(merge_id)` puts back exactly those rows and brings the removed person back under their old id, or refuses
(code `undo_impossible`) when one of them has changed since, changing nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

from portal.auth.services import CurrentUser
from portal.core import audit, clock
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.events.participants import phones, shared_events
from portal.events.participants.services import get_participant, may_edit
from portal.events.tables import (
    Participant,
    ParticipantMerge,
    ParticipantPhone,
    Registration,
    SessionFacilitator,
)

# async hook(keep_id, drop_id) -> what it moved (JSON for the record); raise MergeRefused to refuse.
MergeHook = Callable[[int, int], Awaitable[dict[str, Any]]]
# async undo(keep_id, drop_id, moved) puts back what the merge hook moved; raise MergeRefused when it cannot.
UndoHook = Callable[[int, int, dict[str, Any]], Awaitable[None]]
MERGE_HOOKS: dict[str, MergeHook] = {}
UNDO_HOOKS: dict[str, UndoHook] = {}
FILLED = ("name_bn", "organisation", "designation", "district", "phone", "email")
NULLABLE = ("phone", "email")  # the unique columns are empty as NULL, the others as ""


class MergeRefused(DomainError):
    """The two people cannot be merged as they are (same event, both in the pool, the same person), or a merge
    cannot be undone any more."""

    status_code = 409


def merge_hook(name: str) -> Callable[[MergeHook], MergeHook]:
    """Register what a feature moves when two people are merged."""

    def register(hook: MergeHook) -> MergeHook:
        MERGE_HOOKS[name] = hook
        return hook

    return register


def undo_hook(name: str) -> Callable[[UndoHook], UndoHook]:
    """Register how a feature puts back what its merge hook moved."""

    def register(hook: UndoHook) -> UndoHook:
        UNDO_HOOKS[name] = hook
        return hook

    return register


async def merge(keep_id: int, drop_id: int, user: CurrentUser, ip: str = "") -> dict[str, Any]:
    """Merge `drop_id` into `keep_id`; returns what moved and the merge record's id."""
    if keep_id == drop_id:
        raise MergeRefused("same", _("Choose two different people."))
    keep, drop = await get_participant(keep_id), await get_participant(drop_id)
    if not (may_edit(user, keep) and may_edit(user, drop)):
        raise NotFound(_("No such participant."))
    async with write_transaction(Participant._meta.db):
        shared = await _combine_shared(keep_id, drop_id, apply=True)
        moving = await Registration.select(Registration.id).where(Registration.participant == drop_id)
        moved: dict[str, Any] = {"registrations": [r["id"] for r in moving], "shared": shared}
        if moving:
            await Registration.update({Registration.participant: keep_id}).where(
                Registration.participant == drop_id)
        moved["facilitators"] = await _move_facilitators(keep_id, drop_id)
        moved["phones"] = [r["id"] for r in await ParticipantPhone.select(ParticipantPhone.id).where(
            ParticipantPhone.participant == drop_id)]
        if moved["phones"]:  # before the delete: they would go with the row (cascade)
            await ParticipantPhone.update({ParticipantPhone.participant: keep_id}).where(
                ParticipantPhone.id.is_in(moved["phones"]))
        moved["merges"] = [r["id"] for r in await ParticipantMerge.select(ParticipantMerge.id).where(
            ParticipantMerge.kept == drop_id)]
        if moved["merges"]:
            await ParticipantMerge.update({ParticipantMerge.kept: keep_id}).where(
                ParticipantMerge.id.is_in(moved["merges"]))
        for name, hook in MERGE_HOOKS.items():
            moved[name] = await hook(keep_id, drop_id)
        fill = {name: drop[name] for name in FILLED if not keep[name] and drop[name]}
        await Participant.delete().where(Participant.id == drop_id)  # first: phone and email are unique
        if fill:
            await Participant.update({**fill, Participant.updated_at: clock.now()}).where(Participant.id == keep_id)
        moved["phone_row"] = None
        if drop["phone"] and "phone" not in fill:  # the removed primary becomes one of the kept one's numbers
            row = ParticipantPhone(participant=keep_id, phone=drop["phone"])
            await row.save()
            moved["phone_row"] = row.id
        record = ParticipantMerge(kept=keep_id, dropped_id=drop_id, dropped=_json(drop), moved=_json(moved),
                                  filled=_json(fill), merged_at=clock.now(), merged_by=user.id)
        await record.save()
        actor = user.actor(ip)
        await audit.record(actor, "participant.merge", "participant", keep_id,
                           before={"kept": {k: keep[k] for k in ("name", *FILLED)}, "dropped": drop},
                           after={"moved": moved, "filled": fill, "dropped_id": drop_id, "merge_id": record.id})
        await audit.record(actor, "participant.merged_away", "participant", drop_id, before=drop,
                           after={"into": keep_id, "merge_id": record.id})
    return {"moved": moved, "filled": fill, "merge_id": record.id}


async def _combine_shared(keep_id: int, drop_id: int, apply: bool) -> list[dict[str, Any]]:
    """Both registered for one event: one registration kept, see shared_events (refused there when it cannot)."""
    kept = {r["event"]: r for r in await Registration.select().where(Registration.participant == keep_id)}
    parts = []
    for row in await Registration.select().where(Registration.participant == drop_id).order_by(Registration.id):
        if row["event"] in kept:
            try:
                parts.append(await shared_events.combine(kept[row["event"]], row, apply))
            except shared_events.SharedRefused as exc:
                raise MergeRefused(exc.code, exc.message) from exc
    return parts


async def plan(keep_id: int, drop_id: int) -> list[dict[str, Any]]:
    """What the merge would do with each event both are registered for, changing nothing (for the confirmation
    page); a part has `refused` with the reason when that event would stop the merge."""
    try:
        return await _combine_shared(keep_id, drop_id, apply=False)
    except MergeRefused as exc:
        return [{"refused": exc.message}]


async def _move_facilitators(keep_id: int, drop_id: int) -> list[int]:
    rows = await SessionFacilitator.select(SessionFacilitator.id, SessionFacilitator.session).where(
        SessionFacilitator.participant == drop_id)
    if not rows:
        return []
    both = await SessionFacilitator.exists().where(
        (SessionFacilitator.participant == keep_id)
        & SessionFacilitator.session.is_in([r["session"] for r in rows]))
    if both:
        raise MergeRefused("same_session", _("Both lead the same session: remove one of them from it first."))
    ids = [r["id"] for r in rows]
    await SessionFacilitator.update({SessionFacilitator.participant: keep_id}).where(SessionFacilitator.id.is_in(ids))
    return ids


def _json(value: dict[str, Any]) -> str:
    return json.dumps(audit._plain(value), ensure_ascii=False)


def _loads(text: Any) -> dict[str, Any]:
    return text if isinstance(text, dict) else json.loads(text or "{}")


async def get_merge(merge_id: int) -> dict[str, Any]:
    """One merge record with its JSON read, or NotFound."""
    row = await ParticipantMerge.select().where(ParticipantMerge.id == merge_id).first()
    if row is None:
        raise NotFound(_("No such merge."))
    return {**row, "dropped": _loads(row["dropped"]), "moved": _loads(row["moved"]), "filled": _loads(row["filled"])}


async def merges_into(participant_id: int) -> list[dict[str, Any]]:
    """The merges that kept this person, newest first (for their page)."""
    rows = await ParticipantMerge.select().where(ParticipantMerge.kept == participant_id).order_by(
        ParticipantMerge.id, ascending=False)
    return [{**r, "dropped": _loads(r["dropped"]), "moved": _loads(r["moved"])} for r in rows]


def _refuse(message: str) -> MergeRefused:
    return MergeRefused("undo_impossible", _("This merge can no longer be undone: %(why)s") % {"why": message})


async def undo(merge_id: int, user: CurrentUser, ip: str = "") -> dict[str, Any]:
    """Bring the removed person back (under their old id while it is free) with exactly the rows that moved; refuses
    (`undo_impossible`, `undone`) when that is no longer possible, changing nothing. Returns the merge record and
    `restored_id`."""
    record = await get_merge(merge_id)
    if record["undone_at"] is not None:
        raise MergeRefused("undone", _("This merge was already undone."))
    dropped, moved, filled = record["dropped"], record["moved"], record["filled"]
    keep_id, drop_id = record["kept"], record["dropped_id"]
    keep = await get_participant(keep_id)
    if not (may_edit(user, keep) and may_edit(user, dropped)):
        raise NotFound(_("No such merge."))
    async with write_transaction(Participant._meta.db):
        # SQLite may give a freed id to the next new person: then the removed person comes back under a new one.
        same_id = not await Participant.exists().where(Participant.id == drop_id)
        await _check_rows(Registration, Registration.participant, moved.get("registrations", []), keep_id,
                          _("a registration that moved has since been deleted or moved again."))
        for part in moved.get("shared", []):
            await shared_events.check_undo(keep_id, part, _refuse)
        await _check_rows(SessionFacilitator, SessionFacilitator.participant, moved.get("facilitators", []), keep_id,
                          _("a session the person led has changed since."))
        phone_rows = [*moved.get("phones", []), *([moved["phone_row"]] if moved.get("phone_row") else [])]
        await _check_rows(ParticipantPhone, ParticipantPhone.participant, phone_rows, keep_id,
                          _("a phone number that moved has since been removed or changed."))
        await _check_rows(ParticipantMerge, ParticipantMerge.kept, moved.get("merges", []), keep_id,
                          _("an earlier merge has changed since."))
        # The kept person's fields filled by the merge go back to empty where they still hold the filled value.
        current = await get_participant(keep_id)
        revert = {name: (None if name in NULLABLE else "") for name, value in filled.items()
                  if current.get(name) == value}
        if revert:
            await Participant.update({**revert, Participant.updated_at: clock.now()}).where(
                Participant.id == keep_id)
        if moved.get("phone_row"):
            await ParticipantPhone.delete().where(ParticipantPhone.id == moved["phone_row"])
        for field in ("phone", "email"):
            value = dropped.get(field)
            if not value:
                continue
            email_owner = Participant.select(Participant.id).where(Participant.email == value).first()
            if await (phones.owner(value) if field == "phone" else email_owner):
                raise _refuse(_("the removed person's %(field)s now belongs to someone else.") % {
                    "field": _("phone number") if field == "phone" else _("email")})
        row = _row(dropped)
        if not same_id:
            row.pop("id", None)
        restored = Participant(**row)
        await restored.save()
        drop_id = restored.id
        if phone_rows := moved.get("phones", []):
            await ParticipantPhone.update({ParticipantPhone.participant: drop_id}).where(
                ParticipantPhone.id.is_in(phone_rows))
        for table, column, key in ((Registration, Registration.participant, "registrations"),
                                   (SessionFacilitator, SessionFacilitator.participant, "facilitators"),
                                   (ParticipantMerge, ParticipantMerge.kept, "merges")):
            if moved.get(key):
                await table.update({column: drop_id}).where(table.id.is_in(moved[key]))
        for part in moved.get("shared", []):
            await shared_events.undo(drop_id, part)
        for name, hook in UNDO_HOOKS.items():
            if moved.get(name):
                await hook(keep_id, drop_id, moved[name])
        await _release(keep_id, merge_id, moved)
        now = clock.now()
        await ParticipantMerge.update({ParticipantMerge.undone_at: now, ParticipantMerge.undone_by: user.id}).where(
            ParticipantMerge.id == merge_id)
        actor = user.actor(ip)
        await audit.record(actor, "participant.merge_undo", "participant", keep_id,
                           before={"merge_id": merge_id, "moved": moved},
                           after={"restored_id": drop_id, "reverted": list(revert)})
        await audit.record(actor, "participant.restore", "participant", drop_id, after={**dropped, "id": drop_id},
                           note=f"merge {merge_id} undone")
    return {**record, "undone_at": now, "restored_id": drop_id}


async def _release(keep_id: int, merge_id: int, taken: dict[str, Any]) -> None:
    """Later merges into the same person moved some of the rows this undo takes back (a merged into b, then b
    into c): those rows are no longer theirs to put back, so an undo of them in any order still works."""
    later = await ParticipantMerge.select(ParticipantMerge.id, ParticipantMerge.moved).where(
        (ParticipantMerge.kept == keep_id) & ParticipantMerge.undone_at.is_null() & (ParticipantMerge.id != merge_id))
    gone = {key: set(taken.get(key) or []) for key in ("registrations", "facilitators", "phones", "merges")}
    gone["phones"] |= {taken["phone_row"]} if taken.get("phone_row") else set()
    for row in later:
        moved = _loads(row["moved"])
        kept = {key: [i for i in moved.get(key) or [] if i not in gone[key]] for key in gone}
        pool = moved.get("pool") or {}
        member = (taken.get("pool") or {}).get("member")
        if kept != {key: moved.get(key) or [] for key in gone} or (member and pool.get("member") == member):
            moved.update(kept)
            if member and pool.get("member") == member:
                moved["pool"] = {}
            await ParticipantMerge.update({ParticipantMerge.moved: _json(moved)}).where(
                ParticipantMerge.id == row["id"])


async def _check_rows(table: Any, column: Any, ids: list[int], keep_id: int, why: str) -> None:
    if not ids:
        return
    still = await table.count().where(table.id.is_in(ids) & (column == keep_id))
    if still != len(set(ids)):
        raise _refuse(why)


_COLUMNS = {column._meta.name for column in Participant._meta.columns}


def _row(dropped: dict[str, Any]) -> dict[str, Any]:
    """The removed participant's row as stored in the record, with its timestamps read back."""
    row = {k: v for k, v in dropped.items() if k in _COLUMNS}
    for key in ("created_at", "updated_at"):
        if isinstance(row.get(key), str):
            row[key] = dt.datetime.fromisoformat(row[key])
    return row
