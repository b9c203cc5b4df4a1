"""A person registers on an event's public page on a phone-sized Chromium, in Bangla, and their ticket arrives
by email through a real SMTP server process (tests/messages/smtp_server.py); its link opens the ticket."""

import re
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import _require_browser, screenshot
from tests.e2e.server import running_portal
from tests.messages.conftest import start_smtp

pytestmark = pytest.mark.browser
PHONE_WIDTH = 360


def _seed(path: Path) -> int:
    db = sqlite3.connect(path)
    with db:
        event = db.execute(
            "INSERT INTO event (kind, title, description, district, venue, start_date, end_date, status, "
            "completion_percent, walk_ins) VALUES ('cso_meeting', 'CSO platform meeting', '', 'sylhet', "
            "'Circuit House', '2026-12-20', '2026-12-20', 'published', 100, 0)").lastrowid
        db.execute("INSERT INTO public_signup (event, open) VALUES (?, 1)", (event,))
    db.close()
    return event


@pytest.fixture(scope="module")
def signup_server(migrated_database, tmp_path_factory):
    """A portal whose email goes to a real SMTP server process, with one event open for public registration."""
    _require_browser()
    smtp = start_smtp(tmp_path_factory.mktemp("smtp") / "mail")
    seeded = {}

    def prepare(data_dir: Path, env: dict) -> None:
        seeded["event"] = _seed(data_dir / "portal.sqlite3")
        env.update(PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(smtp.port),
                   PORTAL_SMTP_FROM="portal@programme.example")

    try:
        with running_portal(migrated_database, tmp_path_factory.mktemp("signup-live"), prepare) as url:
            yield url, seeded["event"], smtp
    finally:
        smtp.stop()


def test_register_on_a_phone_and_get_the_ticket_by_email(signup_server, browser):
    url, event_id, smtp = signup_server
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 800}, is_mobile=True, has_touch=True,
                                  locale="bn-BD", timezone_id="Asia/Dhaka")
    context.add_cookies([{"name": "lang", "value": "bn", "url": url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/r/{event_id}")
    assert page.locator("html").get_attribute("lang") == "bn"
    page.get_by_label("আপনার নাম").fill("রহিমা বেগম")
    page.get_by_label("মোবাইল নম্বর").fill("01711-987654")
    page.get_by_label("ইমেইল (যদি থাকে)").fill("rahima@example.org")
    page.get_by_label("জেলা").select_option("sylhet")
    page.get_by_label("এই অনুষ্ঠান সম্পর্কে এসএমএস ও ইমেইলে বার্তা পেতে আমি সম্মত।").check()
    screenshot(page, "signup-01-form-bn-360")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the form scrolls sideways ({width}px)"
    page.get_by_role("button", name="নিবন্ধন করুন").click()
    page.get_by_text("ধন্যবাদ। আপনার টিকিট").wait_for()
    screenshot(page, "signup-02-thanks-bn-360")

    deadline = time.monotonic() + 30
    while not smtp.received() and time.monotonic() < deadline:
        time.sleep(0.2)
    ((message, envelope),) = smtp.received()
    assert envelope["rcpt_tos"] == ["rahima@example.org"]
    assert message["Subject"] == "আপনার টিকিট: CSO platform meeting"
    body = message.get_content()
    assert "প্রিয় রহিমা বেগম" in body
    link = re.search(r"(http://127\.0\.0\.1:\d+/t/[\w-]+)", body).group(1)
    page.goto(link)
    assert page.get_by_text("রহিমা বেগম").first.is_visible()
    screenshot(page, "signup-03-ticket-from-email-bn-360")
    assert not errors, errors
    context.close()
