"""Check-in in Chromium: the scanner reads a ticket QR from a fake camera (green, amber, offline and
back), and a participant checks in on a Pixel 5 with the code of the venue screen."""

from __future__ import annotations

import pytest
import qrcode
from playwright.sync_api import expect

from tests.e2e.conftest import LAUNCH_ARGS, PIXEL_5, screenshot
from tests.e2e.flow import log_in, post
from tests.e2e.flow import seed as flow_seed
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

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


def _camera_browser(browser, video):
    return browser.browser_type.launch(executable_path=browser_executable(browser), args=[
        *LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])


def _show_code(scanner, shown: bool) -> None:
    """Take the ticket out of the camera's view (the track sends black frames) or bring it back."""
    scanner.evaluate(f"document.getElementById('scan-video').srcObject.getVideoTracks()[0].enabled = "
                     f"{'true' if shown else 'false'}")


def test_scanner_reads_a_ticket_from_the_camera_and_survives_going_offline(live_server, browser, tmp_path):
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, "Scanner test meeting", "Rahima Begum", "01711-555666")
    event_id, session_id, token = seeded.event_id, seeded.session_id, seeded.token
    video = tmp_path / "ticket.y4m"
    write_y4m(video, f"{live_server}/t/{token}")
    camera = _camera_browser(browser, video)
    try:
        context = camera.new_context(**PIXEL_5, storage_state=staff.storage_state())
        context.grant_permissions(["camera"], origin=live_server)
        scanner = context.new_page()
        errors: list[str] = []
        scans: list[str] = []
        scanner.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        scanner.on("request", lambda r: scans.append(r.url) if r.method == "POST" and r.url.endswith("/scan")
                   else None)
        scanner.goto(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/scan")
        scanner.wait_for_selector(".scan-ok", timeout=30_000)
        assert "Rahima Begum" in scanner.inner_text("#scan-result")
        assert "1 of 1 present" in scanner.inner_text("#scan-count")
        screenshot(scanner, "checkin-01-scanner-green")
        # Defect 5: the ticket stays in front of the camera: one scan, and the green answer stays.
        scanner.wait_for_timeout(5_000)
        assert "scan-ok" in scanner.get_attribute("#scan-result", "class")
        assert len(scans) == 1, scans
        # Taken away and shown again, it is a new scan: amber, already checked in.
        _show_code(scanner, False)
        scanner.wait_for_timeout(3_000)
        _show_code(scanner, True)
        scanner.wait_for_selector(".scan-already", timeout=15_000)
        assert "Already checked in at" in scanner.inner_text("#scan-result") and len(scans) == 2
        screenshot(scanner, "checkin-02-scanner-amber")

        context.set_offline(True)
        # Meanwhile the check-in is undone at the desk: a scan made after the undo brings it back.
        post(page, f"{live_server}/manage/events/{event_id}/sessions/{session_id}/attendance/"
                   f"{seeded.registration_id}/undo", {"reason": "duplicate"})
        _show_code(scanner, False)
        scanner.wait_for_timeout(3_000)
        _show_code(scanner, True)
        expect(scanner.locator("#scan-queue")).to_contain_text("waiting to send", timeout=15_000)
        # The typed name is isolated (U+2068 ... U+2069) inside the sentence.
        expect(scanner.locator("#scan-result")).to_contain_text("probably OK: \u2068Rahima Begum\u2069",
                                                                timeout=15_000)
        screenshot(scanner, "checkin-03-scanner-offline")
        context.set_offline(False)
        expect(scanner.locator("#scan-queue")).to_be_hidden(timeout=15_000)
        count = page.request.get(f"{live_server}/manage/events/{event_id}/sessions/{session_id}/count").text()
        assert "1</strong> of 1 present" in count
        assert scanner.get_attribute("#scanner", "data-decoder") == "barcode-detector"
        assert not errors, errors
    finally:
        camera.close()
        staff.close()


def test_without_webassembly_the_scanner_decodes_with_jsqr(live_server, browser, tmp_path):
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, "jsQR meeting", "Salma Khatun", "01711-555777")
    video = tmp_path / "ticket.y4m"
    write_y4m(video, f"{live_server}/t/{seeded.token}")
    camera = _camera_browser(browser, video)
    try:
        context = camera.new_context(**PIXEL_5, storage_state=staff.storage_state())
        context.grant_permissions(["camera"], origin=live_server)
        # As in a browser where WebAssembly is switched off (iOS Lockdown Mode, a hardened policy).
        context.add_init_script("delete window.WebAssembly; delete window.BarcodeDetector;")
        scanner = context.new_page()
        scanner.goto(f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/scan")
        scanner.wait_for_selector(".scan-ok", timeout=30_000)
        assert "Salma Khatun" in scanner.inner_text("#scan-result")
        assert scanner.get_attribute("#scanner", "data-decoder") == "jsqr"
    finally:
        camera.close()
        staff.close()


@pytest.mark.parametrize(("lang", "expected", "link"), [
    ("en", "No camera found on this device", "Open the attendance list"),
    ("bn", "এই ডিভাইসে কোনো ক্যামেরা পাওয়া যায়নি", "উপস্থিতির তালিকা খুলুন"),
])
def test_without_a_camera_the_scanner_says_what_to_do_in_the_pages_language(live_server, browser, lang, expected,
                                                                            link):
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, f"No camera meeting {lang}", f"Nobody {lang}", f"01711-55{ord(lang[0]):04d}")
    # A browser with no camera at all: getUserMedia fails with NotFoundError.
    nocam = browser.browser_type.launch(executable_path=browser_executable(browser),
                                        args=[*LAUNCH_ARGS, "--use-fake-ui-for-media-stream"])
    try:
        context = nocam.new_context(**PIXEL_5, storage_state=staff.storage_state())
        context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        scanner = context.new_page()
        scanner.goto(f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/scan")
        expect(scanner.locator("#scan-status")).to_contain_text(expected, timeout=15_000)
        status = scanner.inner_text("#scan-status")
        assert "Error" not in status and "(" not in status, status
        expect(scanner.get_by_role("link", name=link)).to_be_visible()
        screenshot(scanner, f"checkin-08-no-camera-{lang}")
    finally:
        nocam.close()
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


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_the_venue_display_is_a_kiosk_with_everything_above_the_fold(live_server, browser, width, height):
    staff = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = staff.new_page()
    seeded = seed(page, live_server, f"Venue display meeting {width}", f"Display Person {width}",
                  f"01711-66{width:04d}")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/display") else None)
    page.goto(f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/display")
    # No staff chrome on a public screen.
    assert page.locator("header.top, nav, footer").count() == 0
    assert "Log out" not in page.inner_text("body")
    for selector in (".venue-qr svg", ".venue-short", ".venue-countdown", ".venue-title", ".venue-address"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
    assert page.evaluate("document.documentElement.scrollHeight") <= height
    # Readable from the back of a room: the typed code at least 60 px high, the QR at least half the height.
    assert float(page.eval_on_selector(".venue-short", "e => parseFloat(getComputedStyle(e).fontSize)")) >= 60
    assert page.locator(".venue-qr svg").bounding_box()["height"] >= height / 2
    screenshot(page, f"checkin-09-venue-{width}x{height}")
    # It keeps working as the code rotates: the countdown ticks and htmx polls the code block.
    first = int(page.get_attribute(".venue-countdown", "data-seconds"))
    page.wait_for_timeout(6_500)
    assert len(polls) >= 2, polls  # the page, then at least one poll
    assert page.locator(".venue-qr svg").is_visible() and page.locator("header.top").count() == 0
    now = int(page.get_attribute(".venue-countdown", "data-seconds"))
    assert now != first
    staff.close()


def test_the_venue_display_fits_a_phone_held_upright(live_server, browser):
    # Staff sometimes open it on a phone to show at the door: stacked, nothing wider than the screen.
    staff = browser.new_context(**PIXEL_5)
    page = staff.new_page()
    seeded = seed(page, live_server, "Venue display on a phone", "Phone Display Person", "01711-667788")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/display")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".venue-short").bounding_box()["width"] <= 360
    screenshot(page, "checkin-10-venue-360")
    staff.close()
