"""Database engines: SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set.

Piccolo's stock SQLiteEngine opens a new connection (and a new thread) for every query
outside a transaction, which costs about 1.5 ms of CPU a query here. `PortalSQLiteEngine`
keeps long-lived connections instead (one for reads, one for writes, one for `fetch_tuples`)
and sets the pragmas that make concurrent requests safe. Transactions still get a connection
of their own, opened with BEGIN IMMEDIATE by `write_transaction()` so that writers queue on the
busy timeout instead of failing with "database is locked".

`fetch_tuples` runs a select for code that reads many rows (exports) without Piccolo's per-row
work: on SQLite that work (a dict per row, and every integer and timestamp converted by a Python
function) took 0.64 s for 100,000 check-in rows, three times what SQLite itself took (0.22 s).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import CONVERTERS, SQLiteEngine, TransactionType, dict_factory
from piccolo.query.methods.select import Select

BUSY_TIMEOUT_SECONDS = 30.0
T = TypeVar("T")


class PragmaConnection(sqlite3.Connection):
    """A sqlite3 connection that turns on WAL, foreign keys and a sane sync level."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA journal_mode = WAL")
        self.execute("PRAGMA synchronous = NORMAL")
        self.execute("PRAGMA foreign_keys = ON")
        self.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")


class PortalSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with pragmas and reused connections for statements outside transactions."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, factory=PragmaConnection, timeout=BUSY_TIMEOUT_SECONDS, **kwargs)
        self._shared: dict[tuple[str, str], aiosqlite.Connection] = {}
        self._writer: ThreadPoolExecutor | None = None
        self._writer_connection: sqlite3.Connection | None = None

    async def run_in_writer(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` on the writer thread, which owns a connection of its own.

        For a hot write path (check-in): the whole transaction (BEGIN IMMEDIATE ... COMMIT) is one
        hand-over to a thread instead of one per statement, and calls run one at a time, so no
        lock is held across event-loop turns. Under 32 concurrent scanners the per-statement
        version spent most of its time waiting for the loop between statements. `work` must
        finish its transaction (commit or roll back) before it returns."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        return await asyncio.get_running_loop().run_in_executor(self._writer, self._in_writer, work)

    def _in_writer(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._writer_connection is None:
            connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            connection.row_factory = dict_factory
            self._writer_connection = connection
        return work(self._writer_connection)

    async def _shared_connection(self, role: str) -> aiosqlite.Connection:
        key = (self.path, role)
        connection = self._shared.get(key)
        if connection is not None:
            return connection
        # No asyncio.Lock here: the engine may be used from more than one event loop (the test
        # client runs the app's lifespan in a loop of its own). Two racing opens keep one.
        plain = role == "plain"  # SQLite's own values in tuples: no converters, no dicts
        kwargs = {**self.connection_kwargs, "detect_types": 0} if plain else self.connection_kwargs
        connection = aiosqlite.connect(**kwargs)
        # A non-daemon worker thread keeps the interpreter alive at exit (`piccolo migrations` would hang).
        connection._thread.daemon = True
        await connection
        if not plain:
            connection.row_factory = dict_factory
        kept = self._shared.setdefault(key, connection)
        if kept is not connection:
            await connection.close()
        return kept

    # Overrides a private Piccolo method (Piccolo is pinned in pyproject.toml; recheck on upgrade),
    # kept for speed. A point read through Piccolo's own version opens a connection and a thread per
    # query: 0.8-1.1 ms wall and 0.55 ms CPU a query, against 0.04 ms here (500 reads of one row by
    # id, both ways, on this 2-core machine under load; the issue 14 note has the script).
    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> list[dict[str, Any]]:
        role = "read" if query_type in {"select", "count", "exists", "objects", "raw"} else "write"
        if query_type == "raw" and not query.lstrip().lower().startswith(("select", "with", "pragma")):
            role = "write"
        connection = await self._shared_connection(role)
        # execute_fetchall runs execute and fetch as one step on the connection's thread,
        # so statements from concurrent requests never interleave on one cursor.
        rows = await connection.execute_fetchall(query, args or [])
        return list(rows)

    async def fetch_plain(self, query: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run a read on its own shared connection: rows as tuples of SQLite's own values (text
        for timestamps and dates), without Piccolo's converters. See `fetch_tuples`."""
        connection = await self._shared_connection("plain")
        return list(await connection.execute_fetchall(query, args))

    async def close_shared(self) -> None:
        """Close the long-lived connections (app shutdown, tests switching files)."""
        connections, self._shared = list(self._shared.values()), {}
        for connection in connections:
            await connection.close()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.submit(self._close_writer_connection).result()
            writer.shutdown()

    def _close_writer_connection(self) -> None:
        if self._writer_connection is not None:
            self._writer_connection.close()
            self._writer_connection = None


def make_engine(database_url: str, sqlite_path: Path) -> Engine:
    """Build the engine the settings ask for."""
    if database_url:
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return PostgresEngine(config={"dsn": database_url}, log_queries=False)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return PortalSQLiteEngine(path=str(sqlite_path))


def _timestamptz(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    # As Piccolo's own converter: the stored time is UTC. Piccolo stores "+00:00", which parses to
    # UTC already, and replace() is most of the cost of this function.
    return value if value.tzinfo is UTC else value.replace(tzinfo=UTC)


def _timestamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


# Column types that SQLite stores as text, and how Piccolo reads them back. The other types that
# Piccolo converts on SQLite are refused by fetch_tuples; INTEGER needs nothing (SQLite gives ints).
_SQLITE_TEXT_TYPES: dict[str, Callable[[Any], Any]] = {"TIMESTAMPTZ": _timestamptz, "TIMESTAMP": _timestamp,
                                                       "DATE": _date}


def _sqlite_reader(column: Any) -> Callable[[Any], Any] | None:
    kind = column.column_type
    if kind in CONVERTERS and kind not in _SQLITE_TEXT_TYPES and kind != "INTEGER":
        raise ValueError(f"fetch_tuples does not read {kind} columns on SQLite; select them with Piccolo")
    return _SQLITE_TEXT_TYPES.get(kind)


async def fetch_tuples(query: Select) -> list[Sequence[Any]]:
    """Run a select of named columns: its rows as tuples in select order, typed as Piccolo types them.

    For reads of many rows (exports). PostgreSQL's records are tuples already; on SQLite the query
    runs on a connection without converters, and only timestamp and date columns are parsed, a
    column at a time. Inside a transaction, or on another engine, Piccolo runs it as usual.
    """
    columns = query.columns_delegate.selected_columns
    if not columns:
        raise ValueError("fetch_tuples needs the columns named, so that their order is known")
    engine = query.table._meta.db
    (querystring,) = query.querystrings
    if isinstance(engine, PortalSQLiteEngine) and engine.current_transaction.get() is None:
        readers = [_sqlite_reader(column) for column in columns]
        rows: list[Sequence[Any]] = await engine.fetch_plain(*querystring.compile_string(engine_type="sqlite"))
        if rows and any(readers):
            values = [list(map(read, cells)) if read else cells
                      for read, cells in zip(readers, zip(*rows, strict=True), strict=True)]
            rows = list(zip(*values, strict=True))
        return rows
    if isinstance(engine, PostgresEngine):
        return await engine.run_querystring(querystring)  # asyncpg records: tuples, in select order
    return [tuple(row.values()) for row in await query]


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded engine."""
    return engine.engine_type == "sqlite"


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-index refusal on either engine (a concurrent insert won the race)."""
    # sqlite3.IntegrityError ("UNIQUE constraint failed"), asyncpg.UniqueViolationError.
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text or "integrity" in text


def is_foreign_key_violation(exc: BaseException) -> bool:
    """True for a foreign key refusal on either engine (a RESTRICT parent still has children)."""
    # sqlite3.IntegrityError("FOREIGN KEY constraint failed"), asyncpg.ForeignKeyViolationError.
    return type(exc).__name__ == "ForeignKeyViolationError" or "foreign key constraint" in str(exc).lower()


@asynccontextmanager
async def write_transaction(engine: Engine):
    """A short write transaction: BEGIN IMMEDIATE on SQLite, an ordinary one on PostgreSQL."""
    if is_sqlite(engine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
    else:
        async with engine.transaction() as transaction:
            yield transaction


async def _reset_pooled(connection: Any) -> None:
    """What a pooled connection needs before its next user: only a rollback, if a cancelled request
    left a transaction open.

    asyncpg's default reset sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    on every release, a full round trip after every statement outside a transaction: 5 of a ticket
    scan's 13 round trips. The portal's Piccolo connections never take advisory locks, LISTEN, SET
    session settings or keep cursors (the job queue has its own psycopg pool), so there is nothing to
    undo."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def start_engine(engine: Engine) -> None:
    """Open the PostgreSQL pool (no-op for SQLite)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_reset_pooled)


async def stop_engine(engine: Engine) -> None:
    """Close pools and long-lived connections."""
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:  # idempotent: closing twice would warn
            await engine.close_connection_pool()
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.close_shared()


def all_tables() -> list[Any]:
    """Every table of every registered app, in migration order."""
    # Imported when called: building the registry imports every feature's tables, which this low
    # module must not do when it is imported.
    from portal.registry import APP_REGISTRY

    return [table for config in APP_REGISTRY.app_configs.values() for table in config.table_classes]


def bind_engine(engine: Engine) -> None:
    """Point every table at `engine` (Piccolo otherwise finds piccolo_conf.DB).

    Kept, not for speed: a Piccolo table holds its engine as a class attribute and Piccolo has no
    engine per app, so this is how `create_app(settings)` (and each test) gets the database its
    settings name rather than the one piccolo_conf built from the environment at import. It costs
    about 5 microseconds for the 39 tables (100 calls measured; the script is in the issue 14 note),
    once per create_app; the price is one bound engine per process."""
    for table in all_tables():
        table._meta.db = engine


def icontains(column: Any, text: str) -> Any:
    """Case-insensitive "contains" on both engines (SQLite's LIKE is already case-insensitive)."""
    pattern = "%" + text.replace("%", "") + "%"
    return column.like(pattern) if is_sqlite(column._meta.table._meta.db) else column.ilike(pattern)


def index_migration(migration_id: str, app_name: str, description: str, create: list[str], drop: list[str]):
    """A migration manager that runs hand-written DDL forwards and its undo backwards (for the
    composite unique indexes Piccolo cannot declare)."""
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.engine import engine_finder

    manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)

    async def run(statements: list[str]) -> None:
        engine = engine_finder()
        for statement in statements:
            await engine.run_ddl(statement)

    async def forwards() -> None:
        await run(create)

    async def backwards() -> None:
        await run(drop)

    manager.add_raw(forwards)
    manager.add_raw_backwards(backwards)
    return manager
