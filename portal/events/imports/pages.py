"""The checked rows of a large upload, kept a short while in this process, so that turning the preview's pages
does not read and check every row again: for 20,000 rows a page turn took about 5 s on a loaded machine
(reading the stored upload, finding the table, checking every phone number), now it only renders 50 rows.

Kept per (target, upload, the form's choices but the page), at most KEEP entries for TTL, and only for
tables of FROM_ROWS rows or more (a small file is checked afresh, as cheap as a lookup). Another machine
simply checks again. The commit never uses this: it checks every row again inside its own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from portal.core import clock

KEEP = 2  # a 20,000-row upload and its results take some tens of MB
TTL = dt.timedelta(minutes=2)
FROM_ROWS = 1000
_kept: OrderedDict[tuple, tuple[dt.datetime, Any]] = OrderedDict()


def key(kind: str, target_id: int | None, upload_id: str, form: dict[str, Any]) -> tuple:
    """What identifies one preview: the target, the upload and every choice on the form except the page."""
    choices = frozenset((k, str(v)) for k, v in form.items() if k not in ("page", "_csrf_token"))
    return kind, target_id, upload_id, choices


def get(found: tuple) -> Any | None:
    """The kept value, or None when absent or older than TTL."""
    entry = _kept.get(found)
    if entry is None or entry[0] < clock.now() - TTL:
        _kept.pop(found, None)
        return None
    _kept.move_to_end(found)
    return entry[1]


def put(found: tuple, value: Any) -> None:
    """Keep a value (the oldest goes beyond KEEP)."""
    _kept[found] = (clock.now(), value)
    _kept.move_to_end(found)
    while len(_kept) > KEEP:
        _kept.popitem(last=False)


def forget(upload_id: str) -> None:
    """Drop what is kept of an upload (committed or discarded)."""
    for found in [k for k in _kept if k[2] == upload_id]:
        _kept.pop(found, None)
