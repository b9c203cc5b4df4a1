"""Export benchmark: time, size and peak memory of the CSV and XLSX renderers over long-format check-ins.

Run from the repository root:

    PYTHONPATH=. python bench/exports.py                      # 10,000 and 100,000 rows, CSV and XLSX
    PYTHONPATH=. python bench/exports.py --rows 1000000 --formats csv --no-tracemalloc

Memory is "flat" when the peak for 100,000 rows is about the peak for 10,000. Timings are taken
without tracemalloc (it slows Python several times); peaks come from a second, traced run.
To measure a real query, write a function like `synthetic_checkins` (rows in, no list) and pass
it as `source` to `run`.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from portal.reports.renderers import Column, Export, render_csv, render_xlsx

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
    """Render `count` rows from `source`; return seconds, rows/s, bytes, RSS growth and traced peak."""
    rss_before = _maxrss_kib()
    started = time.perf_counter()
    size = _consume(render("bench", COLUMNS, source(count)))
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
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
    args = parser.parse_args()
    renderers = {"csv": render_csv, "xlsx": render_xlsx}
    counts = sorted(args.rows)  # smallest first, so the RSS high-water mark shows growth
    header = ("format", "rows", "seconds", "rows/s", "size MiB", "RSS +KiB", "peak KiB")
    print(f"{header[0]:6} " + " ".join(f"{h:>9}" for h in header[1:]))
    for count in counts:
        print(f"{'source':6} {count:9,} {source_only(synthetic_checkins, count):9.2f}")
    for fmt in args.formats:
        for count in counts:
            r = run(renderers[fmt], synthetic_checkins, count, args.trace)
            print(
                f"{fmt:6} {count:9,} {r['seconds']:9.2f} {r['rows_per_s']:9,.0f} {r['bytes'] / 2**20:9.1f} "
                f"{r['rss_growth_kib']:9,} {r['traced_peak_kib']:9,.0f}"
            )


if __name__ == "__main__":
    main()
