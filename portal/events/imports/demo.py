"""Demo data for imports (portal/demo.py): a paper sign-in sheet of a held workshop, typed up and imported as a
job, so a newcomer (and the crawl) meets a finished import, its job page and check-ins marked "paper"."""

from __future__ import annotations

import io
import random

from portal.core import audit
from portal.core.storage import Storage
from portal.events.imports import jobs, paper, uploads
from portal.events.imports import services as imports

NAMES = ("Shirin Akter", "Mizanur Rahman", "Khadija Begum", "Habibur Rahman", "Parvin Sultana", "Delwar Hossain",
         "Laily Begum", "Saiful Islam", "Hosneara Khatun", "Monirul Islam", "Josna Akter", "Rashed Khan")
MARKS = ("✓", "P", "1", "উপস্থিত", "yes", "✓", "", "A", "0", "অনুপস্থিত")


def sign_in_sheet(rng: random.Random, title: str) -> bytes:
    """The sheet as an office types it up: a title row, then name, mobile, gender and a ticked Day 1 column."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sign-in sheet"
    sheet.append([f"Attendance sheet: {title}"])
    sheet.append([])
    sheet.append(["SL", "Name", "Mobile", "Gender", "Day 1"])
    for n, name in enumerate(NAMES, start=1):
        sheet.append([n, name, 1912000000 + rng.randrange(10**6) * 10 + n % 10, "F" if name.endswith(
            ("Akter", "Begum", "Sultana", "Khatun")) else "M", MARKS[(n - 1) % len(MARKS)]])
    sheet.append(["Total", len(NAMES)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def load(actor: audit.Actor, event_id: int, title: str, storage: Storage, rng: random.Random
               ) -> tuple[int, str]:
    """Import the sheet into the event as a job run at once; how many check-ins, and what was done for the
    demo's summary."""
    sheets = imports.read_upload("sign-in-sheet.xlsx", sign_in_sheet(rng, title))
    upload_id = await uploads.save(storage, event_id, sheets, "sign-in-sheet.xlsx")
    table = imports.locate(sheets[0].rows)
    mapping = imports.guess_mapping(table.headers)
    sessions = paper.guess_sessions(table.headers, set(mapping.values()), await paper.event_sessions(event_id))
    options = {"sheet": 0, "header_row": table.header_row, "mapping": mapping, "choices": {},
               "sessions": {str(k): v for k, v in sessions.items()}}
    job_id = await jobs.create(actor, event_id, upload_id, "sign-in-sheet.xlsx", options, len(table.rows))
    await jobs.run(job_id, storage)
    job = await jobs.get(job_id, event_id)
    check_ins = job["counts"].get("checkins", 0)
    return check_ins, f"a paper sign-in sheet imported as a job ({check_ins} of the check-ins marked paper)"
