"""Browser tests: a real server (tests/e2e/server.py) and Debian's Chromium via Playwright.

Without /usr/bin/chromium the tests are skipped with a reason; with PORTAL_REQUIRE_BROWSER=1
(CI) they fail instead. Screenshots go to build/screenshots/ (or PORTAL_SCREENSHOTS) for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import running_portal

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
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


@pytest.fixture(scope="session")
def live_server(migrated_database, tmp_path_factory) -> Iterator[str]:
    """The portal on a free port (tests/e2e/server.py), for the whole session."""
    _require_browser()
    with running_portal(migrated_database, tmp_path_factory.mktemp("live-data")) as url:
        yield url


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
