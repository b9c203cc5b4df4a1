"""Uploaded import files between the upload and the commit: parsed once, kept as rows.

The upload step reads the file (in a worker thread) and stores its headers and rows as JSON in
`$PORTAL_DATA_DIR/imports/{event}-{upload id}.json` (0600, the folder 0700); the preview and the
commit load those rows and never parse the spreadsheet again. The commit deletes the file; an upload
never committed is deleted by the purge loop once it is RETENTION old (its page then says "upload
the file again"). A file's modification time is set from the portal's clock when it is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from pathlib import Path

import anyio.to_thread

from portal.core import clock
from portal.core.errors import NotFound
from portal.core.files import open_private, private_dir

RETENTION = dt.timedelta(hours=3)
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def _path(folder: Path, event_id: int, upload_id: str) -> Path:
    if not UPLOAD_ID.fullmatch(upload_id):
        raise NotFound("This upload has expired. Upload the file again.")
    return folder / f"{int(event_id)}-{upload_id}.json"


async def save(folder: Path, event_id: int, headers: list[str], rows: list[list[str]]) -> str:
    """Keep the parsed table; returns its upload id."""
    upload_id = secrets.token_urlsafe(16)
    path = _path(folder, event_id, upload_id)
    stamp = clock.now().timestamp()

    def write() -> None:
        private_dir(folder)
        with open_private(path, "w", encoding="utf-8") as out:
            json.dump({"headers": headers, "rows": rows}, out, ensure_ascii=False)
        os.utime(path, (stamp, stamp))

    await anyio.to_thread.run_sync(write)
    return upload_id


async def load(folder: Path, event_id: int, upload_id: str) -> tuple[list[str], list[list[str]]]:
    """The table kept for this upload, or NotFound when it was committed, purged or never made."""
    path = _path(folder, event_id, upload_id)

    def read() -> dict:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)

    try:
        table = await anyio.to_thread.run_sync(read)
    except (FileNotFoundError, ValueError):
        raise NotFound("This upload has expired. Upload the file again.") from None
    return table["headers"], table["rows"]


async def discard(folder: Path, event_id: int, upload_id: str) -> None:
    """Delete the kept table (after the commit)."""
    await anyio.Path(_path(folder, event_id, upload_id)).unlink(missing_ok=True)


def _purge(folder: Path, cutoff: float) -> int:
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue  # gone meanwhile
    return removed


async def purge(folder: Path, now: dt.datetime | None = None) -> int:
    """Delete uploads never committed that are older than RETENTION (and leftovers of older versions,
    which kept the raw files); returns how many."""
    cutoff = ((now or clock.now()) - RETENTION).timestamp()
    return await anyio.to_thread.run_sync(_purge, folder, cutoff)
