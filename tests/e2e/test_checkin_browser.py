"""Check-in in Chromium: the scanner reads a ticket QR from a fake camera (green, amber, offline and
back), and a participant checks in on a Pixel 5 with the code of the venue screen."""

from __future__ import annotations

import pytest
import qrcode
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, LAUNCH_ARGS, PIXEL_5, screenshot
from tests.e2e.flow import log_in, post
from tests.e2e.flow import seed as flow_seed

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 640, 480


def write_y4m(path, text: str) -> None:
    """A one-frame 640x480 Y4M (4:2:0) of a QR of `text`, black on white, centred."""
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    matrix = qr.get_matrix()
    scale = (HEIGHT - 40) // len(matrix)
    left, top = (WIDTH - scale * len(matrix)) // 2, (HEIGHT - scale * len(matrix)) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * WIDTH + left + x * scale
                    luma[start:start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def seed(page, live_server, title, person, phone):
    """An event with one registration, made through the staff pages (tests/e2e/flow.py)."""
    log_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    return flow_seed(page, live_server, title=title, name=person, name_bn="", phone=phone)


def test_scanner_reads_a_ticket_from_the_camera_and_survives_going_offline(live_server, browser, tmp_path):
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, "Scanner test meeting", "Rahima Begum", "01711-555666")
    event_id, session_id, token = seeded.event_id, seeded.session_id, seeded.token
    video = tmp_path / "ticket.y4m"
    write_y4m(video, f"{live_server}/t/{token}")
    camera = browser.browser_type.launch(executable_path=browser_executable(browser), args=[
        *LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera.new_context(**PIXEL_5, storage_state=staff.storage_state())
        context.grant_permissions(["camera"], origin=live_server)
        scanner = context.new_page()
        errors: list[str] = []
        scanner.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        scanner.goto(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/scan")
        scanner.wait_for_selector(".scan-ok", timeout=30_000)
        assert "Rahima Begum" in scanner.inner_text("#scan-result")
        assert "1 of 1 present" in scanner.inner_text("#scan-count")
        screenshot(scanner, "checkin-01-scanner-green")
        scanner.wait_for_selector(".scan-already", timeout=15_000)
        assert "Already checked in at" in scanner.inner_text("#scan-result")
        screenshot(scanner, "checkin-02-scanner-amber")

        context.set_offline(True)
        # Meanwhile the check-in is undone at the desk: the offline scan must bring it back.
        post(page, f"{live_server}/manage/events/{event_id}/sessions/{session_id}/attendance/"
                   f"{seeded.registration_id}/undo", {})
        expect(scanner.locator("#scan-queue")).to_contain_text("waiting to send", timeout=15_000)
        # The typed name is isolated (U+2068 ... U+2069) inside the sentence.
        expect(scanner.locator("#scan-result")).to_contain_text("probably OK: \u2068Rahima Begum\u2069",
                                                                timeout=15_000)
        screenshot(scanner, "checkin-03-scanner-offline")
        context.set_offline(False)
        expect(scanner.locator("#scan-queue")).to_be_hidden(timeout=15_000)
        count = page.request.get(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/count").text()
        assert "1</strong> of 1 present" in count
        assert not errors, errors
    finally:
        camera.close()
        staff.close()


def browser_executable(browser) -> str:
    from tests.e2e.conftest import CHROMIUM

    return CHROMIUM


def test_participant_checks_in_with_the_venue_code_on_a_pixel_5(live_server, browser):
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, "Self check-in meeting", "Karim Sheikh", "01711-777888")
    event_id, session_id, token = seeded.event_id, seeded.session_id, seeded.token
    page.goto(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/display")
    short = page.inner_text(".venue-short")
    assert page.locator(".venue-qr svg").is_visible()
    screenshot(page, "checkin-04-venue-screen")

    person = browser.new_context(**PIXEL_5, locale="en-GB", timezone_id="Asia/Dhaka").new_page()
    person.goto(f"{live_server}/t/{token}")
    assert person.locator(".ticket-qr svg").is_visible()
    screenshot(person, "checkin-05-ticket")
    person.goto(f"{live_server}/c")
    person.get_by_label("The code on the screen").fill(short)
    person.get_by_role("button", name="Continue").click()
    person.get_by_role("button", name="Check me in").click()
    assert "Checked in" in person.inner_text(".scan-result")
    screenshot(person, "checkin-06-self-checked-in")
    width = person.evaluate("document.documentElement.scrollWidth")
    assert width <= 393, f"page scrolls sideways at phone width ({width}px)"

    person.goto(f"{live_server}/c/{session_id}/0123456789ab")
    assert "Scan again" in person.inner_text(".scan-result")
    screenshot(person, "checkin-07-forged-code")
    person.context.close()
    staff.close()
