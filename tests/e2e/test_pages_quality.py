"""Key pages in a real browser: no serious accessibility problem (axe-core, served locally),
and the light pages stay under their weight budget with an empty cache."""

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, screenshot

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
