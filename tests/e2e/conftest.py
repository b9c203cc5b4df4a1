"""Browser tests: a real server (`python -m portal serve`) and Debian's Chromium via Playwright.

Without /usr/bin/chromium the tests are skipped with a reason; with PORTAL_REQUIRE_BROWSER=1
(CI) they fail instead. Screenshots go to build/screenshots/ (or PORTAL_SCREENSHOTS) for people to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "admin password 2026"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS")
                   or Path(__file__).resolve().parents[2] / "build" / "screenshots")
PIXEL_5 = {"viewport": {"width": 393, "height": 851}, "device_scale_factor": 2.75, "is_mobile": True,
           "has_touch": True}


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (PORTAL_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(migrated_database, tmp_path_factory) -> Iterator[str]:
    """The portal served by uvicorn on a free port, on a copy of the migrated SQLite database."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("live-data")
    shutil.copyfile(migrated_database, data_dir / "portal.sqlite3")
    port = _free_port()
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_PORT": str(port),
           "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL, "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("DATABASE_URL", None)
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed below
    # The server's clock starts at the suite's "now" (tests/e2e/serve_at.py), like every other test's.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    process = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve_at"], env=env, stdout=log, stderr=log,
                               cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"server did not start: {(data_dir / 'server.log').read_text()}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the session."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A page in a Pixel 5-sized context."""
    context = browser.new_context(**PIXEL_5, locale="en-GB", timezone_id="Asia/Dhaka")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": Playwright's default hides the caret by writing a style attribute into every
    # field; an htmx swap later copies that attribute to the new fields (its settle step), and the
    # page's CSP refuses it with console errors a real user never causes.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path
