"""Bulk send to a filter (the registrations page's: status, checked in or not, district, gender, stakeholder
type, search): the preview and part count are the filter's, the job queues exactly the filter's people; and
the registrations list shows each person's last message (sent, queued, failed with the reason) with one
outbox query for the page's rows."""

from __future__ import annotations

import dataclasses

import pytest

from portal.core import audit, jobs
from portal.events.messaging import services as messaging
from portal.events.registrations import controllers as registration_pages
from portal.events.registrations.filters import RegistrationFilter
from portal.messages import outbox, sender, sms
from portal.messages.tables import OutboxMessage
from tests import factories

pytestmark = pytest.mark.anyio
ACTOR = audit.Actor.system("tests")


async def _event() -> tuple[int, dict[str, list[int]]]:
    """30 people: every third in Sylhet, every second a woman, every fifth from a CSO, the first ten checked in."""
    event_id, sessions = await factories.make_event_with_sessions(1, title="District workshop Sylhet")
    groups: dict[str, list[int]] = {"sylhet": [], "female": [], "female_cso": [], "checked_in": [], "all": []}
    for i in range(30):
        district = "sylhet" if i % 3 == 0 else "khulna"
        gender = "female" if i % 2 == 0 else "male"
        stakeholder = "cso" if i % 5 == 0 else "government"
        person = await factories.make_person(name=f"Person {i:03d}", district=district, gender=gender,
                                             stakeholder_type=stakeholder)
        registration = await factories.make_registration(event_id, person, attend=sessions if i < 10 else ())
        groups["all"].append(registration)
        if district == "sylhet":
            groups["sylhet"].append(registration)
        if gender == "female":
            groups["female"].append(registration)
            if stakeholder == "cso":
                groups["female_cso"].append(registration)
        if i < 10:
            groups["checked_in"].append(registration)
    return event_id, groups


@pytest.mark.parametrize(("query", "group"), [
    ({"district": "sylhet"}, "sylhet"),
    ({"gender": "female"}, "female"),
    ({"gender": "female", "stakeholder": "cso"}, "female_cso"),
    ({"checked_in": "yes"}, "checked_in"),
    ({"district": "nowhere", "gender": "?"}, "all"),  # unknown values are dropped, not errors
])
async def test_the_preview_and_its_parts_are_the_filters(settings, db, query, group):
    event_id, groups = await _event()
    where = RegistrationFilter.from_query(query)
    people = await messaging.recipients(event_id, "reminder", "all", where)
    assert sorted(p["id"] for p in people) == sorted(groups[group])
    preview = await messaging.preview(event_id, "reminder", "all", where)
    assert preview["people"] == preview["sms"] == len(groups[group])
    assert preview["parts"] == len(groups[group]) * preview["samples"]["en"]["parts"]


async def test_not_checked_in_is_the_rest(settings, db):
    event_id, groups = await _event()
    people = await messaging.recipients(event_id, "reminder", "all", RegistrationFilter(checked_in="no"))
    assert sorted(p["id"] for p in people) == sorted(set(groups["all"]) - set(groups["checked_in"]))


async def test_an_opted_out_person_costs_nothing_in_the_preview(settings, db):
    event_id, groups = await _event()
    where = RegistrationFilter(district="sylhet")
    before = await messaging.preview(event_id, "reminder", "all", where)
    phone = (await messaging.recipients(event_id, "reminder", "all", where))[0]["phone"]
    await outbox.contact(phone, consent_source="tests")
    await outbox.set_opt_out(phone, True, "staff", ACTOR)
    after = await messaging.preview(event_id, "reminder", "all", where)
    assert (after["people"], after["sms"]) == (before["people"], before["sms"] - 1)
    assert after["parts"] == before["parts"] - sms.parts(before["samples"]["en"]["sms"])


async def test_a_filtered_send_from_the_page_reaches_exactly_the_filters_people(
        client, create_user, login, settings, gateway):
    event_id, groups = await _event()
    await login(client, await create_user("coordinator"))
    query = {"kind": "reminder", "audience": "all", "gender": "female", "stakeholder": "cso"}
    page = await client.get(f"/manage/events/{event_id}/messages", params=query)
    assert f"Send to {len(groups['female_cso'])} people" in page.text
    assert 'name="stakeholder" value="cso"' in page.text  # the send carries the filter
    sent = await client.post(f"/manage/events/{event_id}/messages", data=query)
    assert sent.status_code == 303 and "gender=female" in sent.headers["location"]
    batch = sent.headers["location"].rsplit("batch=", 1)[1]
    await jobs.current().wait(f"{messaging.JOB}:{batch}")
    queued = await OutboxMessage.select(OutboxMessage.record_id).where(OutboxMessage.kind == "reminder")
    assert sorted(row["record_id"] for row in queued) == sorted(groups["female_cso"])
    assert await sender.send_due(dataclasses.replace(settings, sms_url=gateway.url)) == {
        "sent": len(groups["female_cso"])}
    assert len({r["params"]["to"] for r in gateway.requests}) == len(groups["female_cso"])


async def test_the_list_filters_and_shows_each_persons_last_message_with_one_query(
        client, create_user, login, monkeypatch):
    event_id, groups = await _event()
    for n in range(250):  # three pages
        await factories.make_registration(event_id, await factories.make_person(name=f"Zed {n:03d}"))
    first, second = groups["all"][0], groups["all"][1]
    await messaging.queue_batch(event_id, "reminder", [first, second], "b1")
    await OutboxMessage.update({OutboxMessage.status: "failed", OutboxMessage.last_error: "HTTP 400: 1003 Invalid"}
                               ).where(OutboxMessage.record_id == second)
    calls = []
    real = outbox.latest

    async def counted(record_type, ids):
        calls.append(ids)
        return await real(record_type, ids)

    monkeypatch.setattr(registration_pages.outbox, "latest", counted)
    await login(client, await create_user("coordinator"))
    page = await client.get(f"/manage/events/{event_id}/registrations")
    assert page.status_code == 200 and "Page 1 of 3" in page.text
    assert len(calls) == 1 and len(calls[0]) == 100  # one outbox query, for the page's rows only
    assert "Last message:" in page.text and "Reminder the day before" in page.text
    assert "HTTP 400: 1003 Invalid" in page.text
    narrowed = await client.get(f"/manage/events/{event_id}/registrations",
                                params={"district": "sylhet", "checked_in": "yes"}, headers={"HX-Request": "true"})
    assert "<html" not in narrowed.text
    expected = set(groups["sylhet"]) & set(groups["checked_in"])
    assert f"{len(expected)} match" in narrowed.text
    assert "Send a message to these people" in narrowed.text and "district=sylhet" in narrowed.text
    assert narrowed.text.count('class="badge reg-') == len(expected)
    client.cookies["lang"] = "bn"
    bangla = await client.get(f"/manage/events/{event_id}/registrations", params={"gender": "female"})
    assert "চেক-ইন" in bangla.text or "চেক ইন" in bangla.text


async def test_who_got_what_pages_by_100_with_the_messages_of_the_pages_rows(client, create_user, login, settings):
    event_id, _sessions = await factories.make_event_with_sessions(1, title="A large workshop")
    registrations = [await factories.make_registration(
        event_id, await factories.make_person(name=f"Person {i:03d}")) for i in range(130)]
    for n, registration in enumerate(registrations[-3:]):  # the last three (on page 2) were sent a reminder
        assert await outbox.enqueue("reminder", channel="sms", to=f"+88017110000{n:02d}", language="en",
                                    values={"event": "A large workshop", "when": "tomorrow", "link": "/t/x"},
                                    consent_source="test", record_type="registration", record_id=registration)
    await login(client, await create_user("coordinator"))
    url = f"/manage/events/{event_id}/messages"
    first = await client.get(url)
    assert first.status_code == 200 and "130 in all" in first.text and "Page 1 of 2" in first.text
    assert first.text.count("Person 0") == 100 and "Person 100" not in first.text
    second = await client.get(url, params={"part": "people", "page": 2}, headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.text  # the list alone, for htmx
    assert [f"Person {i:03d}" in second.text for i in (99, 100, 129)] == [False, True, True]
    assert "Page 2 of 2" in second.text
    assert second.text.count("Nothing sent yet.") == 27 and "Nothing sent yet." in first.text
