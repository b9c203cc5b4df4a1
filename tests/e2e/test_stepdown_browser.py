"""A master trainer on a phone runs a step-down training: creates it from their course, publishes it, registers
someone from the directory and a walk-in, checks them in by hand and downloads the attendance."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _require_browser, screenshot
from tests.e2e.seed_stepdown import COURSE, TRAINER_EMAIL, TRAINER_PASSWORD
from tests.e2e.server import ROOT, running_portal
from tests.helpers import TEST_NOW

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stepdown_server(migrated_database, tmp_path_factory) -> Iterator[str]:
    """A server of its own, on a database with a master trainer of the Khulna pool."""
    _require_browser()

    def prepare(data_dir: Path, env: dict) -> None:
        subprocess.run([sys.executable, "-m", "tests.e2e.seed_stepdown", str(data_dir)], env=env, check=True,
                       cwd=ROOT, capture_output=True, timeout=60)

    with running_portal(migrated_database, tmp_path_factory.mktemp("stepdown-live"), prepare) as url:
        yield url


def test_a_trainer_runs_a_step_down_training_on_a_phone(stepdown_server, phone):
    page = phone
    base = stepdown_server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login")
    page.get_by_label("Email or phone").fill(TRAINER_EMAIL)
    page.get_by_label("Password").fill(TRAINER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/manage")
    page.get_by_role("link", name="Run a step-down training").first.click()
    assert page.get_by_text("Rights of migrant workers").is_visible()
    page.get_by_label("Title").fill("Step-down training, Dighalia")
    page.get_by_label("District").select_option("khulna")
    today = TEST_NOW.astimezone(ZoneInfo("Asia/Dhaka")).date().isoformat()  # the server's clock starts there
    page.get_by_label("Start date").fill(today)
    page.get_by_label("End date").fill(today)
    page.get_by_label("Walk-ins may register at the door").check()
    page.get_by_role("button", name="Create the training").click()
    page.wait_for_url(f"{base}/manage/events/*")
    event_url = page.url
    assert page.get_by_text(COURSE).is_visible()
    page.get_by_role("button", name="Publish").click()
    screenshot(page, "stepdown-01-detail")

    page.get_by_role("link", name="Registrations").click()
    page.locator("#find").fill("Rahima")
    page.locator("#find").press("Enter")
    page.locator("form:has(input[name=participant_id]) button[type=submit]").first.click()
    page.locator("#name").fill("Kulsum Bibi")
    page.locator("#phone").fill("01711-998877")
    page.get_by_role("button", name="Add and register").click()
    assert page.get_by_text("Kulsum Bibi").first.is_visible()
    screenshot(page, "stepdown-02-registrations")

    page.goto(event_url)
    page.get_by_role("link", name="Attendance").first.click()
    buttons = page.locator("button:has-text('Check in')")
    expect(buttons).to_have_count(2)
    for left in (1, 0):
        buttons.first.click()
        expect(buttons).to_have_count(left)  # the row swapped to "checked in"
    screenshot(page, "stepdown-03-attendance")

    page.goto(event_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert sorted(r["Name"] for r in rows) == ["Kulsum Bibi", "Rahima Begum"]
    assert {r["Event kind"] for r in rows} == {"Step-down training"}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"
    assert not errors, errors
