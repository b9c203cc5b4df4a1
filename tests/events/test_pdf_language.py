"""The ticket and the sign-in sheet print their labels in the reader's language (issue 18): the participant's
page language for a ticket, the staff member's for a sheet. Shaped Bangla extracts as glyph codes, so the
language is read from the PDF's /Lang and Unicode metadata, and the English labels must be gone from the text."""

from __future__ import annotations

import io

import pypdf
import pytest

from portal.auth.services import set_language
from portal.pdf.testing import can_rasterize, ink_box, rasterize

pytestmark = pytest.mark.anyio


def _read(content: bytes) -> tuple[str, str, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return str(reader.trailer["/Root"].get("/Lang")), f"{reader.metadata.title} {reader.metadata.subject}", text


async def test_a_bangla_participants_ticket_has_bangla_labels(client, registration):
    client.cookies["lang"] = "bn"
    lang, meta, text = _read((await client.get(f"/t/{registration['ticket_token']}/ticket.pdf")).content)
    assert lang == "bn" and "টিকিট: Khulna workshop" in meta
    assert "Show this code" not in text and "Khulna workshop" in text and "Rahima Begum" in text


async def test_an_english_ticket_keeps_english_labels(client, registration):
    client.cookies["lang"] = "en"
    lang, meta, text = _read((await client.get(f"/t/{registration['ticket_token']}/ticket.pdf")).content)
    assert lang == "en" and "Ticket: Khulna workshop" in meta and "Show this code at the door." in text


async def test_the_sheet_speaks_the_staff_members_language(client, coordinator, login, event_id, session_id,
                                                           register_person):
    for n in range(15):
        await register_person(event_id, name=f"P{n}")
    await login(client, coordinator)
    url = f"/manage/events/{event_id}/sessions/{session_id}/sheet.pdf"
    english = (await client.get(url)).content
    lang, meta, text = _read(english)
    assert lang == "en" and "Sign-in sheet" in meta
    assert "Signature" in text and "Page 1 of 2" in text and "Name / organisation" in text

    await set_language(coordinator.id, "bn")  # the profile setting, not a cookie
    bangla = (await client.get(url)).content
    lang, meta, text = _read(bangla)
    assert lang == "bn" and "হাজিরা শিট" in meta
    assert not any(word in text for word in ("Signature", "Page", "Name / organisation", "Sign-in", "Phone"))
    assert "১৪" in text and "১৫" in text and "\n14\n" not in text  # row numbers in Bangla digits


@pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")
async def test_the_bangla_labels_are_drawn_not_left_blank(client, coordinator, login, event_id, session_id):
    """The header row drawn in Bangla has ink across the page where the labels are (a font without the
    glyphs would leave it blank)."""
    url = f"/manage/events/{event_id}/sessions/{session_id}/sheet.pdf"
    await login(client, coordinator)
    await set_language(coordinator.id, "bn")
    page = rasterize((await client.get(url)).content, dpi=100)
    labels = page.crop((0, int(page.height * 0.080), page.width, int(page.height * 0.099)))  # above the rule
    box = ink_box(labels)
    assert box is not None and box[2] - box[0] > page.width * 0.6  # from "#" to "স্বাক্ষর"
