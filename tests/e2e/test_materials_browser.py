"""A trainer on a phone logs in, finds the course they teach and downloads the manual."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import _require_browser, screenshot
from tests.e2e.seed_materials import COORDINATOR_EMAIL, COURSE, MANUAL, TRAINER_EMAIL, TRAINER_PASSWORD
from tests.e2e.server import ROOT, running_portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def materials_server(migrated_database, tmp_path_factory) -> Iterator[str]:
    """A server of its own, on a database seeded with a course the trainer teaches."""
    _require_browser()

    def prepare(data_dir: Path, env: dict) -> None:
        subprocess.run([sys.executable, "-m", "tests.e2e.seed_materials", str(data_dir)], env=env, check=True,
                       cwd=ROOT, capture_output=True, timeout=60)

    with running_portal(migrated_database, tmp_path_factory.mktemp("materials-live"), prepare) as url:
        yield url


def test_trainer_finds_their_course_and_downloads_the_manual(materials_server, phone, tmp_path):
    page = phone
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{materials_server}/login")
    page.get_by_label("Email or phone").fill(TRAINER_EMAIL)
    page.get_by_label("Password").fill(TRAINER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{materials_server}/manage")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My courses").click()
    page.get_by_role("link", name=COURSE).click()
    assert page.get_by_text("New for you").is_visible()
    screenshot(page, "materials-01-trainer-course")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"

    with page.expect_download() as info:
        page.get_by_role("link", name="Download IASR trainer manual.pdf").click()
    download = info.value
    assert download.suggested_filename == "IASR trainer manual.pdf"
    saved = tmp_path / "manual.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == MANUAL

    page.reload()
    assert page.get_by_text("New for you").count() == 0
    screenshot(page, "materials-02-after-download")
    assert not errors, errors


def test_coordinator_uploads_a_bangla_material_and_a_refused_file_is_explained(materials_server, phone, tmp_path):
    page = phone
    page.goto(f"{materials_server}/login")
    page.get_by_label("Email or phone").fill(COORDINATOR_EMAIL)
    page.get_by_label("Password").fill(TRAINER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{materials_server}/manage")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name=COURSE).click()

    fake = tmp_path / "handout.pdf"
    fake.write_bytes(b"MZ this is a program, not a PDF")
    page.get_by_label("Title", exact=True).fill("Handout")
    page.get_by_label("File", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="Upload", exact=True).click()
    refusal = page.locator("#file-error").inner_text()
    assert refusal == "This file is not really a .pdf file (its content says otherwise)."
    screenshot(page, "materials-03-refused-upload")

    real = tmp_path / "অংশগ্রহণকারী হ্যান্ডআউট.pdf"
    real.write_bytes(MANUAL)
    page.get_by_label("Who may see it").select_option("participants")
    page.get_by_role("combobox", name="Language").select_option("bn")
    page.get_by_label("File", exact=True).set_input_files(str(real))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(f"{materials_server}/manage/materials/*")
    assert page.get_by_text("Material uploaded.").is_visible()
    assert page.get_by_role("link", name="অংশগ্রহণকারী হ্যান্ডআউট.pdf").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, "materials-04-material-versions")
