"""Certificate rendering speed: run `PYTHONPATH=. python bench/certificates.py` from the repo root.

Measures, in one process: separate PDFs per second (300 after a warm-up), a ZIP of 1,000 separate
PDFs, one merged 1,000-page PDF, and the average size of a separate PDF. Names are unique per
certificate (as in real use), so name shaping is not served from the cache.

`--service N` measures the feature end to end on a fresh SQLite database: a bulk issue job for an
event with N eligible people (rows, serials, audit, history), then the ZIP of their certificates
streamed by `portal.certificates.delivery.zip_stream` (facts read from the database, PDFs rendered
in a worker thread), with the largest chunk it yielded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time
import zipfile

from PIL import Image, ImageDraw

from portal.certificates.render import CertificateFacts, Signatory, render_certificate, render_certificates

FIRST = ["Rahima", "Abdul", "Fatema", "Mohammad", "Nasrin", "Kamal", "Shirin", "Rafiqul", "Sumaiya", "Jahid"]
LAST = ["Begum", "Karim", "Khatun", "Hossain", "Akter", "Uddin", "Sultana", "Islam", "Rahman", "Chowdhury"]
FIRST_BN = ["রহিমা", "আব্দুল", "ফাতেমা", "মোহাম্মদ", "নাসরিন", "কামাল", "শিরিন", "রফিকুল", "সুমাইয়া", "জাহিদ"]
LAST_BN = ["বেগম", "করিম", "খাতুন", "হোসেন", "আক্তার", "উদ্দিন", "সুলতানা", "ইসলাম", "রহমান", "চৌধুরী"]


def _png(width: int, height: int, rgb: tuple[int, int, int], transparent: bool) -> bytes:
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    stroke = [(8, height - 20), (width // 3, 12), (width // 2, height - 14), (width - 10, 16)]
    draw.line(stroke, fill=rgb, width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_facts(count: int) -> list[CertificateFacts]:
    """Build count certificates for one event with unique serials and (mostly) unique names."""
    logo = _png(360, 100, (11, 93, 63), transparent=False)
    signatories = (
        Signatory("Dr. Farhana Rahman", "Programme Director", _png(300, 90, (20, 30, 120), True)),
        Signatory("Md. Abdullah Al Mamun", "Deputy Director, BMET", _png(300, 90, (0, 0, 0), True)),
    )
    facts = []
    for i in range(count):
        first, last = i % 10, (i // 10) % 10
        serial = f"TOT-2026-{i:04d}"
        facts.append(
            CertificateFacts(
                serial=serial,
                kind="participation",
                name_en=f"{FIRST[first]} {LAST[last]} {i}",
                name_bn=f"{FIRST_BN[first]} {LAST_BN[last]} {i}",
                event_title="Training of Trainers on Safe Migration and Reintegration",
                event_kind="Training of Trainers (ToT)",
                district="Cumilla",
                district_bn="কুমিল্লা",
                start=dt.date(2026, 11, 23),
                end=dt.date(2026, 11, 25),
                days_attended=3,
                sessions_total=6,
                hours_attended=18.5,
                verification_url=f"https://portal.example.org/verify/{serial}-8F3K2Q",
                issued_on=dt.date(2026, 11, 26),
                programme_name="Safe Migration and Governance Programme, Bangladesh",
                logo=logo,
                signatories=signatories,
            )
        )
    return facts


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--separate", type=int, default=300, help="separate PDFs to time")
    parser.add_argument("--batch", type=int, default=1000, help="certificates in the ZIP and merged PDF")
    parser.add_argument("--service", type=int, default=0, help="also issue and zip N certificates via the services")
    args = parser.parse_args()
    if args.service:
        import asyncio

        asyncio.run(service_bench(args.service))

    warm = make_facts(20)
    for facts in warm:
        render_certificate(facts)
    facts = make_facts(max(args.separate, args.batch) + 20)[20:]  # names not seen in the warm-up

    with _Timer() as separate:
        sizes = [len(render_certificate(f)) for f in facts[: args.separate]]

    buffer = io.BytesIO()
    with _Timer() as zipped, zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for f in facts[: args.batch]:
            archive.writestr(f"{f.serial}.pdf", render_certificate(f))

    with _Timer() as merged_time:
        merged = render_certificates(facts[: args.batch])

    mib = 2**20
    rows = [
        (
            "separate PDFs per second",
            f"{args.separate / separate.wall:.0f}",
            f"{args.separate / separate.cpu:.0f}",
            f"{1000 * separate.cpu / args.separate:.1f} ms CPU each",
        ),
        (
            f"ZIP of {args.batch} PDFs, seconds",
            f"{zipped.wall:.2f}",
            f"{zipped.cpu:.2f}",
            f"{buffer.tell() / mib:.1f} MiB",
        ),
        (
            f"merged {args.batch}-page PDF, ms/page",
            f"{1000 * merged_time.wall / args.batch:.2f}",
            f"{1000 * merged_time.cpu / args.batch:.2f}",
            f"{len(merged) / mib:.2f} MiB",
        ),
        ("average separate PDF, KiB", f"{sum(sizes) / len(sizes) / 1024:.1f}", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'wall':>8}  {'CPU':>8}  note")
    for label, wall, cpu, note in rows:
        print(f"{label:<{width}}  {wall:>8}  {cpu:>8}  {note}")


async def service_bench(count: int) -> None:
    """Bulk issue and streamed ZIP through the services, on a throw-away SQLite database."""
    import os
    import tempfile
    from zoneinfo import ZoneInfo

    os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-certs-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["PICCOLO_CONF"] = "portal.piccolo_conf"
    from portal.__main__ import migrate

    await migrate()
    from portal.auth.services import CurrentUser
    from portal.certificates import delivery, jobs
    from portal.db import bind_engine, make_engine, start_engine
    from portal.settings import Settings
    from tests.certificates import factories

    settings = Settings.from_env()
    engine = make_engine("", settings.sqlite_path)
    bind_engine(engine)
    await start_engine(engine)
    event_id, sessions = await factories.make_event(kind="tot", days=3)
    for _ in range(count):
        await factories.make_registration(event_id, attend=sessions)
    user = CurrentUser(id=None, name="bench", role="admin")  # type: ignore[arg-type]
    with _Timer() as issuing:
        await jobs.wait(await jobs.start(user, event_id))
    ids = await delivery.event_certificate_ids(event_id)
    size = largest = 0
    with _Timer() as zipping:
        async for chunk in delivery.zip_stream(ids, "https://portal.example.org", ZoneInfo("Asia/Dhaka")):
            size, largest = size + len(chunk), max(largest, len(chunk))
    print(f"service: issued {len(ids)} in {issuing.wall:.2f} s wall, {issuing.cpu:.2f} s CPU "
          f"({len(ids) / issuing.wall:.0f}/s); streamed ZIP of {len(ids)} in {zipping.wall:.2f} s wall, "
          f"{zipping.cpu:.2f} s CPU, {size / 2**20:.1f} MiB, largest chunk {largest / 1024:.0f} KiB")


class _Timer:
    """Wall-clock and CPU time of a block (CPU time is what counts on a shared machine)."""

    def __enter__(self) -> _Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


if __name__ == "__main__":
    main()
