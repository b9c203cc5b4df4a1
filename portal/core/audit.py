"""The audit helper every feature uses: `await audit.record(actor, "event.update", event, ...)`."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from portal.core import clock
from portal.core.tables import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who acted: a staff user, a participant's ticket, or the system (import, CLI)."""

    id: int | None
    label: str
    ip: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """An actor for commands and background jobs."""
        return cls(id=None, label=label)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after) JSON-ready dicts."""
    keys = [k for k in after if _plain(before.get(k)) != _plain(after.get(k))]
    return {k: _plain(before.get(k)) for k in keys}, {k: _plain(after.get(k)) for k in keys}


async def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """Write one audit entry (inside the caller's transaction when there is one)."""
    await AuditEntry.insert(
        AuditEntry(
            at=clock.now(),  # the portal's clock, as check-ins' entries use (the column default is the wall clock)
            actor_id=actor.id,
            actor=actor.label[:200],
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            note=note[:500],
            ip=actor.ip[:64],
        )
    )


async def record_many(actor: Actor, entries: list[tuple[str, str, Any, dict[str, Any] | None]], note: str = "",
                      chunk: int = 200) -> None:
    """Write many audit entries (action, record type, record id, after) in a few statements: an import of
    thousands of rows, inside the caller's transaction."""
    rows = [AuditEntry(actor_id=actor.id, actor=actor.label[:200], action=action, record_type=record_type,
                       record_id=str(record_id), before=None, after=_plain(after) if after is not None else None,
                       note=note[:500], ip=actor.ip[:64])
            for action, record_type, record_id, after in entries]
    for start in range(0, len(rows), chunk):
        await AuditEntry.insert(*rows[start:start + chunk])


async def history(record_type: str, record_id: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Newest-first audit entries for one record."""
    return (
        await AuditEntry.select()
        .where((AuditEntry.record_type == record_type) & (AuditEntry.record_id == str(record_id)))
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
    )
