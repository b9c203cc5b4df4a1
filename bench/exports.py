"""Export benchmark: time, size and peak memory of the CSV and XLSX renderers over long-format check-ins.

Run from the repository root:

    PYTHONPATH=. python bench/exports.py                      # 10,000 and 100,000 rows, CSV and XLSX
    PYTHONPATH=. python bench/exports.py --rows 1000000 --formats csv --no-tracemalloc

Memory is "flat" when the peak for 100,000 rows is about the peak for 10,000. Timings are taken
without tracemalloc (it slows Python several times); peaks come from a second, traced run.
"seconds" is wall-clock time; "CPU s" is the CPU time of the whole process (all its threads),
steadier than wall-clock time when other work shares the machine.
To measure a real query, write a function like `synthetic_checkins` (rows in, no list) and pass
it as `source` to `run`.

The second part (`--db-rows`, default 100,000; `--no-db` skips it) measures the real thing: it
fills a temporary SQLite database with that many check-ins (bulk inserts) and runs the long-shape
attendance export through `portal.reports.attendance.build_export`, the same keyset-paged query and
thread bridge the download route uses, for an event-date filter that selects a tenth of the rows
and for all of them.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from portal.exports import Column, Export, render_csv, render_xlsx

COLUMNS = [
    Column("person", "Person", width=28),
    Column("organisation", "Organisation", width=28),
    Column("stakeholder", "Stakeholder type", width=18),
    Column("gender", "Gender", width=8),
    Column("district", "District", width=14),
    Column("event", "Event", width=32),
    Column("session", "Session", width=10),
    Column("checked_in_at", "Checked in", "datetime"),
    Column("method", "Method", width=12),
]

FIRST = ["Rahima", "Karim", "Nusrat", "Abdul", "Fatema", "রহিমা", "করিম", "নুসরাত", "আব্দুল", "ফাতেমা"]
LAST = ["Khatun", "Hossain", "Akter", "Rahman", "Begum", "খাতুন", "হোসেন", "আক্তার", "রহমান", "বেগম"]
ORGANISATIONS = [
    "Bureau of Manpower, Employment and Training",
    "জেলা প্রশাসকের কার্যালয়",
    "Wage Earners' Welfare Board",
    "অভিবাসী কর্মী উন্নয়ন প্রোগ্রাম",
    "BRAC Migration Programme",
    '=HYPERLINK("http://example.invalid")',  # a hostile value, to keep the neutralising path in the run
]
STAKEHOLDERS = ["government", "cso", "returnee", "returnee_family", "private_sector", "ngo_partner", "other"]
GENDERS = ["female", "male", "other"]
DISTRICTS = ["Dhaka", "ঢাকা", "Cumilla", "কুমিল্লা", "Sylhet", "সিলেট", "Tangail", "টাঙ্গাইল", "Chattogram"]
EVENTS = ["District workshop on safe migration", "ToT: Pre-departure orientation", "সিএসও প্ল্যাটফর্ম সভা"]
METHODS = ["ticket_scan", "self_scan", "manual", "import"]

HEADER = f"{'format':6} " + " ".join(
    f"{h:>9}" for h in ("rows", "seconds", "CPU s", "rows/s", "size MiB", "RSS +KiB", "peak KiB"))

RowSource = Callable[[int], Iterable[tuple]]
Renderer = Callable[..., Export]


def synthetic_checkins(count: int, seed: int = 2024) -> Iterator[tuple]:
    """Yield `count` check-in rows in COLUMNS order, one at a time, as a database cursor would."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 7, 3, 0, tzinfo=UTC)  # aware UTC, as the database returns them
    for i in range(count):
        yield (
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            rng.choice(ORGANISATIONS),
            rng.choice(STAKEHOLDERS),
            rng.choice(GENDERS),
            rng.choice(DISTRICTS),
            rng.choice(EVENTS),
            f"Day {i % 3 + 1}",
            start + timedelta(minutes=i),
            rng.choice(METHODS),
        )


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _consume(export: Export) -> int:
    # Read the body as the HTTP response would, keeping only the byte count.
    return sum(len(chunk) for chunk in export.body)


def run(render: Renderer, source: RowSource, count: int, trace: bool) -> dict[str, float]:
    """Render `count` rows from `source`; return seconds, CPU seconds, rows/s, bytes, RSS growth, traced peak."""
    rss_before = _maxrss_kib()
    started, cpu_started = time.perf_counter(), time.process_time()
    size = _consume(render("bench", COLUMNS, source(count)))
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "rows_per_s": count / seconds,
        "bytes": size,
        "rss_growth_kib": _maxrss_kib() - rss_before,
        "traced_peak_kib": float("nan"),
    }
    if trace:
        tracemalloc.start()
        _consume(render("bench", COLUMNS, source(count)))
        result["traced_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    return result


def source_only(source: RowSource, count: int) -> float:
    """Seconds to merely pull the rows, so a renderer's own cost can be told apart."""
    started = time.perf_counter()
    for _ in source(count):
        pass
    return time.perf_counter() - started


def main() -> None:
    """Print one line per (format, row count)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    parser.add_argument("--db-rows", type=int, default=100_000, help="check-ins in the database part")
    parser.add_argument("--no-db", dest="db", action="store_false", help="skip the database part")
    args = parser.parse_args()
    renderers = {"csv": render_csv, "xlsx": render_xlsx}
    counts = sorted(args.rows)  # smallest first, so the RSS high-water mark shows growth
    print(HEADER)
    for count in counts:
        print(f"{'source':6} {count:9,} {source_only(synthetic_checkins, count):9.2f}")
    for fmt in args.formats:
        for count in counts:
            r = run(renderers[fmt], synthetic_checkins, count, args.trace)
            print(
                f"{fmt:6} {count:9,} {r['seconds']:9.2f} {r['cpu_seconds']:9.2f} {r['rows_per_s']:9,.0f} "
                f"{r['bytes'] / 2**20:9.1f} {r['rss_growth_kib']:9,} {r['traced_peak_kib']:9,.0f}"
            )
    if args.db:
        print("\nThe real export: long shape from a SQLite database through the attendance data function")
        database_bench(args.db_rows, args.formats, args.trace)


async def _fill_database(check_ins: int) -> None:
    """Events of 4 sessions with 500 registrations each, everyone present at every session."""
    import secrets

    from portal.events.tables import CheckIn, Event, Participant, Registration, Session

    per_event, sessions = 500, 4
    events = max(1, check_ins // (per_event * sessions))
    rng = random.Random(7)
    await Participant.insert(*[
        Participant(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", name_bn=rng.choice(LAST),
                    gender=rng.choice(["female", "male"]), stakeholder_type=rng.choice(STAKEHOLDERS),
                    organisation=rng.choice(ORGANISATIONS), district="dhaka", phone=f"+88017{i:08d}")
        for i in range(per_event)
    ])
    people = [r["id"] for r in await Participant.select(Participant.id)]
    day0 = datetime(2026, 1, 4, 4, 0, tzinfo=UTC)
    for e in range(events):
        day = day0 + timedelta(days=7 * e)
        event = Event(kind="district_workshop", title=f"District workshop {e + 1}", district="dhaka",
                      start_date=day.date(), end_date=(day + timedelta(days=sessions - 1)).date(), status="completed")
        await event.save()
        await Session.insert(*[Session(event=event.id, title=f"Day {d + 1}", starts_at=day + timedelta(days=d),
                                       ends_at=day + timedelta(days=d, hours=6)) for d in range(sessions)])
        session_ids = [r["id"] for r in await Session.select(Session.id).where(Session.event == event.id)]
        await Registration.insert(*[Registration(event=event.id, participant=p, ticket_token=secrets.token_urlsafe(16))
                                    for p in people])
        regs = [r["id"] for r in await Registration.select(Registration.id).where(Registration.event == event.id)]
        rows = [CheckIn(registration=r, session=s, at=day + timedelta(days=d, minutes=i % 90), method="manual")
                for d, s in enumerate(session_ids) for i, r in enumerate(regs)]
        for start in range(0, len(rows), 1000):
            await CheckIn.insert(*rows[start:start + 1000])


async def _export(flt: object, fmt: str) -> int:
    from portal.reports.attendance import build_export, stream_body

    export = await build_export(flt, "long", fmt, "bench-secret-key")
    return sum([len(chunk) async for chunk in stream_body(export.body)])


def database_bench(check_ins: int, formats: list[str], trace: bool) -> None:
    """Fill a temporary SQLite database and time the real export for a tenth of the rows and for all."""
    import asyncio
    import os
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    os.environ["PORTAL_DATA_DIR"] = str(folder)  # before portal.piccolo_conf is imported
    os.environ.pop("DATABASE_URL", None)
    from portal.db import all_tables, bind_engine, make_engine, stop_engine
    from portal.events.tables import CheckIn
    from portal.reports.attendance import AttendanceFilter, count_rows

    engine = make_engine("", folder / "bench.sqlite3")
    bind_engine(engine)

    async def prepare() -> tuple[int, list[tuple[object, int]]]:
        for table in all_tables():
            await table.create_table(if_not_exists=True)
        started = time.perf_counter()
        await _fill_database(check_ins)
        print(f"filled {await CheckIn.count():,} check-ins in {time.perf_counter() - started:.1f} s")
        total = await CheckIn.count()
        weeks = max(1, (total // 2000) // 10)  # events are a week apart: a tenth of them
        tenth = AttendanceFilter(date_to=datetime(2026, 1, 4).date() + timedelta(days=7 * weeks - 1))
        # Counted, not assumed: with few rows "a tenth" is still one whole event.
        return total, [(flt, await count_rows(flt, "long")) for flt in (tenth, AttendanceFilter())]

    async def measure(flt: object, fmt: str) -> tuple[float, float, int, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        size = await _export(flt, fmt)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak = float("nan")
        if trace:
            tracemalloc.start()
            await _export(flt, fmt)
            peak = tracemalloc.get_traced_memory()[1] / 1024
            tracemalloc.stop()
        return seconds, cpu_seconds, size, peak

    async def main_async() -> None:
        _, cases = await prepare()
        print(f"{'db':6}" + HEADER[6:])
        for fmt in formats:
            for flt, rows in cases:
                rss = _maxrss_kib()
                seconds, cpu_seconds, size, peak = await measure(flt, fmt)
                print(f"{fmt:6} {rows:9,} {seconds:9.2f} {cpu_seconds:9.2f} {rows / seconds:9,.0f} "
                      f"{size / 2**20:9.1f} {_maxrss_kib() - rss:9,} {peak:9,.0f}", flush=True)
        await stop_engine(engine)

    try:
        asyncio.run(main_async())
    finally:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
