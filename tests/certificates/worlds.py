"""The certificates' part of the access sweep (tests/test_access.py)."""

from __future__ import annotations

from portal.certificates.tables import PoolMember
from tests.factories import make_event_with_sessions, make_registration


async def certificate_world(user, event_id: int) -> dict:
    """For the access sweep: in `event_id` a certificate and a finished bulk job; a pool member from a ToT."""
    from portal.certificates import eligibility, issue, jobs

    # Eligible by an override, not by check-ins: the sweep also deletes the event's sessions.
    registration_id = await make_registration(event_id)
    await eligibility.set_override(user, event_id, registration_id, "yes", "access sweep")
    certificate, _ = await issue.issue_one(user, event_id, registration_id)
    job_id = await jobs.start(user, event_id)
    await jobs.wait(job_id)
    tot_id, tot_sessions = await make_event_with_sessions(kind="tot", district="khulna", days=1, title="Khulna ToT")
    await issue.issue_one(user, tot_id, await make_registration(tot_id, attend=tot_sessions))
    member = await PoolMember.select(PoolMember.id).first()
    return {"certificate_id": certificate["id"], "registration_id": registration_id, "job_id": job_id,
            "member_id": member["id"], "code": certificate["code"], "serial": certificate["serial"]}
