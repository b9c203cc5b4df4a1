"""`portal backup` and `portal restore`: one archive holds the database, the secret key and
the uploaded files (everything under the data directory that is not a temporary file).

SQLite is copied with SQLite's online backup API, so the portal keeps running while it is
taken. PostgreSQL is dumped with `pg_dump --format=custom` (restored with `pg_restore`).

With an object store as storage (PORTAL_STORAGE_URL), the materials live in the store, not in the
data directory: the archive then holds the database and what is left in the data directory, and
both commands say that the store's files need the store's own backup (bucket versioning or
replication, or a mirror with the store's tools). Materials are named by their SHA-256, so a restored
database finds its files in a store restored to any later point.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from portal.core import clock
from portal.core.files import open_private, private_dir
from portal.settings import Settings

SQLITE_NAME = "portal.sqlite3"
PG_DUMP_NAME = "portal.pgdump"
# Files in the data directory that are never part of a backup: the live database (copied
# through the backup API instead) and its WAL side files.
SKIP = {SQLITE_NAME, f"{SQLITE_NAME}-wal", f"{SQLITE_NAME}-shm", "backups"}


def object_store_note(settings: Settings) -> str:
    """What a backup or restore leaves to the object store's own backup ("" when files are local)."""
    if not settings.storage_url:
        return ""
    return (f"Uploaded materials and export files are in the object store {settings.storage_url}, not in this "
            "archive: back the bucket up with the store's own tools (versioning, replication or a mirror).")


class BackupError(RuntimeError):
    """A backup or restore could not be completed; the message says why."""


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(database_url: str, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian package postgresql-client).")
    result = subprocess.run(  # noqa: S603 - fixed program, URL from our own settings
        [program, "--format=custom", "--no-owner", f"--file={target}", database_url],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def backup(settings: Settings, output_dir: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write a timestamped .tar.gz of the database and the data directory's files; return its path."""
    now = now or clock.now()
    # The archive holds the whole database and the secret key: 0600, and the default folder 0700.
    output_dir = output_dir or private_dir(settings.data_dir / "backups")
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"portal-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir) as scratch:
        scratch_dir = Path(scratch)
        if settings.database_url:
            database = scratch_dir / PG_DUMP_NAME
            _pg_dump(settings.database_url, database)
        else:
            if not settings.sqlite_path.exists():
                raise BackupError(f"No database at {settings.sqlite_path}.")
            database = scratch_dir / SQLITE_NAME
            _copy_sqlite(settings.sqlite_path, database)
        partial = archive.with_suffix(".partial")
        with open_private(partial) as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
            tar.add(database, arcname=database.name)
            note = object_store_note(settings)
            if note:
                (scratch_dir / "OBJECT-STORE.txt").write_text(note + "\n")
                tar.add(scratch_dir / "OBJECT-STORE.txt", arcname="OBJECT-STORE.txt")
            for item in sorted(settings.data_dir.iterdir()):
                if item.name not in SKIP and not item.name.startswith("."):
                    tar.add(item, arcname=f"data/{item.name}")
        os.replace(partial, archive)
    return archive


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"The archive contains an unsafe entry: {member.name!r}")
        members.append(member)
    return members


def restore(settings: Settings, archive: Path) -> str:
    """Replace the database and data files with an archive's; the server must be stopped."""
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive, "r:gz") as tar:
        scratch_dir = Path(scratch)
        tar.extractall(scratch_dir, members=_safe_members(tar), filter="data")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if (scratch_dir / PG_DUMP_NAME).exists():
            if not settings.database_url:
                raise BackupError("This archive holds a PostgreSQL dump: set DATABASE_URL to restore it.")
            program = shutil.which("pg_restore")
            if program is None:
                raise BackupError("pg_restore is not installed (Debian package postgresql-client).")
            result = subprocess.run(  # noqa: S603 - fixed program, paths and URL are ours
                [program, "--clean", "--if-exists", "--no-owner", f"--dbname={settings.database_url}",
                 str(scratch_dir / PG_DUMP_NAME)],
                capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        elif (scratch_dir / SQLITE_NAME).exists():
            if settings.database_url:
                raise BackupError("This archive holds a SQLite database: unset DATABASE_URL to restore it.")
            staged = settings.sqlite_path.with_suffix(".restoring")
            shutil.copyfile(scratch_dir / SQLITE_NAME, staged)
            for side in ("-wal", "-shm"):
                Path(f"{settings.sqlite_path}{side}").unlink(missing_ok=True)
            os.replace(staged, settings.sqlite_path)
        else:
            raise BackupError("The archive holds no database.")
        files = scratch_dir / "data"
        if files.is_dir():
            for item in files.iterdir():
                target = settings.data_dir / item.name
                if target.is_dir():
                    shutil.rmtree(target)
                if item.is_dir():
                    shutil.copytree(item, target)
                else:
                    shutil.copy2(item, target)
    return f"Restored {archive.name} into {settings.data_dir}."
