"""Two registrations of one person for the same event, made one when the two people are merged (issue 15).

Decided: the kept person's registration row stays (its id and ticket are the ones already printed and scanned);
it takes the better status of the two (registered > invited > waitlisted > cancelled). Onto it move the removed
registration's check-ins at sessions where it has none, its undone check-ins, and through REGISTRATION_HOOKS what
later features hang on a registration (certificates, eligibility decisions). Where both were checked in at one
session the earlier check-in is the one kept on the registration; the later one, the removed registration itself
and whatever a hook could not move (a certificate of a kind the kept one already has) are stored whole in the
merge record ("aside", by table) and deleted, so that rows in the database plus rows in the record equal the rows
before the merge, and `undo` inserts them again under their old ids (new ones only where an id was taken since).
Rows of any other table that point at the removed registration (test attempts, feedback) are not handled here:
the merge is refused for that event, naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.columns import Date, Timestamptz

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.events.tables import CheckIn, Event, Registration, Session, UndoneCheckIn

STATUS_RANK = {"registered": 0, "invited": 1, "waitlisted": 2, "cancelled": 3}
# async hook(keep_registration, drop_registration, apply) -> {"moved": {table: ids}, "aside": {table: rows}};
# with apply False it only says what it would do. Raise MergeRefused to refuse.
RegistrationHook = Callable[[int, int, bool], Awaitable[dict[str, Any]]]
# async undo(keep_registration, drop_registration, part) puts back what the hook moved and set aside.
RegistrationUndo = Callable[[int, int, dict[str, Any]], Awaitable[None]]
REGISTRATION_HOOKS: dict[str, tuple[RegistrationHook, RegistrationUndo, tuple[str, ...]]] = {}
HANDLED = {"check_in", "check_in_undone"}


class SharedRefused(DomainError):
    status_code = 409


def registration_hook(name: str, tables: tuple[str, ...], undo: RegistrationUndo
                      ) -> Callable[[RegistrationHook], RegistrationHook]:
    """Register how a later feature combines its rows of two registrations of one event (`tables`: the tables
    pointing at a registration it takes care of)."""

    def register(hook: RegistrationHook) -> RegistrationHook:
        REGISTRATION_HOOKS[name] = (hook, undo, tables)
        return hook

    return register


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON can keep it."""
    return audit._plain(dict(row))


async def restore(table: Any, row: dict[str, Any], **changes: Any) -> int:
    """Insert a row kept in a merge record, under its old id while that is free; its id."""
    values = {**row, **changes}
    for column in table._meta.columns:
        name, value = column._meta.name, values.get(column._meta.name)
        if isinstance(value, str) and isinstance(column, Timestamptz):
            values[name] = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column, Date):
            values[name] = dt.date.fromisoformat(value)
    if await table.exists().where(table.id == values.get("id")):
        values.pop("id")
    values = {k: v for k, v in values.items() if k in {c._meta.name for c in table._meta.columns}}
    instance = table(**values)
    await instance.save()
    return instance.id


async def _unhandled(drop_registration: int) -> list[str]:
    """Tables with rows pointing at the registration that neither this module nor a hook moves."""
    from portal.piccolo_conf import APP_REGISTRY  # at run time: every feature's tables

    handled = HANDLED | {t for _h, _u, tables in REGISTRATION_HOOKS.values() for t in tables}
    found = []
    for app in APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            if table._meta.tablename in handled:
                continue
            for column in table._meta.foreign_key_columns:
                if column._foreign_key_meta.resolved_references is Registration and await table.exists().where(
                        column == drop_registration):
                    found.append(table._meta.tablename)
    return sorted(set(found))


async def combine(keep_registration: dict[str, Any], drop_registration: dict[str, Any], apply: bool
                  ) -> dict[str, Any]:
    """Make one registration of two for one event: what moves and what is set aside (`apply`: do it)."""
    keep_id, drop_id = keep_registration["id"], drop_registration["id"]
    event = await Event.select(Event.id, Event.title).where(Event.id == keep_registration["event"]).first()
    if found := await _unhandled(drop_id):
        raise SharedRefused("same_event", _("Both are registered for %(event)s and the removed person's registration "
                                            "has records the merge cannot combine yet (%(tables)s): remove one of "
                                            "the two registrations first.") % {"event": event["title"],
                                                                               "tables": ", ".join(found)})
    status = min(keep_registration["status"], drop_registration["status"], key=lambda s: STATUS_RANK.get(s, 9))
    kept = {r["session"]: r for r in await CheckIn.select().where(CheckIn.registration == keep_id)}
    moved: dict[str, list[int]] = {"check_in": []}
    aside: dict[str, list[dict[str, Any]]] = {"registration": [plain(drop_registration)], "check_in": []}
    duplicates: list[int] = []  # sessions where both were checked in
    for row in await CheckIn.select().where(CheckIn.registration == drop_id).order_by(CheckIn.id):
        other = kept.get(row["session"])
        if other is None:
            moved["check_in"].append(row["id"])
            continue
        duplicates.append(row["session"])
        if row["at"] < other["at"]:  # the removed one's is earlier: it takes the kept one's place
            aside["check_in"].append(plain(other))
            moved["check_in"].append(row["id"])
        else:
            aside["check_in"].append(plain(row))
    moved["check_in_undone"] = [r["id"] for r in await UndoneCheckIn.select(UndoneCheckIn.id).where(
        UndoneCheckIn.registration == drop_id)]
    titles = {r["id"]: r["title"] for r in await Session.select(Session.id, Session.title).where(
        Session.id.is_in(duplicates))} if duplicates else {}
    part = {"event": event["id"], "title": event["title"], "kept_registration": keep_id,
            "dropped_registration": drop_id, "status_before": keep_registration["status"], "status": status,
            "duplicate_sessions": [titles[s] for s in duplicates]}
    if apply:
        for row in aside["check_in"]:
            await CheckIn.delete().where(CheckIn.id == row["id"])
        for table in (CheckIn, UndoneCheckIn):
            if ids := moved[table._meta.tablename]:
                await table.update({table.registration: keep_id}).where(table.id.is_in(ids))
    for hook, _undo, _tables in REGISTRATION_HOOKS.values():
        result = await hook(keep_id, drop_id, apply)
        moved.update(result.get("moved", {}))
        aside.update(result.get("aside", {}))
    if apply:
        await Registration.delete().where(Registration.id == drop_id)
        if status != keep_registration["status"]:
            await Registration.update({Registration.status: status}).where(Registration.id == keep_id)
    return {**part, "moved": moved, "aside": aside}


def aside_counts(parts: list[dict[str, Any]]) -> dict[str, int]:
    """Rows kept in the merge record instead of the database, by table (the proof that none was lost)."""
    counts: dict[str, int] = {}
    for part in parts:
        for table, rows in part["aside"].items():
            counts[table] = counts.get(table, 0) + len(rows)
    return {k: v for k, v in counts.items() if v}


async def check_undo(keep_id: int, part: dict[str, Any], refuse: Callable[[str], Exception]) -> None:
    """Refuse when what the merge left on the kept registration has changed since."""
    registration = await Registration.select(Registration.participant, Registration.status).where(
        Registration.id == part["kept_registration"]).first()
    if registration is None or registration["participant"] != keep_id or registration["status"] != part["status"]:
        raise refuse(_("the registration kept for %(event)s has changed since.") % {"event": part["title"]})
    for table in (CheckIn, UndoneCheckIn):
        ids = part["moved"].get(table._meta.tablename) or []
        if ids and await table.count().where(table.id.is_in(ids) & (table.registration == part["kept_registration"])
                                             ) != len(ids):
            raise refuse(_("the attendance kept for %(event)s has changed since.") % {"event": part["title"]})
    own = [r["session"] for r in part["aside"].get("check_in", []) if r["registration"] == part["kept_registration"]]
    if own and await CheckIn.exists().where((CheckIn.registration == part["kept_registration"])
                                            & CheckIn.session.is_in(own)
                                            & CheckIn.id.not_in(part["moved"]["check_in"] or [0])):
        raise refuse(_("the attendance kept for %(event)s has changed since.") % {"event": part["title"]})
    registration_row = part["aside"]["registration"][0]
    if await Registration.exists().where(Registration.ticket_token == registration_row["ticket_token"]):
        raise refuse(_("the removed registration's ticket now belongs to another registration."))


async def undo(drop_participant: int, part: dict[str, Any]) -> None:
    """Put back the removed registration with its rows (after check_undo)."""
    keep_registration = part["kept_registration"]
    old = part["dropped_registration"]
    await Registration.update({Registration.status: part["status_before"]}).where(
        Registration.id == keep_registration)
    drop_registration = await restore(Registration, part["aside"]["registration"][0], participant=drop_participant)
    for table in (CheckIn, UndoneCheckIn):
        if ids := part["moved"].get(table._meta.tablename):
            await table.update({table.registration: drop_registration}).where(table.id.is_in(ids))
    for row in part["aside"].get("check_in", []):
        await restore(CheckIn, row, registration=drop_registration if row["registration"] == old
                      else keep_registration)
    for _hook, undo_hook, _tables in REGISTRATION_HOOKS.values():
        await undo_hook(keep_registration, drop_registration, {**part, "old_dropped_registration": old})
