"""A certificate's captions speak its holder's language (issue 18): the language they chose for messages,
else Bangla when their Bangla name is known, else English. Read from /Lang and the Unicode title (shaped
Bangla extracts as glyph codes), and the English captions must be gone from a Bangla certificate's text."""

from __future__ import annotations

import io
import secrets

import pypdf
import pytest

from portal.certificates import issue
from portal.messages.tables import Contact

pytestmark = pytest.mark.anyio
CAPTIONS = ("This is to certify that", "has participated in", "Certificate No.", "Issued on", "Verify:")


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


async def _certificate(staff_client, coordinator, create_event_with_sessions, create_registration, create_person,
                       **person) -> tuple[str, str, str]:
    event_id, sessions = await create_event_with_sessions(days=2, title="Safe migration workshop")
    registration = await create_registration(event_id, await create_person(**person), attend=sessions)
    row, _ = await issue.issue_one(coordinator, event_id, registration)
    reader = pypdf.PdfReader(io.BytesIO((await staff_client.get(f"/manage/certificates/{row['id']}/pdf")).content))
    return str(reader.trailer["/Root"]["/Lang"]), reader.metadata.title, reader.pages[0].extract_text()


async def test_a_holder_with_a_bangla_name_gets_bangla_captions(staff_client, coordinator, create_event_with_sessions,
                                                                 create_registration, create_person):
    lang, title, text = await _certificate(staff_client, coordinator, create_event_with_sessions,
                                           create_registration, create_person, name="Rahima Begum",
                                           name_bn="রহিমা বেগম")
    assert lang == "bn" and title.startswith("অংশগ্রহণ সনদপত্র: Rahima Begum")
    assert not any(caption in text for caption in CAPTIONS)
    assert "Certificate of Participation" in text  # the English title stays, under the Bangla one


async def test_a_holder_without_one_gets_english(staff_client, coordinator, create_event_with_sessions,
                                                 create_registration, create_person):
    lang, title, text = await _certificate(staff_client, coordinator, create_event_with_sessions,
                                           create_registration, create_person, name="Karim Sheikh")
    assert lang == "en" and title.startswith("Certificate of Participation: Karim Sheikh")
    assert all(caption in text for caption in CAPTIONS)


async def test_the_language_a_person_chose_for_messages_wins(staff_client, coordinator, create_event_with_sessions,
                                                             create_registration, create_person):
    await Contact(address="+8801719000001", language="en", stop_token=secrets.token_hex(8)).save()
    lang, _title, text = await _certificate(staff_client, coordinator, create_event_with_sessions,
                                            create_registration, create_person, name="Rahima Begum",
                                            name_bn="রহিমা বেগম", phone="+8801719000001")
    assert lang == "en" and "This is to certify that" in text
