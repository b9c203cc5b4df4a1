"""Writing a check-in and its audit entry in one transaction, as fast as a scan needs (portal.events.checkin
decides whether to write; this module only writes)."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

from portal.core import audit, clock
from portal.core.tables import AuditEntry
from portal.db import is_sqlite, write_transaction
from portal.events.tables import CheckIn


def audit_entry(actor: audit.Actor, action: str, after: dict[str, Any], note: str = "") -> AuditEntry:
    """The audit row of a check-in, built here to join the check-in's own transaction."""
    # The same row audit.record() writes, built here so it can join the check-in's own transaction.
    # `at` from the portal's clock: the column default is the wall clock.
    return AuditEntry(at=clock.now(), actor_id=actor.id, actor=actor.label[:200], action=action, record_type="check_in",
                      record_id="", before=None, after=audit._plain(after), note=note, ip=actor.ip[:64])


def _insert_query(row: CheckIn) -> Any:
    return CheckIn.insert(row).on_conflict(
        target=(CheckIn.registration, CheckIn.session), action="DO NOTHING").returning(CheckIn.id)


@functools.cache
def _statements(engine_type: str) -> tuple[str, str]:
    """The two INSERTs as SQL for the bound engine, built by Piccolo once (building a query costs
    about a millisecond, most of a scan's CPU)."""
    sample = CheckIn(registration=0, session=0, at=clock.now(), method="", by_user=None, client_id=None)
    insert_sql, _ = _insert_query(sample).querystrings[0].compile_string(engine_type=engine_type)
    audit_sql, _ = AuditEntry.insert(AuditEntry(
        at=clock.now(), actor_id=None, actor="", action="", record_type="", record_id="", before=None, after=None,
        note="", ip="")).querystrings[0].compile_string(engine_type=engine_type)
    # Check the column order the argument lists below rely on.
    assert '("id","registration","session","at","method","by_user","client_id","reason","reason_note")' in \
        insert_sql, insert_sql
    assert '("id","at","actor_id","actor","action","record_type","record_id","before","after","note","ip")' in \
        audit_sql, audit_sql
    return insert_sql, audit_sql


# PostgreSQL: the check-in and, only if it was new, its audit entry, in one statement (a data-modifying
# WITH runs as one transaction: both rows or neither). The audit entry's record_id is the new row's id.
_PG_CHECK_IN_SQL = """
WITH new AS (
    INSERT INTO check_in (registration, session, at, method, by_user, client_id)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (registration, session) DO NOTHING
    RETURNING id
), entry AS (
    INSERT INTO audit_entry (at, actor_id, actor, action, record_type, record_id, before, after, note, ip)
    SELECT $7::timestamptz, $8::integer, $9::varchar, $10::varchar, $11::varchar, new.id::text, NULL,
        $12::json, $13::varchar, $14::varchar
    FROM new
)
SELECT id FROM new
"""


async def insert(row: CheckIn, entry: AuditEntry) -> bool:
    """Insert the check-in and its audit entry in one transaction; False if it already existed.

    On SQLite the transaction runs whole on the engine's writer thread (`run_in_writer`): one
    hand-over per scan, one transaction at a time. Letting many connections wait on SQLite's busy
    handler cost 10-100 ms a scan under load, and a statement-by-statement transaction under a lock
    held the lock across event-loop turns. PostgreSQL runs the same two prepared statements in an
    single statement (`_PG_CHECK_IN_SQL`) on one pooled connection. Inside a transaction already open
    (a walk-in's), Piccolo's queries join it.
    """
    engine = CheckIn._meta.db
    insert_sql, audit_sql = _statements(engine.engine_type)
    insert_args = [row.registration, row.session, row.at, row.method, row.by_user, row.client_id, row.reason or "",
                   row.reason_note or ""]
    audit_args = [clock.now(), entry.actor_id, entry.actor, entry.action, entry.record_type, None, None,
                  json.dumps(entry.after), entry.note, entry.ip]
    # Inside a caller's transaction (a walk-in's person, registration and check-in), join it the plain way;
    # no pool (a command outside the server) likewise.
    joined = engine.current_transaction.get() is not None
    if joined or not is_sqlite(engine):
        # A correction (entered by hand with a reason) is rare: the plain way, which writes every column.
        if joined or getattr(engine, "pool", None) is None or row.reason:
            async with write_transaction(engine):
                inserted = await _insert_query(row)
                if inserted:
                    entry.record_id = str(inserted[0]["id"])
                    await AuditEntry.insert(entry)
            return bool(inserted)
        # One statement, so one round trip and its own transaction: BEGIN, two INSERTs and COMMIT
        # were four, which made PostgreSQL's scans about half as fast as SQLite's.
        async with engine.pool.acquire() as connection:
            inserted = await connection.fetch(_PG_CHECK_IN_SQL, *insert_args[:6], *audit_args[:5], *audit_args[7:])
        return bool(inserted)

    def write(connection: sqlite3.Connection) -> bool:
        connection.execute("BEGIN IMMEDIATE")
        try:
            inserted = connection.execute(insert_sql, insert_args).fetchall()
            if inserted:
                audit_args[5] = str(inserted[0]["id"])
                connection.execute(audit_sql, audit_args)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return bool(inserted)

    return await engine.run_in_writer(write)
