"""Clean text already stored: drop what `clean_text` drops from every form field today (control
characters, bidi embeddings, overrides and isolates) from rows saved before it did.

`portal migrate` runs it after the migrations (so an upgrade cleans the rows without a step to
remember), and `portal clean-text` runs it alone; both print what they changed. Running it again
changes nothing. The audit log is left as it was written: it is history, stored as JSON (the
characters are escaped there) and shown escaped.
"""

from __future__ import annotations

import logging
import operator
from functools import reduce
from typing import Any

from piccolo.columns import Text, Varchar

from portal.core.validation import BIDI_CONTROLS, CONTROL_CHARACTERS, clean_text
from portal.db import all_tables, is_unique_violation

log = logging.getLogger("portal")
SKIP_TABLES = {"audit_entry"}
# NUL is left out of the search: PostgreSQL can store no NUL, so no row holds one there.
SEARCHED = [chr(code) for code in CONTROL_CHARACTERS + BIDI_CONTROLS if code]


def _text_columns(table: Any) -> list[Any]:
    return [column for column in table._meta.columns
            if isinstance(column, Varchar | Text) and not column._meta.primary_key]


async def clean_stored_text() -> dict[str, int]:
    """Clean every text column of every table; returns {"table.column": rows changed} (only those
    changed), and "skipped" for rows whose cleaned value would collide with another row's."""
    changed: dict[str, int] = {}
    for table in all_tables():
        if table._meta.tablename in SKIP_TABLES:
            continue
        key = table._meta.primary_key
        for column in _text_columns(table):
            name = column._meta.db_column_name
            dirty = reduce(operator.or_, [column.like(f"%{char}%") for char in SEARCHED])
            for row in await table.select(key, column).where(dirty):
                value = row[name]
                if value is None or clean_text(value) == value:
                    continue
                try:
                    await table.update({column: clean_text(value)}).where(key == row[key._meta.name])
                except Exception as exc:
                    if not is_unique_violation(exc):
                        raise
                    log.warning("not cleaned: %s.%s of row %s would equal another row's", table._meta.tablename,
                                name, row[key._meta.name])
                    changed["skipped"] = changed.get("skipped", 0) + 1
                    continue
                label = f"{table._meta.tablename}.{name}"
                changed[label] = changed.get(label, 0) + 1
    return changed
