import pytest

from portal.core.tables import AuditEntry
from portal.events.tables import Event, Session

pytestmark = pytest.mark.anyio

TOT = {"kind": "tot", "title": "ToT on reintegration", "district": "cumilla", "venue": "BARD",
       "start_date": "2026-12-01", "end_date": "2026-12-03", "capacity": "30", "completion_percent": "100"}


async def test_create_event_through_the_form(staff_client):
    response = await staff_client.post("/manage/events", data=TOT)
    assert response.status_code == 303
    event = await Event.select().first()
    assert response.headers["location"] == f"/manage/events/{event['id']}"
    assert await Session.count().where(Session.event == event["id"]) == 3
    page = await staff_client.get(response.headers["location"])
    assert "Event created" in page.text and "Day 3" in page.text


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_date": "2026-11-30"}, "end_date", "The end date is before the start date."),
    ({"capacity": "-5"}, "capacity", "Capacity cannot be negative."),
    ({"district": "Gotham"}, "district", "Choose one of the 64 districts."),
])
async def test_bad_input_rerenders_the_form_with_the_message_by_the_field(staff_client, changes, field, message):
    response = await staff_client.post("/manage/events", data={**TOT, **changes})
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text
    assert 'value="ToT on reintegration"' in response.text
    assert await Event.count() == 0


async def test_list_page_and_rows_fragment(staff_client):
    await staff_client.post("/manage/events", data=TOT)
    full = await staff_client.get("/manage/events?q=reint")
    assert full.status_code == 200 and "<html" in full.text and "ToT on reintegration" in full.text
    fragment = await staff_client.get("/manage/events?q=reint", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "ToT on reintegration" in fragment.text and "1 event" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    boosted = await staff_client.get("/manage/events", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text
    full_type = await staff_client.get("/manage/events", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert "<html" in full_type.text


async def test_bad_filter_values_get_a_400_with_a_message(staff_client):
    response = await staff_client.get("/manage/events?date_from=yesterday&page=abc")
    assert response.status_code == 400
    assert "Use a date like" in response.text


async def test_edit_status_and_sessions_through_the_forms(staff_client):
    location = (await staff_client.post("/manage/events", data=TOT)).headers["location"]
    event_id = int(location.rsplit("/", 1)[1])
    response = await staff_client.post(f"{location}/edit", data={**TOT, "title": "ToT, revised"})
    assert response.status_code == 303
    assert (await Event.select(Event.title).first())["title"] == "ToT, revised"
    assert (await staff_client.post(f"{location}/status", data={"status": "published"})).status_code == 303
    page = await staff_client.get(location)
    assert "Status changed to published" in page.text
    bad = await staff_client.post(f"{location}/status", data={"status": "draft2"})
    assert bad.status_code == 303
    assert "Unknown status" in (await staff_client.get(location)).text
    response = await staff_client.post(f"{location}/sessions", data={"title": "Evening", "date": "2026-12-02",
                                                                      "start": "18:00", "end": "17:00"})
    assert response.status_code == 422 and "must end after it starts" in response.text
    response = await staff_client.post(f"{location}/sessions", data={"title": "Evening", "date": "2026-12-02",
                                                                      "start": "18:00", "end": "20:00"})
    assert response.status_code == 303
    assert await Session.count().where(Session.event == event_id) == 4
    assert await AuditEntry.count().where(AuditEntry.record_type == "session") == 1


async def test_participant_directory_create_duplicate_and_search(staff_client):
    person = {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "phone": "01711-234567", "gender": "female",
              "stakeholder_type": "returnee", "district": "sylhet"}
    assert (await staff_client.post("/manage/participants", data=person)).status_code == 303
    duplicate = await staff_client.post("/manage/participants", data={**person, "phone": "+8801711234567"})
    assert duplicate.status_code == 409 and "Already in the directory" in duplicate.text
    rows = await staff_client.get("/manage/participants?q=রহিমা", headers={"HX-Request": "true"})
    assert "Rahima Begum" in rows.text and "<html" not in rows.text
    page = await staff_client.get("/manage/participants?q=01711234567")
    assert "Rahima Begum" in page.text and "<html" in page.text


async def test_names_are_escaped(staff_client):
    await staff_client.post("/manage/events", data={**TOT, "title": "<script>alert(1)</script> & co"})
    page = await staff_client.get("/manage/events")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page.text
