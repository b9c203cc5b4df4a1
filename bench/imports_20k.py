"""A 20,000-row import as a coordinator runs it: `PYTHONPATH=. python bench/imports_20k.py [ROWS]`.

On a fresh SQLite database in a temporary data folder (or PostgreSQL with DATABASE_URL): an XLSX made
with openpyxl (a title row, then SL, name, mobile, district, gender, organisation and two ticked day
columns) with ROWS people (default 20,000), read as the upload step reads it, kept in the storage,
then committed as the background job commits it (check every row, then one transaction: people,
registrations, paper check-ins and their audit entries). Prints each step's seconds, the progress the
job reported, and the counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import sys
import tempfile
import time


def workbook(rows: int) -> bytes:
    """The list, made with openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Participants of the district workshops, Khulna division"])
    sheet.append([])
    sheet.append(["SL", "Name", "Mobile", "District", "Gender", "Organisation", "Day 1", "Day 2"])
    districts = ("Khulna", "Jessore", "যশোর", "Satkhira", "Bagerhat")
    marks = ("✓", "P", "", "1", "উপস্থিত", "A")
    for n in range(1, rows + 1):
        sheet.append([n, f"Participant {n:05d}", 1700000000 + n, districts[n % 5], "F" if n % 2 else "M",
                      f"Union Parishad {n % 300}", marks[n % 6], marks[(n + 3) % 6]])
    sheet.append(["Total", rows])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def main(rows: int) -> None:
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="bench-imports20k-"))
    import contextlib

    from portal.__main__ import migrate

    with contextlib.redirect_stdout(io.StringIO()):
        await migrate()
    from portal.core.audit import Actor
    from portal.core.storage import make_storage
    from portal.events.imports import jobs, paper, uploads
    from portal.events.imports import services as imports
    from portal.events.tables import Event, Session
    from portal.settings import Settings

    storage = make_storage(Settings.from_env())
    day = dt.date(2026, 1, 10)
    event = Event(kind="district_workshop", title="Bench", district="khulna", start_date=day, end_date=day)
    await event.save()
    for n in (0, 1):
        start = dt.datetime(2026, 1, 10 + n, 3, 0, tzinfo=dt.UTC)
        await Session(event=event.id, title=f"Day {n + 1}", starts_at=start, ends_at=start + dt.timedelta(hours=8)
                      ).save()
    started = time.perf_counter()
    data = workbook(rows)
    built = time.perf_counter()
    sheets = imports.read_upload("bench.xlsx", data)  # the upload step (in a worker thread in the server)
    upload_id = await uploads.save(storage, event.id, sheets, "bench.xlsx")
    read = time.perf_counter()
    table = imports.locate(sheets[0].rows)
    mapping = imports.guess_mapping(table.headers)
    columns = paper.guess_sessions(table.headers, set(mapping.values()), await paper.event_sessions(event.id))
    options = {"sheet": 0, "header_row": table.header_row, "mapping": mapping, "choices": {},
               "sessions": {str(k): v for k, v in columns.items()}}
    job_id = await jobs.create(Actor(id=None, label="bench"), event.id, upload_id, "bench.xlsx", options,
                               len(table.rows))
    reported: list[str] = []
    real = jobs._write_progress

    async def progress(job: int, phase: str, done: int) -> None:
        reported.append(f"{phase} {done} at {time.perf_counter() - read:.1f} s")
        await real(job, phase, done)

    jobs._write_progress = progress
    await jobs.run(job_id, storage)
    committed = time.perf_counter()
    job = await jobs.get(job_id, event.id)
    print(f"{rows} rows ({len(data) // 1024} KiB XLSX): build {built - started:.1f} s, upload step (read and keep) "
          f"{read - built:.1f} s, job (check and save) {committed - read:.1f} s, upload to done "
          f"{committed - built:.1f} s; status {job['status']}; progress: {'; '.join(reported)}; {job['counts']}")
    await storage.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
