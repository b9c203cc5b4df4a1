"""The participant flow's set-up in a real browser, shared by the Bangla, page-quality and slow-3G runs.

A logged-in staff page creates an event, registers a person (English and Bangla name), reads the
venue screen's rotating self check-in link from its QR code, and issues a certificate, all through
the portal's own routes, as an organizer would.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from tests.helpers import PORTAL_TZ, TEST_NOW, session_around_now

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
             "has_touch": True, "timezone_id": "Asia/Dhaka"}


@dataclass(frozen=True)
class Seeded:
    """One event with one session and one registered person."""

    event_id: int
    session_id: int
    registration_id: int
    token: str


def log_in(page, base: str, email: str, password: str) -> None:
    """Log in on the login page and wait for the staff landing page."""
    page.goto(f"{base}/login")
    page.get_by_label("Email or phone").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/manage*")


def post(page, url: str, form: dict) -> object:
    """A form POST from the staff page's session, with its CSRF token."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(url, form={**form, "_csrf_token": token})
    assert response.status < 400, response.text()
    return response


def seed(page, base: str, *, title: str, name: str, name_bn: str, phone: str, walk_ins: bool = False) -> Seeded:
    """A one-day event in Khulna today (the server's clock), its session under way, with one registered
    person, made through the staff pages."""
    # The server's clock started at TEST_NOW (tests/e2e/serve_at.py) and has run on for the minutes the
    # suite has taken since; module-scoped fixtures run before the test's own clock is installed.
    starts, ends = (moment.astimezone(PORTAL_TZ) for moment in session_around_now(now=TEST_NOW))
    form = {"kind": "cso_meeting", "title": title, "district": "khulna", "venue": "Shilpakala Hall",
            "start_date": starts.date().isoformat(), "end_date": starts.date().isoformat()}
    if walk_ins:
        form["walk_ins"] = "on"
    event_id = int(post(page, f"{base}/manage/events", form).url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"{base}/manage/events/{event_id}")
    session_id = int(re.search(r"/sessions/(\d+)/attendance", page.content()).group(1))
    # Under way now, so that check-in to it is inside its window (the default 09:00-17:00 may not be).
    post(page, f"{base}/manage/events/{event_id}/sessions/{session_id}", {
        "title": "Day 1", "date": starts.date().isoformat(), "start": f"{starts:%H:%M}", "end": f"{ends:%H:%M}"})
    post(page, f"{base}/manage/events/{event_id}/registrations/new-person",
         {"name": name, "name_bn": name_bn, "phone": phone, "organisation": "WARBE", "role": "participant"})
    page.goto(f"{base}/manage/events/{event_id}/registrations")
    token = re.search(r'href="/t/([A-Za-z0-9_-]{22})"', page.content()).group(1)
    page.goto(f"{base}/manage/events/{event_id}/sessions/{session_id}/attendance")
    registration_id = int(re.search(r'id="att-(\d+)"', page.content()).group(1))
    return Seeded(event_id, session_id, registration_id, token)


def self_check_in_link(page, base: str, seeded: Seeded) -> str:
    """The link the venue screen's QR code carries right now (read from the QR, as a phone camera would)."""
    import zxingcpp
    from PIL import Image

    page.goto(f"{base}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/display")
    png = page.locator(".venue-qr svg").screenshot()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text.startswith(f"{base}/c/{seeded.session_id}/"), code.text
    return code.text


def issue_certificate(page, base: str, seeded: Seeded) -> str:
    """Issue the person's certificate (they must have attended) and return its verification code."""
    post(page, f"{base}/manage/events/{seeded.event_id}/certificates/{seeded.registration_id}/issue", {})
    page.goto(f"{base}/manage/events/{seeded.event_id}/certificates")
    certificate_id = re.search(r'href="/manage/certificates/(\d+)"', page.content()).group(1)
    page.goto(f"{base}/manage/certificates/{certificate_id}")
    return re.search(r"<code>([A-Z0-9-]+)</code>", page.content()).group(1)
