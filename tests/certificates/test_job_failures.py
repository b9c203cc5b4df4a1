"""A bulk issue job whose code raises: failed with a message people can read, shown on the job
page and the event's certificate page, with a way to start again."""

import pytest

from portal.certificates import jobs
from portal.certificates.tables import Certificate, IssueJob

pytestmark = pytest.mark.anyio


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def eligible_event(create_event_with_sessions, create_registration, create_person):
    event_id, sessions = await create_event_with_sessions(days=2, title="Safe migration workshop")
    for name in ("Rahima Begum", "Karim Sheikh"):
        await create_registration(event_id, await create_person(name), attend=sessions)
    return event_id


@pytest.fixture
def broken_issuing(monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError()  # no text of its own: the job must still say something

    monkeypatch.setattr(jobs, "issue_for", broken)


async def test_a_job_whose_code_raises_is_failed_with_a_message(coordinator, eligible_event, broken_issuing):
    job_id = await jobs.start(coordinator, eligible_event)
    await jobs.wait(job_id)
    job = await IssueJob.select().where(IssueJob.id == job_id).first()
    assert job["status"] == "failed" and job["finished_at"] is not None
    assert job["error"] == "An unexpected error (RuntimeError) stopped it; it has been logged"


async def test_failed_job_page_says_why_and_offers_to_start_again(staff_client, coordinator, eligible_event,
                                                                  broken_issuing, monkeypatch):
    job_id = await jobs.start(coordinator, eligible_event)
    await jobs.wait(job_id)
    page = await staff_client.get(f"/manage/events/{eligible_event}/certificates/jobs/{job_id}")
    assert "The job stopped after 0 of 2: An unexpected error (RuntimeError) stopped it" in page.text
    assert f'action="/manage/events/{eligible_event}/certificates/issue-all"' in page.text
    assert "every 1s" not in page.text
    event_page = await staff_client.get(f"/manage/events/{eligible_event}/certificates")
    assert "The last bulk issue stopped after 0 of 2" in event_page.text
    monkeypatch.undo()
    again = await staff_client.post(f"/manage/events/{eligible_event}/certificates/issue-all")
    assert again.status_code == 303
    await jobs.wait((await jobs.latest(eligible_event))["id"])
    assert await Certificate.count() == 2
