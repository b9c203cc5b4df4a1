"""Issue all certificates of a workshop with the progress bar, download the ZIP, and open the verify
page from the QR code of one certificate, on a phone-sized screen."""

import io
import sqlite3
import zipfile
from pathlib import Path

import pypdf
import pytest
import zxingcpp

from portal.pdf.testing import can_rasterize, rasterize
from tests.e2e.conftest import _require_browser, screenshot
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, running_portal

pytestmark = pytest.mark.browser
PEOPLE = 40


def _seed(path: Path) -> int:
    """A 2-day Khulna workshop: PEOPLE attended both days, one missed a day. Returns the event id."""
    db = sqlite3.connect(path)
    with db:
        event = db.execute(
            "INSERT INTO event (kind, title, description, district, venue, start_date, end_date, status, "
            "completion_percent, walk_ins) VALUES ('district_workshop', 'Safe migration workshop', '', 'khulna', "
            "'', '2026-11-23', '2026-11-24', 'published', 100, 0)").lastrowid
        sessions = [db.execute("INSERT INTO event_session (event, title, starts_at, ends_at) VALUES (?, ?, ?, ?)",
                               (event, f"Day {n}", f"2026-11-2{2 + n}T03:00:00+00:00",
                                f"2026-11-2{2 + n}T11:00:00+00:00")).lastrowid for n in (1, 2)]
        for n in range(PEOPLE + 1):
            person = db.execute("INSERT INTO participant (name, name_bn, district) VALUES (?, ?, 'khulna')",
                                (f"Participant {n:02d}", "রহিমা বেগম" if n == 0 else "")).lastrowid
            registration = db.execute(
                "INSERT INTO registration (event, participant, role, status, ticket_token) "
                "VALUES (?, ?, 'participant', 'registered', ?)", (event, person, f"token-{n:02d}")).lastrowid
            for session in sessions if n < PEOPLE else sessions[:1]:
                db.execute("INSERT INTO check_in (registration, session, method) VALUES (?, ?, 'manual')",
                           (registration, session))
    db.close()
    return event


@pytest.fixture(scope="module")
def cert_server(migrated_database, tmp_path_factory):
    """A server of its own, on a database seeded with an event, people and check-ins."""
    _require_browser()
    seeded = {}

    def prepare(data_dir: Path, env: dict) -> None:
        seeded["event"] = _seed(data_dir / "portal.sqlite3")

    with running_portal(migrated_database, tmp_path_factory.mktemp("cert-live"), prepare) as url:
        yield url, seeded["event"]


@pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")
def test_issue_all_download_zip_and_verify_from_the_qr(cert_server, phone):
    url, event_id = cert_server
    page = phone
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/manage/events/{event_id}/certificates")
    page.get_by_label("Email or phone").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/manage/events/{event_id}/certificates")
    assert page.get_by_text("Missed: Day 2").is_visible()
    screenshot(page, "cert-01-event-certificates")

    page.get_by_role("button", name=f"Issue all eligible ({PEOPLE})").click()
    page.locator("#issue-job progress").wait_for()
    screenshot(page, "cert-02-progress")
    page.get_by_role("link", name="Download all (ZIP)").wait_for(timeout=60_000)
    assert page.get_by_text(f"Done: {PEOPLE} certificates issued").is_visible()
    screenshot(page, "cert-03-done")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"

    with page.expect_download() as info:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(info.value.path())
    assert len(archive.namelist()) == PEOPLE
    first = sorted(archive.namelist())[0]
    pdf = archive.read(first)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1

    rendering = rasterize(pdf, dpi=150)
    rendering.save(screenshot.__globals__["SCREENSHOTS"] / "cert-05-certificate.png")  # for people to look at
    [qr] = zxingcpp.read_barcodes(rendering)
    assert qr.text.startswith(f"{url}/verify/")
    page.goto(qr.text)
    assert page.get_by_role("heading", name="✓ Valid certificate").is_visible()
    assert page.get_by_text(first.removesuffix(".pdf")).is_visible()
    screenshot(page, "cert-04-verify")
    for path, name in (("/manage/certificate-settings", "cert-06-settings"), ("/manage/pool", "cert-07-pool")):
        page.goto(f"{url}{path}")
        screenshot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 393, f"{path} scrolls sideways at phone width ({width}px)"
    assert not errors, errors
