"""Import speed: run `PYTHONPATH=. python bench/imports.py [ROWS]` from the repo root.

On a fresh SQLite database in a temporary data folder: build the messy district-office list
(portal/events/imports/sample.py) with ROWS people (default 4,980; bench/imports_20k.py runs 20,000
through the job), read it (every sheet, cached values and formulas), preview every row, and commit them
into one event (one transaction: people, registrations and their audit entries in multi-row inserts).
Prints each step's seconds and the counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time


async def main(rows: int) -> None:
    os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-imports-")
    from portal.__main__ import migrate

    await migrate()
    from portal.core.audit import Actor
    from portal.events.imports import sample
    from portal.events.imports import services as imports
    from portal.events.tables import Event

    event = Event(kind="other", title="Bench", district="khulna", start_date=dt.date(2026, 1, 1),
                  end_date=dt.date(2026, 1, 1))
    await event.save()
    started = time.perf_counter()
    data = sample.messy_workbook(extra_rows=rows - len(sample.PEOPLE))
    built = time.perf_counter()
    table = imports.read_table("bench.xlsx", data)
    read = time.perf_counter()
    mapping = imports.guess_mapping(table.headers)
    checked = await imports.preview(event.id, table, mapping)
    previewed = time.perf_counter()
    counts = await imports.commit(event.id, table, mapping, Actor.system("bench"))
    committed = time.perf_counter()
    print(f"{rows} rows ({len(data) // 1024} KiB): build {built - started:.1f} s, read {read - built:.1f} s, "
          f"preview {previewed - read:.1f} s ({checked.valid} valid), commit {committed - previewed:.1f} s; {counts}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 4980))
