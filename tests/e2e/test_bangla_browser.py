"""A participant switches the portal to Bangla with the language switch and walks their flow on a
360 px phone: ticket, self check-in from the venue screen's QR code, certificate, verify page."""

from __future__ import annotations

import re

import pytest

from portal.core.i18n import format_when
from tests.e2e.conftest import screenshot
from tests.e2e.flow import PHONE_360, issue_certificate, log_in, seed, self_check_in_link
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.helpers import PORTAL_TZ, TEST_NOW

pytestmark = pytest.mark.browser
BANGLA_DIGITS = re.compile("[০-৯]")


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px ({width}px)"


def test_participant_switches_to_bangla_and_walks_ticket_check_in_certificate_verify(live_server, browser):
    staff = browser.new_context(**PHONE_360)
    organizer = staff.new_page()
    log_in(organizer, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    seeded = seed(organizer, live_server, title="Safe migration dialogue", name="Rahima Begum", name_bn="রহিমা বেগম",
                  phone="01711-424242")

    # The phone prefers English; the participant chooses Bangla on the ticket page.
    context = browser.new_context(**PHONE_360, locale="en-GB")
    person = context.new_page()
    errors: list[str] = []
    person.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    person.goto(f"{live_server}/t/{seeded.token}")
    assert person.locator("html").get_attribute("lang") == "en"
    person.get_by_role("navigation", name="Language").get_by_role("link", name="বাংলা").click()
    person.wait_for_url(f"{live_server}/t/{seeded.token}")
    assert person.locator("html").get_attribute("lang") == "bn"
    assert person.get_by_role("heading", name="সেশন ও আপনার উপস্থিতি").is_visible()
    assert person.get_by_text("চেক-ইন হয়নি").is_visible()
    # The English title and name are marked as English inside the Bangla page; dates have Bangla digits.
    assert person.locator("h1").get_attribute("lang") == "en"
    assert person.locator(".ticket-name strong").get_attribute("lang") == "en"
    # The event is dated on the suite's day (tests/e2e/flow.py): its month and year in Bangla.
    month = format_when(TEST_NOW.astimezone(PORTAL_TZ).date(), "%B %Y", "bn")
    assert month in person.inner_text("main") and "খুলনা" in person.inner_text("main")
    fits(person)
    screenshot(person, "bn-flow-1-ticket")

    # The venue screen's QR opens the self check-in page; the ticket on this phone checks in with one tap.
    person.goto(self_check_in_link(organizer, live_server, seeded))
    assert person.get_by_role("heading", name="মোবাইল নম্বর দিয়ে চেক-ইন").is_visible()
    fits(person)
    screenshot(person, "bn-flow-2-self-check-in")
    person.get_by_role("button", name="আমার চেক-ইন করুন").click()
    result = person.inner_text(".scan-result")
    assert "চেক-ইন হয়েছে" in result and BANGLA_DIGITS.search(result), result
    fits(person)
    screenshot(person, "bn-flow-3-checked-in")

    # The ticket now shows the attendance, and, once issued, the certificate.
    code = issue_certificate(organizer, live_server, seeded)
    person.goto(f"{live_server}/t/{seeded.token}")
    # the time as said in Bangla (portal/core/i18n.py format_time): "সকাল ১০:০২", "দুপুর ১২টা"
    said = r"(ভোর|সকাল|দুপুর|বিকেল|সন্ধ্যা|রাত) [০-৯]{1,2}(:[০-৯]{2}|টা)"
    assert person.get_by_text(re.compile(rf"উপস্থিত \(চেক-ইন {said}\)")).is_visible()
    assert person.get_by_role("heading", name="আপনার সনদপত্র").is_visible()
    with person.expect_download() as download:
        person.get_by_role("link", name="অংশগ্রহণের সনদপত্র ডাউনলোড করুন (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    fits(person)
    screenshot(person, "bn-flow-4-ticket-with-certificate")

    # Anyone scanning the certificate's QR code sees the verify page, in the language chosen.
    person.goto(f"{live_server}/verify/{code}")
    assert person.locator("html").get_attribute("lang") == "bn"
    assert person.get_by_role("heading", name="✓ বৈধ সনদপত্র").is_visible()
    answer = person.inner_text(".answer")
    assert "রহিমা বেগম" in answer and "অংশগ্রহণ" in answer and "খুলনা" in answer, answer
    fits(person)
    screenshot(person, "bn-flow-5-verify")
    # And back to English with the same switch.
    person.get_by_role("navigation", name="ভাষা").get_by_role("link", name="English").click()
    assert person.get_by_role("heading", name="✓ Valid certificate").is_visible()
    assert not errors, errors
    context.close()
    staff.close()
