"""At 360 px: every item of the staff menu can be reached (Log out included), and the attendance list's
buttons keep their words whole, in English and Bangla."""

from types import SimpleNamespace

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.flow import PHONE_360, post, seed
from tests.e2e.flow import log_in as log_in_as
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

# Every link and button of the staff menu: inside the window, and not hidden by a box that scrolls.
MENU_ITEMS_OUT_OF_REACH = """() => {
    const items = [...document.querySelectorAll('header nav:not(.langs) a, header nav:not(.langs) button')];
    return items.filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.left < 0 || box.right > window.innerWidth) return true;
        for (let up = el.parentElement; up; up = up.parentElement) {
            const clip = up.getBoundingClientRect(), style = getComputedStyle(up);
            if (style.overflowX !== 'visible' && (box.left < clip.left || box.right > clip.right)) return true;
        }
        return false;
    }).map((el) => el.textContent.trim());
}"""

# A button whose label wrapped onto a second line is taller than one line of text and its padding.
BUTTONS_BROKEN_OVER_LINES = """() => [...document.querySelectorAll('.attendance button')].filter((button) => {
    const style = getComputedStyle(button);
    const oneLine = parseFloat(style.lineHeight) + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
        + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    return button.getBoundingClientRect().height > Math.max(oneLine, parseFloat(style.minHeight)) + 2;
}).map((button) => button.textContent.trim())"""


@pytest.fixture(scope="module")
def attendance(live_server, browser):
    """An event whose attendance list has one person present and one absent."""
    context = browser.new_context(**PHONE_360)
    page = context.new_page()
    log_in_as(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    seeded = seed(page, live_server, title="Small screen workshop", name="Shahanaz Parvin Chowdhury",
                  name_bn="শাহানাজ পারভীন চৌধুরী", phone="01711-919191")
    post(page, f"{live_server}/manage/events/{seeded.event_id}/registrations/new-person",
         {"name": "Abdur Rahman Khan", "phone": "01711-929292", "organisation": "Union Parishad",
          "role": "participant"})
    post(page, f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/attendance/"
               f"{seeded.registration_id}", {})
    yield SimpleNamespace(storage=context.storage_state(), seeded=seeded)
    context.close()


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_every_staff_menu_item_is_reachable_at_360_px(live_server, browser, attendance, lang):
    context = browser.new_context(**PHONE_360)
    page = context.new_page()
    log_in_as(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)  # its own session: this test logs out
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page.goto(f"{live_server}/manage")
    names = page.eval_on_selector_all("header nav:not(.langs) a, header nav:not(.langs) button",
                                      "els => els.map((el) => el.textContent.trim())")
    screenshot(page, f"small-{lang}-menu")
    # The admin's menu is the longest: every page of every role, then My courses, Users and Log out last.
    assert len(names) >= 11 and names[-1] == {"en": "Log out", "bn": "লগ আউট"}[lang], names
    assert page.evaluate(MENU_ITEMS_OUT_OF_REACH) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name={"en": "Log out", "bn": "লগ আউট"}[lang]).click()
    page.wait_for_url(f"{live_server}/login*")
    context.close()


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_attendance_buttons_keep_their_words_whole_at_360_px(live_server, browser, attendance, lang):
    context = browser.new_context(**PHONE_360, storage_state=attendance.storage,
                                  extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    seeded = attendance.seeded
    page.goto(f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/attendance")
    screenshot(page, f"small-{lang}-attendance")
    assert page.locator(".attendance button").count() == 2  # an Undo and a Check in
    assert page.evaluate(BUTTONS_BROKEN_OVER_LINES) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
