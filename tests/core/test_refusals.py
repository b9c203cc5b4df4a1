"""Domain errors become answers in one place (portal/core/refusals.py): a refused form post goes back
to its page with the reason as a flash (HX-Redirect for htmx); a 404 stays a 404 page."""

import pytest

from tests.factories import make_event, make_registration

pytestmark = pytest.mark.anyio


@pytest.fixture
async def registered(staff_client) -> tuple[int, int]:
    event_id = await make_event(district="dhaka")
    return event_id, await make_registration(event_id)


async def test_a_refused_post_goes_back_to_its_page_with_the_reason(staff_client, registered):
    event_id, registration_id = registered
    url = f"/manage/events/{event_id}/registrations"
    response = await staff_client.post(f"{url}/{registration_id}/promote")
    assert response.status_code == 303
    assert response.headers["location"] == url
    page = await staff_client.get(url)
    assert "Only a waitlisted person can be promoted." in page.text


async def test_a_refused_htmx_post_redirects_the_page(staff_client, registered):
    event_id, registration_id = registered
    response = await staff_client.post(f"/manage/events/{event_id}/registrations/{registration_id}/promote",
                                       headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/manage/events/{event_id}/registrations"


async def test_a_missing_record_stays_a_404(staff_client, registered):
    event_id, _ = registered
    response = await staff_client.post(f"/manage/events/{event_id}/registrations/999999/promote")
    assert response.status_code == 404
