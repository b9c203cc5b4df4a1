"""An event's certificate page while its bulk issue runs, and when the job finishes: the page shows the result."""

import datetime as dt
import re

import pytest

from portal.certificates import jobs
from portal.certificates.tables import IssueJob
from portal.core import clock

pytestmark = pytest.mark.anyio


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def workshop(create_event_with_sessions, create_registration, create_person):
    """A 2-day workshop where two people attended every session."""
    event_id, sessions = await create_event_with_sessions(days=2, title="Safe migration workshop")
    for name in ("Rahima Begum", "Karim Sheikh"):
        await create_registration(event_id, await create_person(name), attend=sessions)
    return event_id


async def running_job(event_id: int, user_id: int) -> int:
    """A job another process is running (its heartbeat is fresh, so nobody takes it over)."""
    job = IssueJob(event=event_id, status="running", total=2, done=1, created_by=user_id, created_at=clock.now(),
                   heartbeat_at=clock.now() + dt.timedelta(minutes=10))
    await job.save()
    return job.id


@pytest.mark.parametrize("lang", ["en", "bn"])
async def test_event_page_shows_the_running_job(staff_client, coordinator, workshop, lang):
    job_id = await running_job(workshop, coordinator.id)
    staff_client.cookies.set("lang", lang)
    response = await staff_client.get(f"/manage/events/{workshop}/certificates")
    assert response.status_code == 200
    assert f'hx-get="/manage/events/{workshop}/certificates/jobs/{job_id}?view=event"' in response.text
    assert ("1 of 2 done" if lang == "en" else "২টির মধ্যে ১টি সম্পন্ন") in response.text
    assert '<meta http-equiv="refresh"' in response.text  # without JavaScript the page reloads itself


async def test_issue_all_from_the_event_page_polls_for_the_event_page(staff_client, workshop):
    response = await staff_client.post(f"/manage/events/{workshop}/certificates/issue-all",
                                       headers={"HX-Request": "true"})
    job = await jobs.latest(workshop)
    await jobs.wait(job["id"])
    assert f"/certificates/jobs/{job['id']}?view=event" in response.text


async def test_finished_job_replaces_the_event_pages_list_with_the_result(staff_client, coordinator, workshop):
    before = await staff_client.get(f"/manage/events/{workshop}/certificates")
    assert "2 eligible, 0 issued" in before.text
    assert before.text.count("Issue certificate") == 2
    job_id = await jobs.start(coordinator, workshop)
    await jobs.wait(job_id)
    response = await staff_client.get(f"/manage/events/{workshop}/certificates/jobs/{job_id}?view=event",
                                      headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#certificates-body"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'id="certificates-body"' in response.text
    assert "<html" not in response.text
    assert "2 eligible, 2 issued" in response.text
    assert "Done: 2 certificates issued" in response.text
    assert "Issue certificate" not in response.text and "Issue all eligible" not in response.text
    assert len(re.findall(r'href="/manage/certificates/\d+"', response.text)) == 2
    assert "every 1s" not in response.text


async def test_finished_job_polled_from_its_own_page_stays_a_component(staff_client, coordinator, workshop):
    job_id = await jobs.start(coordinator, workshop)
    await jobs.wait(job_id)
    response = await staff_client.get(f"/manage/events/{workshop}/certificates/jobs/{job_id}",
                                      headers={"HX-Request": "true"})
    assert "HX-Retarget" not in response.headers
    assert 'id="issue-job"' in response.text and "Done: 2 certificates issued" in response.text
