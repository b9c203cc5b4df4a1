"""Slow-3G benchmark: the participant's flow in Chromium on Chrome DevTools' "Slow 3G" link.

Starts `python -m portal serve` on a free port (SQLite in a temporary directory), seeds an event
and a registered person per run through the staff pages, then times the participant's four steps
on a throttled phone-sized page (360 px): open the ticket page, open the self check-in link (read
from the venue screen's QR code), check in (one tap), open the certificate's verify page. Each
step is timed from navigation start to DOMContentLoaded (the HTML is in and parsed: its links and
forms work, as these pages need no script), to first contentful paint (text on screen), to load
(CSS and images in) and to the last byte (web fonts too: a browser asks for a font only after
layout, so it may arrive after load), from the browser's Navigation, Paint and Resource Timing,
with the bytes transferred (the Bengali web font included).

Throttling is CDP Network.emulateNetworkConditions with the DevTools "Slow 3G" preset: latency
2000 ms (400 ms x 5) and 500 kbit/s x 0.8 = 51,200 bytes/s each way. No CPU throttling.

Two runs per language: "phone" keeps the browser cache from step to step (a participant's own
phone: the CSS and fonts fetched on the ticket page are reused), "cold" starts every step with an
empty cache (the worst case, e.g. the verify page opened on someone else's phone). Bangla is the
remembered choice (the switch's cookie); English is the browser default. The machine has no local
Bengali font, so Bangla pages download the bundled web font (44-48 KB a weight), as a phone
without Noto Sans Bengali would.

    PYTHONPATH=. python bench/slow3g.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW_3G = {"offline": False, "latency": 400 * 5, "downloadThroughput": 500 * 1024 / 8 * 0.8,
           "uploadThroughput": 500 * 1024 / 8 * 0.8}
ADMIN_EMAIL, ADMIN_PASSWORD = "bench@example.org", "bench password 2026"
STEPS = ("ticket", "self check-in link", "check in", "verify")

# Read once the page has settled: fonts requested after layout (the Bengali web font is) are in.
TIMING = """async () => {
    await document.fonts.ready;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {dcl: nav.domContentLoadedEventEnd, fcp: paint ? paint.startTime : NaN, load: nav.loadEventEnd,
            done: Math.max(nav.responseEnd, ...resources.map((r) => r.responseEnd)),
            bytes: nav.transferSize + resources.reduce((total, r) => total + r.transferSize, 0)};
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(work: Path) -> tuple[subprocess.Popen, str]:
    """A migrated portal on a free port with a first admin."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_DATA_DIR": str(work / "data"), "PORTAL_PORT": str(port),
           "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL, "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD, "PORTAL_BASE_URL": base,
           "PICCOLO_CONF": "portal.piccolo_conf"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "portal", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen([sys.executable, "-m", "portal", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
            return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the portal did not start")


def throttled_page(context):
    """A new page of the context on the Slow 3G link."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    return page


def settled(page) -> dict:
    """The timings of the page just opened, once nothing more is on the way."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    return page.evaluate(TIMING)


def timed(page, action) -> dict:
    """Run a navigation (goto or a click that submits) and read its timings."""
    action()
    return settled(page)


def run_flow(browser, staff, base: str, lang: str, mode: str, number: int) -> list[dict]:
    """One participant's four steps; returns one timing per step."""
    from tests.e2e.flow import PHONE_360, issue_certificate, seed, self_check_in_link

    seeded = seed(staff, base, title="Safe migration workshop", name=f"Rahima Begum {number}",
                  name_bn="রহিমা বেগম", phone=f"01711-{500000 + number:06d}")
    context = browser.new_context(**PHONE_360, locale="en-GB")
    if lang == "bn":  # the switch's remembered choice
        context.add_cookies([{"name": "lang", "value": "bn", "url": base}])
    page = throttled_page(context)

    def fresh_page():
        nonlocal page
        if mode == "cold":  # a new context: empty cache, but the ticket cookie of this phone kept
            cookies = page.context.cookies()
            page.context.close()
            fresh = browser.new_context(**PHONE_360, locale="en-GB")
            fresh.add_cookies(cookies)
            page = throttled_page(fresh)
        return page

    results = [timed(page, lambda: page.goto(f"{base}/t/{seeded.token}", wait_until="commit"))]
    link = self_check_in_link(staff, base, seeded)
    fresh_page()
    results.append(timed(page, lambda: page.goto(link, wait_until="commit")))
    button = {"en": "Check me in", "bn": "আমার চেক-ইন করুন"}[lang]
    # Checking in is a tap on the page just opened, so its cache is that page's, in both modes.
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    results.append(settled(page))
    if page.locator(".scan-ok").count() != 1:
        raise SystemExit(f"check-in failed: {page.content()}")
    code = issue_certificate(staff, base, seeded)
    fresh_page()
    results.append(timed(page, lambda: page.goto(f"{base}/verify/{code}", wait_until="commit")))
    page.context.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
    args, _ = parser.parse_known_args()  # bench/run.py passes every benchmark the same arguments
    if not Path(args.chromium).exists():
        raise SystemExit(f"Chromium not found at {args.chromium} (Debian package 'chromium')")
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import LAUNCH_ARGS
    from tests.e2e.flow import PHONE_360, log_in

    work = Path(tempfile.mkdtemp(prefix="bench-slow3g-"))
    server, base = start_server(work)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
            staff = browser.new_context(**PHONE_360).new_page()
            log_in(staff, base, ADMIN_EMAIL, ADMIN_PASSWORD)
            print("Slow 3G (DevTools preset: 2000 ms latency, 51,200 B/s each way), Chromium at 360 px;")
            print("ms from navigation start to DOMContentLoaded, first contentful paint, load, and the last byte")
            print("(web fonts, which are fetched after layout, included); bytes transferred.\n")
            print(f"{'step':20} {'lang':4} {'cache':6} {'DCL ms':>8} {'FCP ms':>8} {'load ms':>8} {'all in':>8} "
                  f"{'bytes':>8}")
            number = 0
            for mode in ("phone", "cold"):
                for lang in ("en", "bn"):
                    number += 1
                    for step, r in zip(STEPS, run_flow(browser, staff, base, lang, mode, number), strict=True):
                        print(f"{step:20} {lang:4} {mode:6} {r['dcl']:8.0f} {r['fcp']:8.0f} {r['load']:8.0f} "
                              f"{r['done']:8.0f} {r['bytes']:8d}",
                              flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
