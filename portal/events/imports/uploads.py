"""Uploaded import files between the upload and the commit: parsed once, kept as rows.

The upload step reads the file (in a worker thread) and keeps its sheets (names, numbered rows) as JSON in the
shared storage (portal/core/storage.py) under `imports/{event}-{upload id}.json` (in the data folder:
0600, the folder 0700; with an object store, every app server finds it, so the preview and the commit
may land on another machine than the upload). The preview and the commit load those rows and never
parse the spreadsheet again. The commit deletes the file; an upload never committed is deleted by
the purge once it is RETENTION old (its page then says "upload the file again"). In the data folder a
file's modification time is set from the portal's clock when it is written; an object store dates
its objects by its own clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

from portal.core import clock
from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.spreadsheets import Sheet
from portal.core.storage import Storage

RETENTION = dt.timedelta(hours=3)
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{22}")
PREFIX = "imports"


def _key(event_id: int, upload_id: str) -> str:
    if not UPLOAD_ID.fullmatch(upload_id):
        raise NotFound(_("This upload has expired. Upload the file again."))
    return f"{PREFIX}/{int(event_id)}-{upload_id}.json"


async def save(storage: Storage, event_id: int, sheets: list[Sheet], filename: str = "") -> str:
    """Keep the parsed sheets; returns the upload id."""
    upload_id = secrets.token_urlsafe(16)
    data = json.dumps({"file": filename, "sheets": [{"name": s.name, "rows": s.rows} for s in sheets]},
                      ensure_ascii=False).encode()
    await storage.put_bytes(_key(event_id, upload_id), data, modified=clock.now())
    return upload_id


async def load(storage: Storage, event_id: int, upload_id: str) -> tuple[str, list[Sheet]]:
    """The file name and sheets kept for this upload, or NotFound when it was committed, purged or never made."""
    try:
        kept = json.loads(await storage.read_bytes(_key(event_id, upload_id)))
    except (FileNotFoundError, ValueError):
        raise NotFound(_("This upload has expired. Upload the file again.")) from None
    if "sheets" not in kept:  # kept by the version before sheets: one header row, then the rows
        rows = [kept["headers"], *kept["rows"]]
        return "", [Sheet("", [(number, cells) for number, cells in enumerate(rows, start=1)])]
    return kept.get("file", ""), [Sheet(s["name"], [(n, cells) for n, cells in s["rows"]]) for s in kept["sheets"]]


async def discard(storage: Storage, event_id: int, upload_id: str) -> None:
    """Delete the kept table (after the commit)."""
    await storage.delete(_key(event_id, upload_id))


async def purge(storage: Storage, now: dt.datetime | None = None) -> int:
    """Delete uploads never committed that are older than RETENTION (and leftovers of older versions,
    which kept the raw files); returns how many."""
    cutoff = (now or clock.now()) - RETENTION
    removed = 0
    async for item in storage.list(PREFIX):
        if item.modified < cutoff:
            await storage.delete(item.key)
            removed += 1
    return removed


async def pending(storage: Storage) -> list[tuple[int, dt.datetime]]:
    """Uploads not imported yet (never committed, not yet purged): (event id, uploaded at), newest first."""
    found = []
    async for item in storage.list(PREFIX):
        name = item.key.rsplit("/", 1)[-1].removesuffix(".json")
        event, _sep, upload_id = name.partition("-")
        if event.isdigit() and UPLOAD_ID.fullmatch(upload_id):
            found.append((int(event), item.modified))
    return sorted(found, key=lambda item: item[1], reverse=True)
