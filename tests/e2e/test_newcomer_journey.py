"""A newcomer's whole journey in Chromium, through the pages only, asserting what each page shows.

The admin makes an organizer, a coordinator and a trainer (who chooses a password through the
welcome link); the organizer schedules a 3-day ToT starting today (the live server's clock starts at the
suite's TEST_NOW, tests/e2e/serve_at.py) and registers two people; one ticket is scanned
with the fake camera, the other person checks in with the venue screen's code on a 360 px phone;
certificates are issued, one certificate's QR is decoded from its PDF and verified on the verify page;
the coordinator finds the ToT with the export form's event picker and reads the XLSX back.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import zxingcpp
from playwright.sync_api import expect

from portal.pdf.testing import can_rasterize, rasterize
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS, screenshot
from tests.e2e.flow import PHONE_360
from tests.e2e.flow import log_in as log_in_page
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.test_checkin_browser import write_y4m
from tests.helpers import PORTAL_TZ, TEST_NOW

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300),
              pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "timezone_id": "Asia/Dhaka"}
ORGANIZER = ("Farzana Cumilla", "farzana.journey@example.org", "organizer password 1")
COORDINATOR = ("Nadia Coordinator", "nadia.journey@example.org", "coordinator password 1")
TRAINER = ("Tania Trainer", "tania.journey@example.org", "tania chose this one")
TITLE = "ToT on safe migration counselling (journey)"
PEOPLE = (("Rahima Begum", "01711-600601", "WARBE"), ("Karim Sheikh", "01711-600602", "Union Parishad"))


def server_today() -> dt.date:
    """Today in Dhaka as the server sees it: its clock started at TEST_NOW (tests/e2e/serve_at.py)."""
    return TEST_NOW.astimezone(PORTAL_TZ).date()


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def add_user(page, base: str, name: str, email: str, role: str, password: str = "",
             districts: tuple[str, ...] = ()) -> None:
    page.goto(f"{base}/manage/users")
    page.get_by_role("link", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    assert page.get_by_label("Name").input_value() == ""  # not the admin's own details
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(role)
    for district in districts:
        page.get_by_label(district, exact=True).check()
    if password:
        page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Save").click()


def test_a_newcomer_runs_a_tot_from_users_to_export(live_server, browser, tmp_path):
    base = live_server
    admin_context = browser.new_context(**DESKTOP)
    admin = admin_context.new_page()
    errors: list[str] = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in_page(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    today = server_today()

    # 1. The admin makes the team through the users pages.
    add_user(admin, base, *ORGANIZER[:2], "organizer", ORGANIZER[2], districts=("Cumilla",))
    assert flash(admin) == "User created."
    add_user(admin, base, *COORDINATOR[:2], "coordinator", COORDINATOR[2])
    row = admin.locator(".users li", has_text=ORGANIZER[0])
    expect(row).to_contain_text("Organizer · Cumilla")
    add_user(admin, base, *TRAINER[:2], "trainer")  # no password: a welcome link instead
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Account made for {TRAINER[0]}")
    welcome = admin.locator(".copy code").inner_text()
    assert welcome.startswith(f"{base}/link/")
    expect(admin.get_by_role("link", name=f"Email it to {TRAINER[1]}")).to_have_attribute(
        "href", re.compile(r"^mailto:tania\.journey@example\.org\?subject="))
    screenshot(admin, "journey-01-welcome-link")
    admin.get_by_role("link", name="All users").click()
    expect(admin.locator(".users li", has_text=TRAINER[0])).to_contain_text("Has not chosen a password yet")

    trainer = browser.new_context(**PHONE_360).new_page()
    trainer.goto(welcome)
    expect(trainer.get_by_role("heading", level=1)).to_have_text(f"Welcome, {TRAINER[0]}")
    trainer.get_by_label("New password").fill(TRAINER[2])
    trainer.get_by_role("button", name="Save").click()
    trainer.wait_for_url(f"{base}/manage")
    expect(trainer.get_by_role("heading", level=1)).to_have_text(f"Hello, {TRAINER[0]}")
    expect(trainer.get_by_text("You are not teaching a course yet")).to_be_visible()
    expect(trainer.get_by_role("button", name="Log out")).to_be_in_viewport()
    screenshot(trainer, "journey-02-trainer-home")
    trainer.context.close()

    # 2. The organizer schedules a 3-day ToT from today, in the one district they may use.
    organizer_context = browser.new_context(**DESKTOP)
    organizer = organizer_context.new_page()
    log_in_page(organizer, base, ORGANIZER[1], ORGANIZER[2])
    organizer.get_by_role("link", name="Schedule an event").click()
    districts = organizer.locator("#district option:not([value=''])")
    expect(districts).to_have_count(1)
    expect(districts).to_have_attribute("value", "cumilla")
    organizer.get_by_label("Kind").select_option("tot")
    organizer.get_by_label("Title").fill(TITLE)
    organizer.get_by_label("District").select_option("cumilla")
    organizer.get_by_label("Venue").fill("BARD, Kotbari")
    organizer.get_by_label("Start date").fill(today.isoformat())
    organizer.get_by_label("End date").fill((today + dt.timedelta(days=2)).isoformat())
    organizer.get_by_label("Attendance needed for a certificate (% of sessions)").fill("30")
    organizer.get_by_role("button", name="Create event").click()
    expect(organizer.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert flash(organizer).startswith("Event created.")
    expect(organizer.get_by_role("link", name=re.compile(r"^Day [123]$"))).to_have_count(3)
    event_id = int(re.search(r"/manage/events/(\d+)", organizer.url).group(1))
    organizer.get_by_role("button", name="Publish").click()
    expect(organizer.locator(".badge").first).to_have_text("Published")
    # Day 1 runs all day, so that the check-ins below are inside it whatever the hour of this run.
    organizer.get_by_role("link", name="Day 1", exact=True).click()
    organizer.get_by_label("Starts").fill("00:00")
    organizer.get_by_label("Ends").fill("23:59")
    organizer.get_by_role("button", name="Save").click()
    expect(organizer.get_by_role("heading", level=1)).to_have_text(TITLE)
    session_id = int(re.search(r"/sessions/(\d+)/attendance", organizer.content()).group(1))
    screenshot(organizer, "journey-03-tot")

    organizer.get_by_role("link", name="Registrations").click()
    for name, phone, organisation in PEOPLE:
        form = organizer.locator("form", has=organizer.get_by_role("button", name="Add and register"))
        form.get_by_label("Full name (English)").fill(name)
        form.get_by_label("Organisation").fill(organisation)
        form.get_by_label("Mobile phone").fill(phone)
        form.get_by_role("button", name="Add and register").click()
        expect(organizer.locator("#registration-rows")).to_contain_text(name)
    expect(organizer.locator(".count").first).to_contain_text("2 registered")
    tokens = {name: organizer.locator("#registration-rows li", has_text=name).get_by_role("link", name="Ticket")
              .get_attribute("href").rsplit("/", 1)[1] for name, _, _ in PEOPLE}
    screenshot(organizer, "journey-04-registrations")

    # 3. Rahima's ticket is scanned with the fake camera on the organizer's phone.
    video = tmp_path / "ticket.y4m"
    write_y4m(video, f"{base}/t/{tokens['Rahima Begum']}")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        scanning = camera.new_context(**PHONE_360, storage_state=organizer_context.storage_state())
        scanning.grant_permissions(["camera"], origin=base)
        scanner = scanning.new_page()
        scanner.goto(f"{base}/manage/events/{event_id}/sessions/{session_id}/scan")
        scanner.wait_for_selector(".scan-ok", timeout=30_000)
        expect(scanner.locator("#scan-result")).to_contain_text("Rahima Begum")
        expect(scanner.locator("#scan-count")).to_contain_text("1 of 2 present")
        screenshot(scanner, "journey-05-scanned")
    finally:
        camera.close()

    # 4. Karim checks in with the code of the venue screen, on a 360 px phone.
    organizer.goto(f"{base}/manage/events/{event_id}/sessions/{session_id}/display")
    short = organizer.locator(".venue-short").inner_text()
    person = browser.new_context(**PHONE_360).new_page()
    person.goto(f"{base}/t/{tokens['Karim Sheikh']}")
    expect(person.locator(".ticket-qr svg")).to_be_visible()
    expect(person.get_by_text(TITLE)).to_be_visible()
    person.goto(f"{base}/c")
    person.get_by_label("The code on the screen").fill(short)
    person.get_by_role("button", name="Continue").click()
    person.get_by_role("button", name="Check me in").click()
    expect(person.locator(".scan-result")).to_contain_text("Checked in")
    assert person.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(person, "journey-06-self-check-in")
    person.context.close()
    organizer.goto(f"{base}/manage/events/{event_id}/sessions/{session_id}/attendance")
    expect(organizer.locator(".present-count, #present-count").first).to_contain_text("2")
    expect(organizer.locator(".attendance li.present")).to_have_count(2)

    # 5. Certificates: issued on the event's certificate page, one QR decoded and verified.
    organizer.goto(f"{base}/manage/events/{event_id}/certificates")
    expect(organizer.locator("#certificates-body")).to_contain_text("2 eligible, 0 issued")
    for name, _, _ in PEOPLE:
        row = organizer.locator("li.standing", has_text=name)
        early = row.get_by_text("Issue before the ToT ends")
        if early.count():  # master-trainer certificates before the ToT's last day need a reason
            early.click()
            row.get_by_label(re.compile("^Reason")).first.fill("Certified at the end of day 1 for the journey test")
            row.get_by_role("button", name="Issue early").click()
        else:
            row.get_by_role("button", name="Issue certificate").click()
        expect(organizer.locator(".flash").first).to_contain_text("issued")
    expect(organizer.locator("#certificates-body")).to_contain_text("2 eligible, 2 issued")
    screenshot(organizer, "journey-07-certificates")
    organizer.locator("li.standing", has_text="Karim Sheikh").locator(".cert-line a").first.click()
    pdf_url = organizer.get_by_role("link", name=re.compile("PDF")).first.get_attribute("href")
    pdf = organizer.request.get(f"{base}{pdf_url}")
    assert pdf.headers["content-type"] == "application/pdf"
    [qr] = zxingcpp.read_barcodes(rasterize(pdf.body(), dpi=150))
    assert qr.text.startswith(f"{base}/verify/")
    verifier = browser.new_context(**PHONE_360).new_page()
    verifier.goto(qr.text)
    expect(verifier.get_by_role("heading", name="✓ Valid certificate")).to_be_visible()
    expect(verifier.get_by_text("Karim Sheikh")).to_be_visible()
    screenshot(verifier, "journey-08-verified")
    verifier.context.close()
    organizer_context.close()

    # 6. The coordinator picks the ToT in the export form and reads the XLSX back.
    coordinator_context = browser.new_context(**DESKTOP, accept_downloads=True)
    coordinator = coordinator_context.new_page()
    log_in_page(coordinator, base, COORDINATOR[1], COORDINATOR[2])
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    coordinator.get_by_label("Format").select_option("xlsx")
    coordinator.get_by_role("searchbox", name="Search events").fill("safe migration counselling")
    option = coordinator.locator("#event option", has_text=TITLE)
    expect(option).to_have_count(1)
    coordinator.get_by_label("Event", exact=True).select_option(str(event_id))
    expect(coordinator.locator("#export-summary")).to_contain_text("2 rows")
    screenshot(coordinator, "journey-09-export")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="Download XLSX").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 2
    column = {name: header.index(name) for name in ("Name", "Event", "Session", "Method")}
    assert sorted(r[column["Name"]] for r in data) == ["Karim Sheikh", "Rahima Begum"]
    assert {r[column["Event"]] for r in data} == {TITLE}
    assert {r[column["Session"]] for r in data} == {"Day 1"}
    assert sorted(r[column["Method"]] for r in data) == ["Self check-in", "Ticket scan"]
    coordinator_context.close()
    admin_context.close()
    assert not errors, errors
