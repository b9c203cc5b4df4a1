"""Issuing: serials, codes, idempotence (one and bulk), concurrency, revocation, the pool."""

import asyncio
import re

import pytest

from portal.certificates import codes, issue, jobs
from portal.certificates.tables import Certificate, CertificateHistory, IssueJob, PoolMember
from portal.core import clock as portal_clock
from portal.core.audit import history
from portal.core.errors import DomainError, NotFound

pytestmark = pytest.mark.anyio


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def tot(create_event_with_sessions, create_registration):
    """A 3-day ToT in 2026 with two people who attended everything and one who missed a day."""
    event_id, sessions = await create_event_with_sessions(kind="tot", days=3)
    full = [await create_registration(event_id, attend=sessions) for _ in range(2)]
    partial = await create_registration(event_id, attend=sessions[:2])
    return event_id, full, partial


async def test_issue_gives_a_serial_and_a_typable_code(coordinator, tot):
    event_id, [first, _], _ = tot
    row, created = await issue.issue_one(coordinator, event_id, first)
    assert created
    assert row["serial"] == "TOT-2026-0001"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", row["code"])
    assert row["kind"] == "master_trainer"


def test_code_carries_80_bits_and_tolerates_typing():
    code = codes.new_code()
    assert len(code.replace("-", "")) * 5 >= 80
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert codes.normalise_code(typed) == code


async def test_issuing_twice_returns_the_first_certificate(coordinator, tot):
    event_id, [first, _], _ = tot
    one, _ = await issue.issue_one(coordinator, event_id, first)
    two, created = await issue.issue_one(coordinator, event_id, first)
    assert (two["id"], created) == (one["id"], False)
    assert await Certificate.count() == 1


async def test_not_eligible_is_refused(coordinator, tot):
    event_id, _, partial = tot
    with pytest.raises(DomainError) as info:
        await issue.issue_one(coordinator, event_id, partial)
    assert info.value.code == "not_eligible"


async def test_organizer_outside_the_district_cannot_issue(create_user, tot):
    organizer = await create_user("organizer", districts=("sylhet",))
    event_id, [first, _], _ = tot
    with pytest.raises(NotFound):
        await issue.issue_one(organizer, event_id, first)


async def test_concurrent_issues_get_distinct_consecutive_serials(coordinator, create_event_with_sessions,
                                                                  create_registration):
    event_id, sessions = await create_event_with_sessions(days=1)
    registrations = [await create_registration(event_id, attend=sessions) for _ in range(12)]
    results = await asyncio.gather(*(issue.issue_one(coordinator, event_id, r) for r in registrations))
    serials = sorted(row["serial"] for row, _ in results)
    assert serials == [f"PAR-2026-{n:04d}" for n in range(1, 13)]


async def test_concurrent_issues_for_one_registration_make_one_certificate(coordinator, tot):
    event_id, [first, _], _ = tot
    results = await asyncio.gather(*(issue.issue_one(coordinator, event_id, first) for _ in range(8)))
    assert len({row["id"] for row, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await Certificate.count() == 1


async def test_bulk_job_issues_every_eligible_once(coordinator, tot):
    event_id, full, _ = tot
    job_id = await jobs.start(coordinator, event_id)
    await jobs.wait(job_id)
    job = await IssueJob.select().where(IssueJob.id == job_id).first()
    assert (job["status"], job["total"], job["done"], job["issued"]) == ("done", 2, 2, 2)
    assert sorted(r["registration"] for r in await Certificate.select(Certificate.registration)) == sorted(full)


async def test_second_click_while_running_returns_the_same_job(coordinator, tot):
    event_id, _, _ = tot
    first = await jobs.start(coordinator, event_id)
    second = await jobs.start(coordinator, event_id)
    await jobs.wait(first)
    assert first == second
    assert await Certificate.count() == 2


async def test_bulk_issue_after_completion_issues_nothing_more(coordinator, tot):
    event_id, _, _ = tot
    await jobs.wait(await jobs.start(coordinator, event_id))
    again = await jobs.start(coordinator, event_id)
    await jobs.wait(again)
    job = await IssueJob.select().where(IssueJob.id == again).first()
    assert (job["total"], job["issued"]) == (0, 0)
    assert await Certificate.count() == 2


async def test_stale_job_is_resumed_and_finishes(coordinator, tot):
    """A job a restart interrupted (status running, old heartbeat, no task) is taken over."""
    event_id, _, _ = tot
    job = IssueJob(event=event_id, status="running", total=2, created_by=coordinator.id,
                   heartbeat_at=portal_clock.now() - jobs.STALE_AFTER * 2)
    await job.save()
    row = await jobs.get(coordinator, event_id, job.id)
    await jobs.wait(job.id)
    assert row["id"] == job.id
    assert (await IssueJob.select(IssueJob.status).where(IssueJob.id == job.id).first())["status"] == "done"
    assert await Certificate.count() == 2


async def test_live_job_is_not_taken_over(coordinator, tot):
    event_id, _, _ = tot
    job = IssueJob(event=event_id, status="running", total=2, created_by=coordinator.id,
                   heartbeat_at=portal_clock.now())
    await job.save()
    row = await IssueJob.select().where(IssueJob.id == job.id).first()
    assert not await jobs.resume_if_stale(row)


async def test_master_trainer_certificate_adds_to_the_pool(coordinator, tot):
    event_id, [first, _], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    member = await PoolMember.select().first()
    assert (member["certificate"], member["source_event"], member["status"]) == (row["id"], event_id, "active")


async def test_participation_certificate_does_not_add_to_the_pool(coordinator, create_event_with_sessions,
                                                                  create_registration):
    event_id, sessions = await create_event_with_sessions(days=1)
    await issue.issue_one(coordinator, event_id, await create_registration(event_id, attend=sessions))
    assert await PoolMember.count() == 0


async def test_revoke_records_reason_history_audit_and_pool_status(coordinator, tot):
    event_id, [first, _], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    await issue.revoke(coordinator, row["id"], "Attendance sheet was forged")
    revoked = await issue.get_certificate(coordinator, row["id"])
    assert revoked["revoked_reason"] == "Attendance sheet was forged"
    assert [h["action"] for h in await issue.history(row["id"])] == ["issued", "revoked"]
    assert (await history("certificate", row["id"]))[0]["action"] == "certificate.revoke"
    assert (await PoolMember.select(PoolMember.status).first())["status"] == "inactive"


async def test_reinstate_clears_revocation_and_is_recorded(coordinator, tot):
    event_id, [first, _], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    await issue.revoke(coordinator, row["id"], "Mistake")
    await issue.reinstate(coordinator, row["id"], "The sheet was genuine")
    again = await issue.get_certificate(coordinator, row["id"])
    assert again["revoked_at"] is None
    assert [h["action"] for h in await issue.history(row["id"])] == ["issued", "revoked", "reinstated"]
    assert (await history("certificate", row["id"]))[0]["action"] == "certificate.reinstate"


@pytest.mark.parametrize(("action", "code"), [("revoke_twice", "already_revoked"), ("reinstate_valid", "not_revoked")])
async def test_revocation_refusals(coordinator, tot, action, code):
    event_id, [first, _], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    with pytest.raises(DomainError) as info:
        if action == "revoke_twice":
            await issue.revoke(coordinator, row["id"], "one")
            await issue.revoke(coordinator, row["id"], "two")
        else:
            await issue.reinstate(coordinator, row["id"])
    assert info.value.code == code


async def test_history_rows_are_kept(coordinator, tot):
    event_id, [first, _], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    assert await CertificateHistory.count().where(CertificateHistory.certificate == row["id"]) == 1


async def test_ticket_lists_only_valid_certificates(coordinator, tot):
    from tests.factories import ticket_token

    event_id, [first, second], _ = tot
    row, _ = await issue.issue_one(coordinator, event_id, first)
    revoked, _ = await issue.issue_one(coordinator, event_id, second)
    await issue.revoke(coordinator, revoked["id"], "Duplicate person")
    from portal.events.registrations.services import by_token

    async def section(registration_id: int) -> list[dict]:
        return (await issue.ticket_section(await by_token(await ticket_token(registration_id))))["certificates"]

    assert [c["serial"] for c in await section(first)] == [row["serial"]]
    assert await section(second) == []
