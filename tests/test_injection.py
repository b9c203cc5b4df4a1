"""Hostile text typed into the portal's forms comes out as text everywhere it goes: escaped in the HTML
pages, printed as typed on the certificate, inert in CSV and XLSX exports, verbatim in the JSON API.

The world is made through the real forms (a coordinator's browser), so whatever the forms clean or keep
is what the outputs are tested with.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.auth.services import Actor
from portal.certificates.render import CertificateFacts, render_certificate
from portal.certificates.tables import Certificate
from portal.events.tables import CheckIn, Event, Participant, Registration, Session
from portal.pdf.testing import can_rasterize, ink_box, rasterize
from portal.reports import api_keys
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio

MARKUP = "<script>alert(1)</script>"
TEMPLATE = "{{ 7*7 }} {% raw %}"
QUOTES = "\"double\" 'single'"
RLO, RLM = "\u202e", "\u200f"  # right-to-left override (reorders what follows), right-to-left mark (harmless)
BANGLA = "মোছাঃ রাবেয়া খাতুন"
NAME = f"{MARKUP} {QUOTES} {TEMPLATE} {RLO}Rabeya{RLM}"
TITLE = f"=cmd|' /C calc'!A0 {MARKUP} {TEMPLATE}"  # a formula, as an event title
LONG = (f"{MARKUP}{QUOTES}{TEMPLATE} ক " * 200)[:5000]  # the longest description the form takes
TYPED = {"name": NAME, "title": TITLE}


def stored(text: str) -> str:
    """What the forms keep of typed text: bidi overrides go, marks stay."""
    return text.replace(RLO, "")


def escaped(text: str) -> str:
    """Jinja's escaping of text (MarkupSafe: & < > " ')."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;"))


@pytest.fixture
async def world(staff_client):
    """An event, a person, a registration checked in at the one session and a certificate, all typed hostile."""
    response = await staff_client.post("/manage/events", data={
        "kind": "district_workshop", "title": TITLE, "description": LONG, "venue": f"{MARKUP} {QUOTES}",
        "district": "dhaka", "start_date": "2026-12-01", "end_date": "2026-12-01"})
    assert response.status_code == 303, response.text[:500]
    event_id = (await Event.select(Event.id).first())["id"]
    response = await staff_client.post("/manage/participants", data={
        "name": NAME, "name_bn": f"{BANGLA}{RLM}", "organisation": "@SUM(A1:A9)", "designation": "+1-2",
        "district": "dhaka", "phone": "01711-000111", "email": "rabeya@example.org"})
    assert response.status_code == 303, response.text[:500]
    person_id = (await Participant.select(Participant.id).first())["id"]
    response = await staff_client.post(f"/manage/events/{event_id}/registrations", data={"participant_id": person_id})
    assert response.status_code == 303
    registration = await Registration.select().first()
    session_id = (await Session.select(Session.id).first())["id"]
    # The session title goes in straight: it starts with "-", which the export must keep inert too.
    await Session.update({Session.title: "-2+3 Day 1"}).where(Session.id == session_id)
    base = f"/manage/events/{event_id}"
    # confirm=1: the event is dated 1 December, outside its check-in window whatever the clock says.
    # Both answer with a redirect whether they worked or refused (the refusal is a flash): check what was saved.
    target = f"{base}/sessions/{session_id}/attendance/{registration['id']}"
    response = await staff_client.post(target, data={"confirm": "1"})
    if response.status_code == 422:  # check-in has closed (the clock is past 1 December): say why and when
        starts = (await Session.select(Session.starts_at).where(Session.id == session_id).first())["starts_at"]
        response = await staff_client.post(target, data={
            "reason": "paper", "at": starts.astimezone(PORTAL_TZ).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    assert await CheckIn.exists().where((CheckIn.registration == registration["id"]) & (CheckIn.session == session_id))
    assert (await staff_client.post(f"{base}/certificates/{registration['id']}/issue")).status_code == 303
    certificate = await Certificate.select().where(Certificate.registration == registration["id"]).first()
    assert certificate is not None, "the certificate was refused"
    return {"event": event_id, "session": session_id, "person": person_id, "registration": registration,
            "certificate": certificate}


def pages(world: dict) -> dict[str, str]:
    event, session = world["event"], world["session"]
    return {
        "event page": f"/manage/events/{event}",
        "registrations": f"/manage/events/{event}/registrations",
        "ticket page": f"/t/{world['registration']['ticket_token']}",
        "attendance": f"/manage/events/{event}/sessions/{session}/attendance",
        "certificates list": f"/manage/events/{event}/certificates",
        "verify page": f"/verify/{world['certificate']['code']}",
    }


async def test_forms_keep_the_text_as_typed_less_bidi_overrides(world):
    person = await Participant.select().where(Participant.id == world["person"]).first()
    event = await Event.select().where(Event.id == world["event"]).first()
    assert (person["name"], person["name_bn"]) == (stored(NAME), f"{BANGLA}{RLM}")
    assert (event["title"], event["description"]) == (TITLE, LONG.strip())


async def test_pages_show_hostile_text_escaped(staff_client, world):
    for page, url in pages(world).items():
        response = await staff_client.get(url)
        assert response.status_code == 200, page
        body = response.text
        assert MARKUP not in body and escaped(MARKUP) in body, page
        assert TEMPLATE in body, page  # shown as typed, never evaluated by Jinja
        assert RLO not in body, page
        # Quotes are entities everywhere, so no attribute value can be closed early.
        assert not re.search(r"=\"[^\"]*<script", body), page
        shown = escaped(stored(NAME)) in body or escaped(TITLE) in body
        assert shown, f"{page} shows neither the person's name nor the event title as typed"
        if page != "event page":
            assert BANGLA in body, page
        else:
            assert escaped(LONG.strip()) in body  # the whole 5,000 letters of the description, escaped


async def test_verify_page_isolates_a_name_that_carries_a_bidi_override(client, world):
    """Data from before the forms dropped overrides: the name cannot reorder the page around it."""
    await Participant.update({Participant.name: f"{RLO}Rabeya"}).where(Participant.id == world["person"])
    body = (await client.get(pages(world)["verify page"])).text
    assert f"<bdi>{RLO}Rabeya</bdi>" in body


async def test_certificate_pdf_prints_the_name_as_typed(staff_client, world):
    response = await staff_client.get(f"/manage/certificates/{world['certificate']['id']}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    # The mark is invisible and draws nothing; every visible letter comes back in order.
    assert stored(NAME).replace(RLM, "") in text
    assert stored(NAME) in reader.metadata.title and BANGLA in reader.metadata.title


needs_pdftoppm = pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")


def assert_inside_the_border(pdf: bytes) -> None:
    image = rasterize(pdf, dpi=72)  # one pixel a point
    width, height = image.size
    assert ink_box(image.crop((0, 100, 17, height - 100))) is None  # nothing left of the outer border
    assert ink_box(image.crop((width - 17, 100, width, height - 100))) is None


def printed_name(pdf: bytes, name: str) -> str:
    """The name as printed: the line that starts it and the two after (the caption before it may be in Bangla,
    which extracts as glyphs: a holder with a Bangla name gets Bangla captions)."""
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(name[:20]))
    return " ".join(line.strip() for line in lines[start:start + 3])


@needs_pdftoppm
async def test_certificate_of_the_longest_name_the_form_takes_wraps_whole_inside_the_border(staff_client, world):
    long_name = (f"{MARKUP} Abdullah Al Mamun Chowdhury " * 10)[:200].strip()
    await Participant.update({Participant.name: long_name}).where(Participant.id == world["person"])
    pdf = (await staff_client.get(f"/manage/certificates/{world['certificate']['id']}/pdf")).content
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert printed_name(pdf, long_name).startswith(long_name)  # whole, on up to three lines: not condensed to a smear
    assert_inside_the_border(pdf)


@needs_pdftoppm
def test_certificate_of_a_5000_letter_name_is_cut_short_inside_the_border():
    """More than a name column holds (data from elsewhere): cut with an ellipsis; the metadata keeps it whole."""
    long_name = (f"{MARKUP} Abdullah Al Mamun Chowdhury " * 200)[:5000]
    facts = CertificateFacts(
        serial="PAR-2026-0001", kind="participation", name_en=long_name, name_bn=BANGLA, event_title=TITLE,
        event_kind="District workshop", district="Dhaka", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1),
        days_attended=1, sessions_total=1, verification_url="http://testserver.local/verify/X",
        issued_on=dt.date(2026, 12, 2), programme_name="Programme")
    pdf = render_certificate(facts)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and long_name in reader.metadata.title
    printed = printed_name(pdf, long_name)
    assert printed.startswith(long_name[:100]) and printed.endswith("\u2026")
    assert_inside_the_border(pdf)


def _export_cells(rows: list[list[str]]) -> dict[str, str]:
    header, row = rows[0], rows[1]
    return dict(zip(header, row, strict=True))


async def export_row(staff_client, world: dict, fmt: str) -> dict[str, str]:
    response = await staff_client.get(f"/manage/reports/attendance/export?event={world['event']}&format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        # XLSX stores a carriage return as the escape _x000D_, which Excel reads back as the character.
        rows = [["" if v is None else str(v).replace("_x000D_", "\r") for v in row]
                for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2
    return dict(zip(rows[0], rows[1], strict=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_exports_keep_formula_like_text_inert_and_names_whole(staff_client, world, fmt):
    # CSV: a leading apostrophe makes formula-like text text. XLSX: a text cell is never a formula, so
    # the text is written exactly as stored (an apostrophe there would be data).
    quote = "'" if fmt == "csv" else ""
    cells = await export_row(staff_client, world, fmt)
    assert cells["Name"] == stored(NAME)  # not formula-like: exactly as typed
    assert cells["Name (Bangla)"] == f"{BANGLA}{RLM}"
    assert cells["Event"] == quote + TITLE
    assert cells["Organisation"] == quote + "@SUM(A1:A9)"
    assert cells["Session"] == quote + "-2+3 Day 1"
    assert cells["Phone"] == quote + "+8801711000111"
    for trigger in ("=", "+", "-", "@", "\t", "\r"):  # the forms strip a leading tab or CR: stored directly
        value = f"{trigger}HYPERLINK(\"http://x.example\")"
        await Participant.update({Participant.organisation: value}).where(Participant.id == world["person"])
        assert (await export_row(staff_client, world, fmt))["Organisation"] == quote + value, repr(trigger)


async def test_api_returns_hostile_text_verbatim_as_json_strings(client, world):
    _, key = await api_keys.create_key({"name": "MIS", "personal_data": True}, Actor.system("tests"))
    headers = {"Authorization": f"Bearer {key}"}
    person = (await client.get("/api/v1/participants", headers=headers)).json()["data"][0]
    event = (await client.get("/api/v1/events", headers=headers)).json()["data"][0]
    assert (person["name"], person["name_bn"], person["organisation"]) == (stored(NAME), f"{BANGLA}{RLM}",
                                                                           "@SUM(A1:A9)")
    assert (event["title"], event["description"]) == (TITLE, LONG.strip())
    response = await client.get("/api/v1/events", headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    assert "<script>" in response.text  # JSON needs no HTML escaping: served as JSON, never as a page
