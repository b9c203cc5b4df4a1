"""Who sees what: every kind of viewer against every audience; refused is 404, like missing."""

import pytest

from portal.certificates.tables import PoolMember

pytestmark = pytest.mark.anyio

AUDIENCES = ("trainers", "participants", "public")
# What each viewer may download, by audience.
STAFF_EXPECTED = {
    "anonymous": {"public"},
    "pool_trainer": set(AUDIENCES),
    "assigned_trainer": set(AUDIENCES),
    "idle_trainer": {"public"},
    "organizer": {"public"},
    "coordinator": set(AUDIENCES),
    "admin": set(AUDIENCES),
}
TICKET_EXPECTED = {
    "ticket": {"participants", "public"},
    "ticket_other_event": {"public"},  # an event of no course: only what is public
    "ticket_cancelled": set(),  # a cancelled ticket opens nothing
}


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("viewer", sorted(STAFF_EXPECTED))
async def test_staff_and_anonymous_download_by_audience(course_world, as_user, viewer, audience):
    client = await as_user(course_world["users"].get(viewer))
    version_id = course_world["materials"][audience]["version"]
    response = await client.get(f"/materials/versions/{version_id}")
    assert response.status_code == (200 if audience in STAFF_EXPECTED[viewer] else 404)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("viewer", sorted(STAFF_EXPECTED))
async def test_material_page_by_audience(course_world, as_user, viewer, audience):
    client = await as_user(course_world["users"].get(viewer))
    response = await client.get(f"/materials/{course_world['materials'][audience]['material']}")
    assert response.status_code == (200 if audience in STAFF_EXPECTED[viewer] else 404)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("ticket", sorted(TICKET_EXPECTED))
async def test_ticket_download_by_audience(course_world, client, ticket, audience):
    token = course_world["tickets"][ticket]
    response = await client.get(f"/t/{token}/materials/{course_world['materials'][audience]['version']}")
    assert response.status_code == (200 if audience in TICKET_EXPECTED[ticket] else 404)


async def test_refused_and_missing_look_the_same(course_world, as_user):
    client = await as_user(course_world["users"]["idle_trainer"])
    refused = await client.get(f"/materials/versions/{course_world['materials']['trainers']['version']}")
    missing = await client.get("/materials/versions/999999")
    def main(text: str) -> str:  # the page around it links back to its own path (language switch)
        return text.split("<main", 1)[1].split("</main>", 1)[0]

    assert (refused.status_code, main(refused.text)) == (missing.status_code, main(missing.text))


@pytest.mark.parametrize(("viewer", "sees_course"), [
    ("pool_trainer", True), ("assigned_trainer", True), ("idle_trainer", False), ("organizer", False),
    ("coordinator", True), ("admin", True),
])
async def test_my_courses_lists_the_courses_a_user_teaches(course_world, as_user, viewer, sees_course):
    client = await as_user(course_world["users"][viewer])
    listing = await client.get("/courses")
    course = await client.get(f"/courses/{course_world['course_id']}")
    assert ("Integrated Approach to Sustainable Reintegration" in listing.text) is sees_course
    assert course.status_code == (200 if sees_course else 404)


async def test_an_inactive_pool_member_loses_the_course(course_world, as_user):
    await PoolMember.update({PoolMember.status: "inactive"}, force=True)
    client = await as_user(course_world["users"]["pool_trainer"])
    assert (await client.get(f"/courses/{course_world['course_id']}")).status_code == 404


async def test_ticket_page_lists_participant_and_public_materials_only(course_world, client):
    page = await client.get(f"/t/{course_world['tickets']['ticket']}/materials")
    assert page.status_code == 200
    assert "participants file" in page.text and "public file" in page.text
    assert "trainers file" not in page.text


async def test_trainer_course_page_and_fragment(course_world, as_user):
    client = await as_user(course_world["users"]["pool_trainer"])
    url = f"/courses/{course_world['course_id']}"
    full = await client.get(url)
    fragment = await client.get(url, headers={"HX-Request": "true"})
    assert "<html" in full.text and "trainers file" in full.text
    assert "<html" not in fragment.text and "trainers file" in fragment.text
