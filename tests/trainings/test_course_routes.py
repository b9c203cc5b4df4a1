"""Courses, ordered modules, and events linked from the course page."""

import pytest

from portal.core.tables import AuditEntry
from portal.events.tables import Event
from portal.trainings.tables import Course, Module
from tests.factories import make_event

pytestmark = pytest.mark.anyio


async def new_course(client, title="Integrated Approach to Sustainable Reintegration"):
    response = await client.post("/manage/courses", data={"title": title, "summary": "Five days."})
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_create_and_edit_a_course(staff_client):
    course_id = await new_course(staff_client)
    page = await staff_client.get(f"/manage/courses/{course_id}")
    assert "Course created" in page.text and "Five days." in page.text
    response = await staff_client.post(f"/manage/courses/{course_id}/edit", data={"title": "IASR", "summary": ""})
    assert response.status_code == 303
    assert (await Course.select(Course.title).first())["title"] == "IASR"
    assert await AuditEntry.count().where(AuditEntry.action == "course.update") == 1


async def test_course_without_title_is_refused_by_the_field(staff_client):
    response = await staff_client.post("/manage/courses", data={"title": "  "})
    assert response.status_code == 422
    assert '<p class="field-error" id="title-error">Enter the course title.</p>' in response.text
    assert await Course.count() == 0


async def test_modules_are_listed_in_position_order(staff_client):
    course_id = await new_course(staff_client)
    for title in ("Basics", "Referral", "Follow-up"):
        await staff_client.post(f"/manage/courses/{course_id}/modules", data={"title": title})
    followup = await Module.select().where(Module.title == "Follow-up").first()
    response = await staff_client.post(f"/manage/courses/{course_id}/modules/{followup['id']}",
                                       data={"title": "Follow-up", "description": "", "position": "1"})
    assert response.status_code == 303
    page = (await staff_client.get(f"/manage/courses/{course_id}")).text
    assert page.index("Follow-up") < page.index("Basics") < page.index("Referral")


@pytest.mark.parametrize("position", ["0", "abc", "1000"])
async def test_bad_module_position_is_refused(staff_client, position):
    course_id = await new_course(staff_client)
    await staff_client.post(f"/manage/courses/{course_id}/modules", data={"title": "Basics"})
    module = await Module.select().first()
    response = await staff_client.post(f"/manage/courses/{course_id}/modules/{module['id']}",
                                       data={"title": "Basics", "position": position})
    assert response.status_code == 422 and 'id="position-error"' in response.text


async def test_a_module_of_another_course_is_not_found(staff_client):
    first, second = await new_course(staff_client, "A"), await new_course(staff_client, "B")
    await staff_client.post(f"/manage/courses/{first}/modules", data={"title": "Basics"})
    module = await Module.select().first()
    assert (await staff_client.get(f"/manage/courses/{second}/modules/{module['id']}")).status_code == 404


async def test_link_and_unlink_an_event_from_the_course_page(staff_client):
    course_id = await new_course(staff_client)
    event_id = await make_event(title="ToT Cumilla", kind="tot")
    page = await staff_client.get(f"/manage/courses/{course_id}")
    assert f'<option value="{event_id}">ToT Cumilla' in page.text
    response = await staff_client.post(f"/manage/courses/{course_id}/events", data={"event": str(event_id)})
    assert response.status_code == 303
    assert (await Event.select(Event.course).first())["course"] == course_id
    page = await staff_client.get(f"/manage/courses/{course_id}")
    assert "Event linked to the course." in page.text and f'href="/manage/events/{event_id}"' in page.text
    await staff_client.post(f"/manage/courses/{course_id}/events/{event_id}/unlink")
    assert (await Event.select(Event.course).first())["course"] is None


async def test_linking_an_unknown_event_is_reported(staff_client):
    course_id = await new_course(staff_client)
    response = await staff_client.post(f"/manage/courses/{course_id}/events", data={"event": "424242"},
                                       follow_redirects=True)
    assert "That event does not exist." in response.text


async def test_unknown_course_is_404(staff_client):
    assert (await staff_client.get("/manage/courses/999")).status_code == 404
