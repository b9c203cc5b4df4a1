"""Key pages in a real browser: no serious accessibility problem (axe-core, served locally),
and the light pages stay under their weight budget with an empty cache, in English and Bangla."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.flow import PHONE_360, issue_certificate, post, seed, self_check_in_link
from tests.e2e.flow import log_in as log_in_as
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

AXE = "/static/vendor/axe-core/axe.min.js"
PAGE_BUDGET_BYTES = 30 * 1024


def serious_violations(page) -> list[str]:
    """Run axe-core (WCAG 2 A and AA rules) and list serious or critical violations."""
    page.add_script_tag(url=AXE)
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})"
            for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def transferred_bytes(page) -> int:
    """Bytes over the wire for the document and everything it loaded, scripts excluded, and the
    full Bengali web font excluded: phones with Noto Sans Bengali (Android) take it from local(),
    others fetch it once (44 KB a weight) and keep it; the test below checks English pages skip it."""
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource').filter(
            r => r.initiatorType !== 'script' && !r.name.includes('noto-sans-bengali-bengali-'));
        return nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0);
    }""")


def test_english_pages_do_not_download_the_bengali_font(live_server, browser):
    context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    fonts: list[str] = []
    page.on("request", lambda request: fonts.append(request.url) if ".woff2" in request.url else None)
    page.goto(f"{live_server}/login")
    page.wait_for_load_state("networkidle")
    assert [url for url in fonts if "noto-sans-bengali-bengali-" in url] == []
    context.close()


def log_in(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Email or phone").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/manage")


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("path", ["/", "/login"])
def test_public_pages_are_accessible_and_light(live_server, browser, path, lang):
    context = browser.new_context(viewport={"width": 360, "height": 740}, extra_http_headers={
        "Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    weight = transferred_bytes(page)
    assert weight < PAGE_BUDGET_BYTES, f"{path} in {lang}: {weight} bytes"
    assert page.locator("html").get_attribute("lang") == lang
    assert serious_violations(page) == []
    screenshot(page, f"quality-{lang}{path.replace('/', '-') or '-home'}")
    context.close()


@pytest.mark.parametrize("path", ["/manage", "/manage/events", "/manage/events/new", "/manage/participants",
                                  "/manage/participants/new", "/manage/users"])
def test_staff_pages_are_accessible(live_server, phone, path):
    log_in(phone, live_server)
    phone.goto(f"{live_server}{path}")
    assert serious_violations(phone) == []


# The participant's pages and the door staff's check-in pages, in both languages, at 360 px.

def weigh(page) -> dict:
    """What the page cost over the wire with an empty cache: `page` is the document and everything it
    loaded (CSS, images, the 1-2 KB switch font, scripts if any) except the full Bengali web font,
    which is `bengali_font` (a phone with Noto Sans Bengali installed, as Android has, never fetches it;
    others fetch it once, 44-48 KB a weight, and keep it a year). `scripts` counts script files."""
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const all = performance.getEntriesByType('resource');
        const font = (r) => r.name.includes('noto-sans-bengali-bengali-');
        const sum = (list) => list.reduce((total, r) => total + r.transferSize, 0);
        return {page: nav.transferSize + sum(all.filter((r) => !font(r))), bengali_font: sum(all.filter(font)),
                scripts: all.filter((r) => r.initiatorType === 'script' || /[.]m?js([?]|$)/.test(r.name)).length,
                files: all.map((r) => [r.name.replace(location.origin, ''), r.transferSize])};
    }""")


def small_targets(page) -> list[str]:
    """Links, buttons and fields smaller than 24 x 24 CSS px (WCAG 2.5.8), except links inside a
    sentence, which the rule exempts."""
    return page.evaluate("""() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select')]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => !(el.tagName === 'A' && el.parentElement.textContent.trim() !== el.textContent.trim()
                          && getComputedStyle(el).display === 'inline'))
        .map((el) => [el, el.getBoundingClientRect()])
        .filter(([el, box]) => box.width < 24 || box.height < 24)
        .map(([el, box]) => `${el.tagName} "${el.textContent.trim().slice(0, 30)}" `
                            + `${Math.round(box.width)}x${Math.round(box.height)}`)
    """)


def fits_360(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px ({width}px)"


@pytest.fixture(scope="module")
def flow(live_server, browser):
    """An event whose person has a Bangla name, attended and holds a certificate; a logged-in staff page."""
    staff = browser.new_context(**PHONE_360)
    page = staff.new_page()
    log_in_as(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    seeded = seed(page, live_server, title="District workshop on safe migration", name="Karim Sheikh",
                  name_bn="করিম শেখ", phone="01711-313131", walk_ins=True)
    post(page, f"{live_server}/manage/events/{seeded.event_id}/sessions/{seeded.session_id}/attendance/"
               f"{seeded.registration_id}", {})
    code = issue_certificate(page, live_server, seeded)
    yield SimpleNamespace(page=page, seeded=seeded, code=code, storage=staff.storage_state())
    staff.close()


def participant_url(flow, base: str, name: str) -> str:
    if name == "self-check-in":  # the venue screen's current QR link (it changes every 30 s)
        return self_check_in_link(flow.page, base, flow.seeded)
    return base + {"ticket": f"/t/{flow.seeded.token}", "ticket-details": f"/t/{flow.seeded.token}/details",
                   "check-in-code": "/c",
                   "verify": f"/verify/{flow.code}"}[name]


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("name", ["ticket", "ticket-details", "self-check-in", "check-in-code", "verify"])
def test_participant_pages_are_light_accessible_and_fit_a_phone(live_server, browser, flow, name, lang):
    url = participant_url(flow, live_server, name)
    context = browser.new_context(**PHONE_360, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    weight = weigh(page)
    print(f"\nweight {name} {lang}: page {weight['page']} B, bengali font {weight['bengali_font']} B, "
          f"files {weight['files']}")
    assert weight["scripts"] == 0, f"{name} needs no script but loads {weight['files']}"
    assert weight["page"] < PAGE_BUDGET_BYTES, f"{name} in {lang}: {weight['page']} bytes"
    assert page.locator("html").get_attribute("lang") == lang
    fits_360(page)
    screenshot(page, f"quality-{lang}-{name}")
    assert small_targets(page) == []
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("name", ["scan", "display", "attendance"])
def test_check_in_pages_are_accessible_in_both_languages(live_server, browser, flow, name, lang):
    context = browser.new_context(**PHONE_360, storage_state=flow.storage,
                                  extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{live_server}/manage/events/{flow.seeded.event_id}/sessions/{flow.seeded.session_id}/{name}")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == lang
    if name == "scan":  # no camera here: the script says so in the page's language
        expected = {"en": "No camera found on this device", "bn": "এই ডিভাইসে কোনো ক্যামেরা পাওয়া যায়নি"}[lang]
        expect(page.locator("#scan-status")).to_contain_text(expected)
    fits_360(page)
    screenshot(page, f"quality-{lang}-{name}")
    assert small_targets(page) == []
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_ticket_page_works_from_the_keyboard_with_a_visible_focus(live_server, browser, flow, lang):
    context = browser.new_context(**PHONE_360, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(participant_url(flow, live_server, "ticket"))
    page.keyboard.press("Tab")
    skip = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                         " return [document.activeElement.getAttribute('href'), r.left >= 0 && r.top >= 0]; })()")
    assert skip == ["#main", True], "the first Tab shows the skip link"
    seen = []
    for _ in range(12):  # every link and button of the page, in order
        focus = page.evaluate("""(() => { const el = document.activeElement, style = getComputedStyle(el);
            const luminance = (css) => {
                const [r, g, b] = css.match(/[\\d.]+/g).slice(0, 3).map((v) => v / 255)
                    .map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
                return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const [a, b] = [luminance(style.outlineColor),
                            luminance(getComputedStyle(el.closest('header') || document.body).backgroundColor)];
            return [el.tagName, el.textContent.trim().slice(0, 40), style.outlineStyle,
                    (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; })()""")
        if focus[0] == "BODY":
            break
        seen.append(focus[1])
        assert focus[2] != "none", f"no visible focus on {focus}"
        assert focus[3] >= 3, f"focus ring below 3:1 against its background: {focus}"
        page.keyboard.press("Tab")
    assert len(seen) >= 4, seen
    context.close()
