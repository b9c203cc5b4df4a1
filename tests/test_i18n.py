import datetime as dt
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from portal.core.i18n import TRANSLATIONS_DIR, catalogue, choose_language, current_language, format_number, format_when

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("cookie", "accept", "expected"), [
    (None, "bn-BD,bn;q=0.9,en;q=0.8", "bn"), (None, "en-GB,en;q=0.9", "en"), (None, "fr-FR, bn;q=0.5", "bn"),
    (None, "", "en"), ("en", "bn", "en"), ("bn", "en", "bn"), ("xx", "fr", "en"),
])
def test_language_is_the_remembered_choice_else_the_browsers_preference(cookie, accept, expected):
    assert choose_language(cookie, accept) == expected


def test_bangla_dates_and_numbers_use_bangla_digits_and_full_month_names():
    moment = dt.datetime(2026, 11, 23, 10, 2, tzinfo=ZoneInfo("Asia/Dhaka"))
    assert format_when(moment, "%d %b %Y, %H:%M", "bn") == "২৩ নভেম্বর ২০২৬, সকাল ১০:০২"
    assert format_when(moment.date(), "%d %b %Y", "en") == "23 Nov 2026"
    assert format_when(dt.date(2026, 12, 1), "%d %b %Y", "bn") == "১ ডিসেম্বর ২০২৬"
    assert format_number(1234, "bn") == "১,২৩৪"


def test_every_message_of_the_template_has_a_bangla_translation():
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    # A plural entry's id is (singular, plural); the catalogue keys it by the singular.
    missing = [m.id for m in template if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in catalogue("bn")]
    assert not missing, f"untranslated in bn: {missing}"


async def test_browser_preference_gives_a_bangla_page_with_lang_attribute(client):
    response = await client.get("/login", headers={"Accept-Language": "bn-BD,bn;q=0.9"})
    assert '<html lang="bn">' in response.text
    assert "কর্মীদের লগ ইন" in response.text and "ইমেইল বা মোবাইল নম্বর" in response.text


async def test_the_switch_remembers_the_choice_and_returns_to_the_page(client):
    response = await client.get("/lang/bn?next=/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "lang=bn" in response.headers["set-cookie"]
    page = await client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="bn">' in page.text
    back = await client.get("/lang/en?next=//evil.example")
    assert back.headers["location"] == "/"


async def test_error_pages_are_translated(client):
    client.cookies["lang"] = "bn"
    response = await client.get("/no/such/page")
    assert response.status_code == 404 and "এই পাতাটি নেই" in response.text


def test_language_defaults_to_english_outside_requests():
    assert current_language.get() == "en"


def test_font_urls_in_stylesheets_carry_the_fingerprint_of_the_file_they_name():
    """The Bengali web fonts are cached for a year by their ?v= (without it every Bangla page fetched
    92 KB of fonts again): a font regenerated without updating its ?v= would stay stale."""
    static = Path(__file__).resolve().parents[1] / "static"
    found = 0
    for css in [*static.glob("css/*.css"), *static.glob("fonts/web/*.css")]:
        for path, fingerprint in re.findall(r"url\(([^)?]+\.woff2)\?v=([0-9a-f]+)\)", css.read_text()):
            found += 1
            assert hashlib.sha256((css.parent / path).read_bytes()).hexdigest()[:10] == fingerprint, (css, path)
    assert found >= 4
