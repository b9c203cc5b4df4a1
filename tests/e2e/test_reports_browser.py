"""The report pages on a phone: no sideways scrolling, charts with text alternatives, the export form."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email or phone").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("path", ["/manage/reports/summary", "/manage/reports/dashboard",
                                  "/manage/reports/attendance", "/manage/api-keys"])
def test_report_pages_fit_a_phone(live_server, phone, path):
    page = phone
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, live_server)
    page.goto(f"{live_server}{path}")
    screenshot(page, "reports" + path.replace("/", "-"))
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert errors == []


def test_summary_charts_carry_titles_and_tables(live_server, phone):
    page = phone
    _log_in(page, live_server)
    page.goto(f"{live_server}/manage/reports/summary")
    charts = page.locator("figure.chart svg")
    assert charts.count() == 5  # four of the summary, one of the cascade (issue 17)
    assert page.locator("figure.chart svg title").first.text_content() == "Events held by kind"
    assert page.get_by_text("The figures as a table").count() == 5


def test_export_form_updates_the_row_count_as_filters_change(live_server, phone):
    page = phone
    _log_in(page, live_server)
    page.goto(f"{live_server}/manage/reports/attendance")
    page.get_by_label("Format").select_option("xlsx")
    page.wait_for_url("**format=xlsx**")
    assert page.get_by_role("link", name="Download XLSX").is_visible()
