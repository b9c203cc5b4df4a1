"""Log in, schedule a three-day ToT in Cumilla, and find it in the list, on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_log_in_create_an_event_and_see_it_in_the_list(live_server, phone):
    page = phone
    errors: list[str] = []
    # The 422 of the deliberately invalid form is expected; anything else is a defect.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None)
    page.goto(f"{live_server}/manage/events")
    assert page.url.startswith(f"{live_server}/login")
    screenshot(page, "01-login")
    page.get_by_label("Email or phone").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/manage/events")

    page.get_by_role("link", name="Schedule an event").click()
    page.get_by_label("Kind").select_option("tot")
    page.get_by_label("Title").fill("ToT on sustainable reintegration")
    page.get_by_label("District").select_option("cumilla")
    page.get_by_label("Venue").fill("BARD, Kotbari")
    page.get_by_label("Start date").fill("2026-12-01")
    page.get_by_label("End date").fill("2026-11-30")
    page.get_by_role("button", name="Create event").click()
    assert page.locator("#end_date-error").inner_text() == "The end date is before the start date."
    screenshot(page, "02-event-form-error")
    page.get_by_label("End date").fill("2026-12-03")
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(f"{live_server}/manage/events/*")
    assert page.get_by_text("Day 3").is_visible()
    screenshot(page, "03-event-detail")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_label("Search title or venue").fill("sustainable")
    # expect() polls without eval (wait_for_function's string is eval'd, which the CSP forbids once it has to poll).
    expect(page.locator(".count")).to_contain_text("1 event")
    assert page.get_by_role("link", name="ToT on sustainable reintegration").is_visible()
    screenshot(page, "04-event-list")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"
    screenshot(page, "04-event-list")
    assert not errors, errors
