"""`portal copy-from-sqlite DATA_DIR`: move a one-machine portal onto PostgreSQL and object storage.

Runs with the new deployment's environment (DATABASE_URL, and PORTAL_STORAGE_URL with its PORTAL_S3_*
settings, the same PORTAL_SECRET_KEY) and reads the old portal's data folder, which it never changes:

1. migrates the PostgreSQL database (tables, the job queue's tables, the bucket);
2. refuses a database that already holds portal data (nothing is merged or overwritten);
3. copies the files (materials, finished exports, import uploads) into the configured storage; a file
   already there with the same size is skipped;
4. copies every table row for row, ids kept, parents before children, a batch at a time (memory stays
   flat), all in one transaction (a failure leaves the database empty again), then moves each id
   sequence past the highest id. So a run that failed anywhere can simply be run again.

Stop the old portal first (or at least stop changes to it): rows written after the copy are not moved.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BATCH = 5000


@dataclass
class MoveReport:
    """What was copied."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    files_skipped: int = 0
    bytes: int = 0
    left_out: list[str] = field(default_factory=list)


class MoveError(RuntimeError):
    """The move cannot start; the message says why and what to do."""


def _in_dependency_order(tables: list[Any]) -> list[Any]:
    """Tables with every table they reference (foreign keys) before them."""
    done: list[Any] = []
    seen: set[str] = set()

    def visit(table: Any, path: tuple[str, ...]) -> None:
        name = table._meta.tablename
        if name in seen or name in path:
            return
        for column in table._meta.foreign_key_columns:
            parent = column._foreign_key_meta.resolved_references
            if parent is not table:
                visit(parent, (*path, name))
        seen.add(name)
        done.append(table)

    for table in tables:
        visit(table, ())
    return done


def _check_source(data_dir: Path) -> Path:
    path = data_dir / "portal.sqlite3"
    if not path.is_file():
        raise MoveError(f"No portal database at {path}: give the old portal's data folder (PORTAL_DATA_DIR).")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return path


def _check_secret(data_dir: Path, secret_key: str) -> None:
    """The old portal's own key (data/secret_key) must be the new one: sessions, CSRF tokens, check-in codes
    and certificate links are signed with it."""
    key_file = data_dir / "secret_key"
    if key_file.is_file() and key_file.read_text().strip() != secret_key:
        raise MoveError(f"PORTAL_SECRET_KEY differs from the old portal's key. Set it to the content of {key_file} "
                        "on every machine of the new deployment, then run this again.")


async def copy_from_sqlite(data_dir: Path, settings: Any, say: Callable[[str], None] = print) -> MoveReport:
    """Copy the SQLite portal in `data_dir` into the PostgreSQL database and storage of `settings`."""
    import asyncpg

    from portal.core.storage import LocalStorage, make_storage
    from portal.db import PortalSQLiteEngine, all_tables, bind_engine

    if not settings.database_url:
        raise MoveError("Set DATABASE_URL to the new PostgreSQL database (the environment of the new deployment).")
    data_dir = data_dir.resolve()  # noqa: ASYNC240 - once, before any work
    source_path = _check_source(data_dir)
    if settings.data_dir.resolve() == data_dir and not settings.storage_url:
        raise MoveError("The new deployment would keep its files in the old data folder: set PORTAL_STORAGE_URL, "
                        "or a PORTAL_DATA_DIR of its own.")
    _check_secret(data_dir, settings.secret_key)
    report = MoveReport()
    tables = _in_dependency_order(all_tables())
    connection = await asyncpg.connect(settings.database_url)
    source = PortalSQLiteEngine(path=str(source_path))
    try:
        for table in tables:
            # Table names come from the portal's own table classes, never from input.
            count = await connection.fetchval(f'SELECT count(*) FROM "{table._meta.tablename}"')  # noqa: S608
            if count:
                raise MoveError(f"The PostgreSQL database already holds portal data ({count} rows in "
                                f"{table._meta.tablename}): give an empty, freshly migrated database.")
        # Files first: copying them again skips what is there, and the rows go in last, in one transaction,
        # so a run that failed anywhere can simply be run again.
        await _copy_files(LocalStorage(data_dir), make_storage(settings), report)
        say(f"  files: {report.files} copied ({report.bytes} bytes), {report.files_skipped} already there")
        with sqlite3.connect(f"file:{source_path}?mode=ro", uri=True) as plain:
            present = {row[0] for row in plain.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        known = {t._meta.tablename for t in tables}
        report.left_out = sorted(name for name in present - known
                                 if not name.startswith("sqlite_") and name != "migration")
        bind_engine(source)
        async with connection.transaction():
            for table in tables:
                name = table._meta.tablename
                if name not in present:
                    continue
                report.rows[name] = await _copy_table(table, connection)
                say(f"  {name}: {report.rows[name]} rows")
            for table in tables:
                await connection.execute(
                    "SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, false) FROM "  # noqa: S608
                    f'"{table._meta.tablename}"', f'"{table._meta.tablename}"')
    finally:
        await connection.close()
        await source.close_shared()
    return report


async def _copy_files(old_files: Any, new_files: Any, report: MoveReport) -> None:
    """Every file of the old data folder into the new storage. put_file consumes its source (it moves or
    uploads, then deletes it), so each file is first copied to a temporary file: the old folder keeps its own."""
    import shutil
    import tempfile

    import anyio

    try:
        with tempfile.TemporaryDirectory(prefix="portal-move-") as scratch:
            for prefix in ("materials", "exports", "imports"):
                async for item in old_files.list(prefix):
                    if await new_files.size(item.key) == item.size:
                        report.files_skipped += 1
                        continue
                    copy = Path(scratch) / "file"
                    await anyio.to_thread.run_sync(shutil.copyfile, old_files.path(item.key), copy)
                    await new_files.put_file(item.key, copy)
                    report.files += 1
                    report.bytes += item.size
    finally:
        await new_files.close()


async def _copy_table(table: Any, connection: Any) -> int:
    """Every row of `table`, read from SQLite a batch at a time (by id, typed by Piccolo) and written with COPY."""
    columns = table._meta.columns
    names = [column._meta.db_column_name for column in columns]
    total, last = 0, None
    while True:
        query = table.select(*columns).order_by(table._meta.primary_key).limit(BATCH)
        if last is not None:
            query = query.where(table._meta.primary_key > last)
        rows = await query.output(load_json=False)
        if not rows:
            return total
        records = [tuple(row[column._meta.name] for column in columns) for row in rows]
        await connection.copy_records_to_table(table._meta.tablename, records=records, columns=names)
        total += len(rows)
        last = rows[-1][table._meta.primary_key._meta.name]
