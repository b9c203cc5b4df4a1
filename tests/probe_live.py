"""Probe a running portal for the holes of issue 13, from outside, as an attacker would (plus a staff login
to set the stage, as someone at the venue sees the screen). Run it by hand against a server loaded with
the demo data, never against real data (it creates an event, people, a trainer account and uploads):

    PORTAL_DATA_DIR=/tmp/demo .venv/bin/python -m portal demo
    PORTAL_DATA_DIR=/tmp/demo PORTAL_PORT=8123 .venv/bin/python -m portal serve &
    .venv/bin/python tests/probe_live.py --base http://127.0.0.1:8123 --data-dir /tmp/demo --pid <server pid>

It prints what it tried and what came back, item by item, and exits 1 when a hole is open (0 when all
held). `--json` prints the figures as JSON instead. Every request comes from this machine's address, so
the per-address limits apply to all of them: run it again after 15 minutes (login counts), or the
address is refused at once. tests/test_probe_live.py runs it against a server it starts.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import datetime as dt
import email.utils
import io
import json
import random
import re
import statistics
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import httpx

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the demo data's published password
RLO, LRI = "\u202e", "\u2066"


class Probe:
    """One run: the server's address, the figures found and the holes left open."""

    def __init__(self, base: str, data_dir: Path | None, pid: int | None, guesses: int) -> None:
        self.base, self.data_dir, self.pid, self.guesses = base.rstrip("/"), data_dir, pid, guesses
        self.figures: dict[str, dict] = {}
        self.open: list[str] = []
        self.rng = random.Random(time.time_ns())

    def client(self) -> httpx.Client:
        """A fresh browser: no cookies, the CSRF cookie fetched."""
        browser = httpx.Client(base_url=self.base, timeout=60, follow_redirects=False)
        browser.get("/login")
        browser.headers["x-csrftoken"] = browser.cookies.get("csrftoken", "")
        return browser

    def login(self, email: str, password: str = DEMO_PASSWORD, browser: httpx.Client | None = None) -> httpx.Client:
        browser = browser or self.client()
        answer = browser.post("/login", data={"identifier": email, "password": password})
        if answer.status_code != 303:
            raise SystemExit(f"cannot log in as {email}: {answer.status_code}")
        browser.headers["x-csrftoken"] = browser.cookies.get("csrftoken", "")
        return browser

    def report(self, item: str, figures: dict, holds: bool, summary: str) -> None:
        self.figures[item] = {**figures, "holds": holds, "summary": summary}
        if not holds:
            self.open.append(item)

    def phone(self) -> str:
        return f"01{self.rng.choice('3456789')}{self.rng.randrange(10**8):08d}"

    def rss(self) -> dict:
        """The server's resident memory now and at its peak (MiB), when its pid is known."""
        if not self.pid:
            return {}
        status = Path(f"/proc/{self.pid}/status").read_text()
        values = {k: int(v.split()[0]) // 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        return {"rss_mib": values.get("VmRSS"), "peak_rss_mib": values.get("VmHWM")}

    # -- the stage: an event with walk-ins, its session and the code on its venue screen

    def stage(self) -> None:
        self.staff = self.login("coordinator@demo.example")
        # The server's own date (its Date header) in Dhaka: the probe may run on another machine.
        served_at = email.utils.parsedate_to_datetime(self.staff.get("/healthz").headers["date"])
        today = (served_at + dt.timedelta(hours=6)).date().isoformat()
        answer = self.staff.post("/manage/events", data={
            "kind": "district_workshop", "title": f"Probe {time.strftime('%H%M%S')}", "district": "dhaka",
            "venue": "Hall", "start_date": today, "end_date": today, "walk_ins": "on", "capacity": "",
            # check-in open all day, whatever the hour the probe runs at
            "checkin_opens_before": "1440", "checkin_closes_after": "1440"})
        self.event_id = int(answer.headers["location"].rstrip("/").rsplit("/", 1)[1])
        detail = self.staff.get(f"/manage/events/{self.event_id}").text
        self.session_id = int(re.search(r"/sessions/(\d+)/display", detail).group(1))

    def short_code(self) -> str:
        page = self.staff.get(f"/manage/events/{self.event_id}/sessions/{self.session_id}/display").text
        return re.search(rf"\b{self.session_id}-\d{{6}}\b", page).group(0)

    def walk_in(self, browser: httpx.Client, name: str, phone: str) -> httpx.Response:
        return browser.post(f"/c/{self.session_id}/{self.short_code()}",
                            data={"how": "walk_in", "name": name, "phone": phone})

    # -- 1 and 7: walk-ins

    def walk_ins(self) -> None:
        known_phone = self.phone()
        self.staff.post("/manage/participants", data={"name": "Probe Directory Person", "phone": known_phone,
                                                      "district": "dhaka"})
        taker = self.walk_in(self.client(), "Mallory Probe", known_phone)
        registered = "Probe Directory Person" in self.staff.get(
            f"/manage/events/{self.event_id}/registrations").text
        revealed = "Probe Directory Person" in taker.text or ">Probe<" in taker.text
        self.report("1a walk-in with a directory phone", {
            "status": taker.status_code, "checked_in": "Checked in" in taker.text, "registered": registered,
            "stored_name_shown": revealed},
            taker.status_code != 200 and not registered and not revealed,
            f"answered {taker.status_code}; registered: {registered}; stored name shown: {revealed}")

        browser, statuses, first = self.client(), [], None
        for n in range(12):
            answer = self.walk_in(browser, f"Walk{RLO}in{LRI} Probe{n}", self.phone())
            statuses.append(answer.status_code)
            first = first or answer
        people = len(set(re.findall(r"Walk(?:in|\u202ein\u2066) Probe\d+", self.staff.get(
            f"/manage/events/{self.event_id}/registrations").text)))
        self.report("1b walk-ins from one client", {"statuses": dict(Counter(statuses)), "people_made": people},
                    people <= 5 and 429 in statuses, f"12 walk-ins: {dict(Counter(statuses))}, {people} people made")
        listing = self.staff.get(f"/manage/events/{self.event_id}/registrations").text
        bidi = sum(listing.count(ch) + first.text.count(ch) for ch in (RLO, LRI))
        self.ticket = (re.search(r'href="/t/([A-Za-z0-9_-]+)"', first.text) or [None, None])[1]
        named = self.staff.post("/manage/participants", data={"name": f"Bidi{RLO} Probe{LRI}", "district": "dhaka",
                                                              "phone": self.phone()})
        person_page = self.staff.get(named.headers.get("location", "/manage/participants")).text
        bidi += person_page.count(RLO) + person_page.count(LRI)
        self.report("7 bidi controls in walk-in and participant names", {"bidi_characters_served": bidi},
                    bidi == 0, f"{bidi} bidi controls came back in the pages")

    # -- 2: typed codes

    def typed_codes(self) -> None:
        browser, statuses, retry = self.client(), Counter(), ""
        valid = self.short_code()
        started = time.perf_counter()
        for n in range(self.guesses):
            code = f"{self.session_id}-{(n * 7919 + 13) % 10**6:06d}"
            if code == valid:
                continue
            answer = browser.post("/c", data={"code": code})
            statuses[answer.status_code] += 1
            retry = answer.headers.get("retry-after", retry)
        elapsed = time.perf_counter() - started
        right = browser.post("/c", data={"code": self.short_code()})
        # Two codes are valid at any moment: a hit is expected after 500,000 guesses. Guesses that are
        # looked at come at the measured rate until the first 429, then as the limit lets them (per 10 minutes).
        rate = sum(statuses.values()) / elapsed if not statuses[429] else statuses[422] / 600
        days = 10**6 / 2 / rate / 86400
        wait = f"{days * 24 * 60:.0f} minutes" if days < 1 else f"{days:.0f} days"
        self.report("2 typed code guesses", {
            "guesses": sum(statuses.values()), "statuses": dict(statuses), "per_second": round(sum(
                statuses.values()) / elapsed), "retry_after_s": retry, "right_code_after": right.status_code,
            "days_to_a_hit_from_one_address": round(days, 3)},
            statuses[429] > 0 and statuses[422] <= 10 and right.status_code == 429,
            f"{dict(statuses)} at {sum(statuses.values()) / elapsed:.0f}/s; the right code then: {right.status_code};"
            f" one address expects a hit after {wait}")

    # -- 3: one-time links

    def links(self) -> None:
        listing = self.staff.get("/manage/pool").text
        for member_id in dict.fromkeys(re.findall(r'href="/manage/pool/(\d+)"', listing)):
            page = self.staff.get(f"/manage/pool/{member_id}").text
            if f"/manage/pool/{member_id}/invite" in page:
                break
        else:
            self.report("3 one-time link", {}, False, "no pool member left to invite")
            return
        invited = self.staff.post(f"/manage/pool/{member_id}/invite")
        token = re.search(r"/link/([A-Za-z0-9_-]+)", invited.text).group(1)
        self.trainer_name = re.search(r"Send <bdi[^>]*>([^<]+)</bdi>", invited.text).group(1)
        browsers = [self.client() for _ in range(4)]
        barrier = threading.Barrier(4)

        def use(n: int) -> int:
            barrier.wait()
            return browsers[n].post(f"/link/{token}", data={"password": f"probe password {n}"}).status_code

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(use, range(4)))
        # Several winners (the hole) each set a password: the one stored is the last written.
        self.trainer_passwords = [f"probe password {n}" for n, status in enumerate(statuses) if status == 303]
        self.report("3 one-time link used by 4 requests at once", {"statuses": sorted(statuses)},
                    sorted(statuses) == [303, 410, 410, 410], f"answers {sorted(statuses)}")

    # -- 4: login

    def login_rules(self) -> None:
        rows = read_csv(self.staff.get("/manage/pool/export"))
        phone = next((r["Phone"] for r in rows if r["Name"] == getattr(self, "trainer_name", "")), "")
        owner, password = self.client(), ""
        for candidate in getattr(self, "trainer_passwords", []) if phone else []:
            if owner.post("/login", data={"identifier": phone, "password": candidate}).status_code == 303:
                password = candidate  # the owner's browser, now known to the account
                owner.headers["x-csrftoken"] = owner.cookies.get("csrftoken", "")
                owner.post("/logout")
                break
        if password:
            digits = phone.removeprefix("+880")
            spellings = ["0" + digits, phone, "880" + digits, f"0{digits[:4]}-{digits[4:]}"]
            guesser, tries = self.client(), 0
            while tries < 30:
                answer = guesser.post("/login", data={"identifier": spellings[tries % 4], "password": "wrong pass"})
                tries += 1
                if answer.status_code == 429:
                    break
            back_in = owner.post("/login", data={"identifier": phone, "password": password})
            self.report("4a one counter for every spelling of a phone", {
                "tries_before_429": tries - 1, "owner_with_known_browser": back_in.status_code},
                tries - 1 <= 5 and back_in.status_code == 303,
                f"{tries - 1} wrong tries over 4 spellings before 429; the owner's browser then: {back_in.status_code}")
        else:
            self.report("4a one counter for every spelling of a phone", {}, False, "no trainer account with a phone")
        browser, known, unknown = self.client(), [], []
        for n in range(4):
            for identifier, times in (("trainer@demo.example", known), (f"nobody{n}.{time.time_ns()}@demo.example",
                                                                        unknown)):
                started = time.perf_counter()
                browser.post("/login", data={"identifier": identifier, "password": f"wrong {n}"})
                times.append((time.perf_counter() - started) * 1000)
        ratio = statistics.median(unknown) / statistics.median(known)
        self.report("4b wrong password: existing vs unknown account", {
            "existing_ms": round(statistics.median(known), 1), "unknown_ms": round(statistics.median(unknown), 1),
            "ratio": round(ratio, 2)}, 0.5 < ratio < 2,
            f"median {statistics.median(known):.0f} ms for an existing account, {statistics.median(unknown):.0f} ms "
            f"for an unknown one")
        owner = self.login("organizer.khulna@demo.example")
        owner.post("/logout")
        guesser = self.client()
        statuses = [guesser.post("/login", data={"identifier": "organizer.khulna@demo.example",
                                                  "password": f"guess {n}"}).status_code for n in range(7)]
        right_from_guesser = guesser.post("/login", data={"identifier": "organizer.khulna@demo.example",
                                                          "password": DEMO_PASSWORD}).status_code
        owner_in = owner.post("/login", data={"identifier": "organizer.khulna@demo.example",
                                              "password": DEMO_PASSWORD}).status_code
        self.report("4c a guesser cannot lock the owner out", {
            "guesser": dict(Counter(statuses)), "guesser_with_right_password": right_from_guesser,
            "owner": owner_in}, 429 in statuses and owner_in == 303,
            f"guesser {dict(Counter(statuses))}, then the right password from the guesser {right_from_guesser}; "
            f"the owner {owner_in}")

    # -- 5: spreadsheets

    def spreadsheets(self) -> None:
        for name, data in (("dimension-bomb.xlsx", xlsx(sheet_xml("A1:XFD5001"))),
                           ("shared-string-bomb.xlsx", xlsx(sheet_xml("A1:A2", shared=True),
                                                            shared=b"A" * 60 * 1024 * 1024))):
            pings, stop = [], threading.Event()

            def ping(pings: list[float] = pings, stop: threading.Event = stop) -> None:
                with httpx.Client(base_url=self.base, timeout=60) as pinger:
                    while not stop.is_set():
                        started = time.perf_counter()
                        pinger.get("/ping")
                        pings.append((time.perf_counter() - started) * 1000)
                        time.sleep(0.02)

            before = self.rss()
            pinger = threading.Thread(target=ping)
            pinger.start()
            started = time.perf_counter()
            answer = self.staff.post(f"/manage/events/{self.event_id}/import",
                                     files={"file": (name, data, "application/octet-stream")})
            elapsed = time.perf_counter() - started
            stop.set()
            pinger.join()
            figures = {"file_kb": round(len(data) / 1024, 1), "status": answer.status_code,
                       "answer_kb": round(len(answer.content) / 1024, 1), "seconds": round(elapsed, 2),
                       "slowest_ping_ms": round(max(pings, default=0), 1), **self.rss(),
                       "peak_rss_before_mib": before.get("peak_rss_mib")}
            held = (answer.status_code == 422 and elapsed < 2 and len(answer.content) < 200_000
                    and max(pings, default=0) < 1000)
            self.report(f"5 {name}", figures, held,
                        f"{figures['file_kb']} KB file: {answer.status_code} in {elapsed:.2f} s, answer "
                        f"{figures['answer_kb']} KB, slowest /ping meanwhile {figures['slowest_ping_ms']} ms"
                        + (f", server peak RSS {before['peak_rss_mib']} -> {figures['peak_rss_mib']} MiB"
                           if self.pid else ""))

    # -- 6: caching

    def caching(self) -> None:
        event, session = self.event_id, self.session_id
        private = ["/manage", "/manage/events", f"/manage/events/{event}", f"/manage/events/{event}/registrations",
                   f"/manage/events/{event}/sessions/{session}/sheet.pdf", f"/manage/events/{event}/import",
                   "/manage/pool", "/manage/pool/export", "/manage/participants", "/manage/reports/attendance",
                   "/manage/reports/attendance/export?format=csv", "/courses"]
        events = re.findall(r'href="/manage/events/(\d+)"', self.staff.get("/manage/events").text)
        for event_id in dict.fromkeys(events):
            if self.staff.get(f"/manage/events/{event_id}/certificates/zip").status_code == 200:
                private.append(f"/manage/events/{event_id}/certificates/zip")
                break
        answers = {path: self.staff.get(path) for path in private}
        tokens = [f"/t/{self.ticket}", f"/t/{self.ticket}/materials", f"/t/{self.ticket}/ticket.pdf"] if self.ticket \
            else []
        answers.update({path: self.client().get(path) for path in tokens})
        cached = [f"{path} ({a.status_code}: {a.headers.get('cache-control', 'none')})"
                  for path, a in answers.items() if "no-store" not in a.headers.get("cache-control", "")]
        self.report("6 private answers and caches", {"checked": len(answers), "cacheable": cached}, not cached,
                    f"{len(answers)} private answers, {len(cached)} without no-store")

    # -- 8: files

    def files(self) -> None:
        if not self.data_dir:
            return
        job = self.staff.post("/manage/reports/jobs", data={"format": "xlsx", "shape": "wide"})
        for _ in range(100):
            if "every 1s" not in self.staff.get(job.headers["location"], headers={"HX-Request": "true"}).text:
                break
            time.sleep(0.1)
        loose = [f"{p} {oct(p.stat().st_mode & 0o777)}" for p in [self.data_dir, *self.data_dir.rglob("*")]
                 if p.stat().st_mode & 0o077]
        self.report("8 data files readable by others", {"checked": len(list(self.data_dir.rglob("*"))),
                                                        "loose": loose}, not loose,
                    f"{len(loose)} files or folders readable by other users")

    # -- 9: the pool export of an organizer limited to Sylhet

    def pool_scope(self) -> None:
        organizer = self.login("organizer.sylhet@demo.example")
        rows = read_csv(organizer.get("/manage/pool/export"))
        outside = [r for r in rows if r["District"] != "Sylhet"]
        with_contacts = [r for r in outside if r["Phone"] or r["Email"]]
        self.report("9 pool export of an organizer limited to Sylhet", {
            "rows": len(rows), "outside_sylhet": len(outside), "outside_with_contacts": len(with_contacts)},
            not with_contacts, f"{len(rows)} rows, {len(outside)} outside Sylhet, {len(with_contacts)} of them with "
                               "phone or email")

    def run(self) -> None:
        self.stage()
        self.walk_ins()
        self.spreadsheets()  # before the links: four argon2 hashes at once (64 MiB each) raise the peak memory
        self.links()
        self.pool_scope()
        self.caching()
        self.files()
        self.login_rules()  # late: its failed logins count against this address for 15 minutes
        self.typed_codes()  # last: it leaves this address refused for typed codes for 10 minutes


def read_csv(answer: httpx.Response) -> list[dict[str, str]]:
    """The rows of a CSV answer (the portal's start with a byte-order mark, and a cell that Excel would read
    as a formula, such as +8801711000099, starts with a ')."""
    rows = csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))
    return [{key: value.removeprefix("'") for key, value in row.items()} for row in rows]


def sheet_xml(ref: str, shared: bool = False) -> bytes:
    cell = '<c r="A2" t="s"><v>0</v></c>' if shared else '<c r="A2" t="inlineStr"><is><t>Rahima</t></is></c>'
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><dimension ref="{ref}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
            f'<t>Name</t></is></c></row><row r="2">{cell}</row></sheetData></worksheet>').encode()


def xlsx(sheet: bytes, shared: bytes | None = None) -> bytes:
    """A minimal workbook, as small as a hostile one is."""
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{main}/package/2006/content-types"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        f'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{main}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{main}/officeDocument/2006/'
        f'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{main}/officeDocument/2006/relationships/sharedStrings" '
        f'Target="sharedStrings.xml"/></Relationships>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}/spreadsheetml/2006/main" count="1" '
                         f'uniqueCount="1"><si><t>'.encode() + (shared or b"x") + b"</t></si></sst>")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Run every probe; print the figures; 1 when a hole is open."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8123")
    parser.add_argument("--data-dir", type=Path, help="its PORTAL_DATA_DIR, to check file modes (same machine)")
    parser.add_argument("--pid", type=int, help="its process id, to read its memory (same machine)")
    parser.add_argument("--guesses", type=int, default=250, help="typed codes to try (default 250)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    probe = Probe(args.base, args.data_dir, args.pid, args.guesses)
    probe.run()
    if args.json:
        print(json.dumps({"figures": probe.figures, "open": probe.open}, ensure_ascii=False, indent=1))
    else:
        for item, figures in probe.figures.items():
            print(f"{'held' if figures['holds'] else 'OPEN'}  {item}: {figures['summary']}")
        print(f"\n{len(probe.figures) - len(probe.open)} of {len(probe.figures)} held.")
    return 1 if probe.open else 0


if __name__ == "__main__":
    sys.exit(main())
