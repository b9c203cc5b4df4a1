"""A participant corrects their own name spelling (English and Bangla), organisation and designation from
their ticket: validated next to the fields, audited with before and after, limited per ticket and day, and
nothing else about the person changes."""

from __future__ import annotations

import json

import pytest

from portal.core.tables import AuditEntry
from portal.events.tables import Participant, Registration
from portal.events.tickets import corrections
from tests import factories

pytestmark = pytest.mark.anyio
GOOD = {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "organisation": "Union Parishad, Sylhet",
        "designation": "Secretary"}


def _plain(value):
    return value if isinstance(value, dict) else json.loads(value)


async def _ticket() -> tuple[str, int]:
    event_id = await factories.make_event(title="District workshop")
    person = await factories.make_person(name="Rahima Begam", organisation="UP")
    registration = await factories.make_registration(event_id, person)
    token = (await Registration.select(Registration.ticket_token).where(Registration.id == registration).first())[
        "ticket_token"]
    return token, person


async def _post(client, token: str, form: dict):
    if "csrftoken" not in client.cookies:
        await client.get(f"/t/{token}/details")
    return await client.post(f"/t/{token}/details", data={**form, "_csrf_token": client.cookies["csrftoken"]})


async def test_the_ticket_links_to_the_form_and_a_correction_is_saved_and_audited(client):
    token, person = await _ticket()
    ticket = await client.get(f"/t/{token}")
    assert f"/t/{token}/details" in ticket.text
    form = await client.get(f"/t/{token}/details")
    assert form.status_code == 200 and 'value="Rahima Begam"' in form.text and "<script" not in form.text
    saved = await _post(client, token, {**GOOD, "phone": "+8801899999999", "district": "dhaka"})
    assert saved.status_code == 303 and saved.headers["location"] == f"/t/{token}"
    row = await Participant.select().where(Participant.id == person).first()
    assert {k: row[k] for k in GOOD} == GOOD
    assert row["district"] == "khulna" and row["phone"] != "+8801899999999"  # not the participant's to change
    (entry,) = await AuditEntry.select().where(AuditEntry.action == "participant.self_correct")
    assert entry["record_id"] == str(person)
    assert _plain(entry["before"]) == {"name": "Rahima Begam", "name_bn": "", "organisation": "UP", "designation": ""}
    assert _plain(entry["after"]) == GOOD
    page = await client.get(f"/t/{token}")
    assert "Thank you: your details are corrected." in page.text and "রহিমা বেগম" in page.text


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"name": "1234"}, "name"),
    ({"name_bn": "Rahima"}, "name_bn"),
    ({"organisation": "x" * 201}, "organisation"),
    ({"designation": "y" * 201}, "designation"),
])
async def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, change, field):
    token, person = await _ticket()
    answer = await _post(client, token, {**GOOD, **change})
    assert answer.status_code == 422 and 'class="field has-error"' in answer.text
    assert f'id="{field}-error"' in answer.text or f'aria-describedby="{field}-error' in answer.text
    assert (await Participant.select(Participant.name).where(Participant.id == person).first())["name"] == \
        "Rahima Begam"
    assert not await AuditEntry.exists().where(AuditEntry.action == "participant.self_correct")


async def test_the_same_values_change_nothing_and_write_no_audit(client):
    token, _person = await _ticket()
    await _post(client, token, GOOD)
    again = await _post(client, token, GOOD)
    assert again.status_code == 303
    assert "Nothing was changed." in (await client.get(f"/t/{token}")).text
    assert await AuditEntry.count().where(AuditEntry.action == "participant.self_correct") == 1


async def test_corrections_are_limited_per_ticket_and_day(client):
    token, _person = await _ticket()
    for n in range(corrections.MAX_PER_DAY):
        assert (await _post(client, token, {**GOOD, "designation": f"Secretary {n}"})).status_code == 303
    refused = await _post(client, token, {**GOOD, "designation": "One more"})
    assert refused.status_code == 429 and "many times today" in refused.text
    assert await AuditEntry.count().where(AuditEntry.action == "participant.self_correct") == corrections.MAX_PER_DAY


async def test_an_unknown_ticket_and_the_bangla_page(client):
    assert (await client.get("/t/not-a-real-token-at-all/details")).status_code == 404
    assert (await client.post("/t/not-a-real-token-at-all/details", data={})).status_code in (403, 404)
    token, _person = await _ticket()
    client.cookies["lang"] = "bn"
    page = await client.get(f"/t/{token}/details")
    assert "বিবরণ" in page.text and "নাম (বাংলা)" in page.text
