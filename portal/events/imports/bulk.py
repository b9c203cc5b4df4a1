"""Multi-row INSERTs for large imports, written as SQL once instead of through Piccolo row objects.

Building an INSERT of many rows through Piccolo makes a Table object and a nested QueryString per
value: for 20,000 people, their registrations and 40,000 audit entries that was about 7 s of CPU of
a 10 s commit (bench/imports.py). Here each chunk is one `INSERT ... VALUES (...), (...) RETURNING`
with flat arguments, run on the connection of the caller's transaction (Piccolo's current transaction:
aiosqlite or asyncpg) without Piccolo's query building, whose argument handling still cost 2-4 s for
20,000 rows; outside a transaction it goes through `Table.raw`. Values must already be what the column stores:
timestamps as aware datetimes, JSON columns as JSON text.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from piccolo.table import Table

# Rows per statement: SQLite (3.32+) and PostgreSQL both accept 32,766 arguments; 12 columns x 1,000 is
# far below, and larger chunks gained nothing measurable.
CHUNK = 1000
_PLACEHOLDER = re.compile(r"\{\}")


async def insert(table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 returning: Sequence[str] = ("id",), conflict: Sequence[str] | None = None,
                 chunk: int = CHUNK) -> list[dict[str, Any]]:
    """Insert `rows` (values in the order of `columns`) in chunks; the RETURNING rows of every chunk, in
    the order the database gives them. `conflict`: columns of a unique index whose clashes are skipped
    (ON CONFLICT ... DO NOTHING: a skipped row returns nothing)."""
    name = table._meta.tablename
    cols = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    tail = ""
    if conflict:
        tail += " ON CONFLICT (" + ", ".join(f'"{c}"' for c in conflict) + ") DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(f'"{c}"' for c in returning)
    out: list[dict[str, Any]] = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        if not part:
            continue
        # Table and column names come from the code, never from a file; every value is an argument.
        sql = f'INSERT INTO "{name}" ({cols}) VALUES ' + ", ".join([one] * len(part)) + tail  # noqa: S608
        args = [value for row in part for value in row]
        out.extend(await _run(table, sql, args))
    return out


async def _run(table: type[Table], sql: str, args: list[Any]) -> list[dict[str, Any]]:
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        return list(await table.raw(sql, *args) or [])
    if engine.engine_type == "sqlite":
        rows = await transaction.connection.execute_fetchall(sql.replace("{}", "?"), args)
        return [dict(row) for row in rows]
    numbered = iter(range(1, len(args) + 1))
    rows = await transaction.connection.fetch(_PLACEHOLDER.sub(lambda _m: f"${next(numbered)}", sql), *args)
    return [dict(row) for row in rows]


async def insert_ids(table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                     on_chunk: Callable[[int], Awaitable[None]] | None = None) -> list[int]:
    """Insert rows; their new ids in the rows' order (`on_chunk(n)` is told after each chunk of n rows). Ids
    are given in the order of the VALUES (a sequence on PostgreSQL, the rowid on SQLite) while RETURNING's
    order is not promised: hence sorted per chunk."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        returned = await insert(table, columns, part)
        ids.extend(sorted(row["id"] for row in returned))
        if on_chunk is not None:
            await on_chunk(len(part))
    return ids
