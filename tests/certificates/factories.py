"""Rows for certificate tests, created directly (registrations and check-ins have no service here yet)."""

from __future__ import annotations

import datetime as dt
import secrets
from itertools import count

from portal.certificates.tables import PoolMember
from portal.events.tables import CheckIn, Event, Participant, Registration, Session

DHAKA = dt.timezone(dt.timedelta(hours=6))
_numbers = count(1)


async def make_event(kind: str = "district_workshop", district: str = "khulna", days: int = 3,
                     completion_percent: int = 100, start: dt.date = dt.date(2026, 11, 23), title: str = "",
                     course: int | None = None) -> tuple[int, list[int]]:
    """An event with one session a day; returns (event id, session ids)."""
    event = Event(kind=kind, title=title or f"Event {next(_numbers)}", district=district, start_date=start,
                  end_date=start + dt.timedelta(days=max(days, 1) - 1), completion_percent=completion_percent,
                  status="published", course=course)
    await event.save()
    sessions = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        session = Session(event=event.id, title=f"Day {n + 1}",
                          starts_at=dt.datetime.combine(day, dt.time(9), DHAKA),
                          ends_at=dt.datetime.combine(day, dt.time(17), DHAKA))
        await session.save()
        sessions.append(session.id)
    return event.id, sessions


async def make_person(name: str = "", name_bn: str = "", district: str = "khulna", email: str | None = None,
                      organisation: str = "") -> int:
    """A participant."""
    n = next(_numbers)
    person = Participant(name=name or f"Person {n}", name_bn=name_bn, district=district, email=email,
                         organisation=organisation, phone=f"+8801711{n:06d}")
    await person.save()
    return person.id


async def make_registration(event_id: int, participant_id: int | None = None, role: str = "participant",
                            status: str = "registered", attend: list[int] | None = None) -> int:
    """A registration, checked in at the sessions in `attend`."""
    participant_id = participant_id or await make_person()
    registration = Registration(event=event_id, participant=participant_id, role=role, status=status,
                                ticket_token=secrets.token_urlsafe(16))
    await registration.save()
    for session_id in attend or []:
        await CheckIn.insert(CheckIn(registration=registration.id, session=session_id, method="manual"))
    return registration.id


async def ticket_token(registration_id: int) -> str:
    """The registration's ticket token."""
    row = await Registration.select(Registration.ticket_token).where(Registration.id == registration_id).first()
    return row["ticket_token"]


async def certificate_world(user, event_id: int) -> dict:
    """For the access sweep: in `event_id` a certificate and a finished bulk job; a pool member from a ToT."""
    from portal.certificates import eligibility, issue, jobs

    # Eligible by an override, not by check-ins: the sweep also deletes the event's sessions.
    registration_id = await make_registration(event_id)
    await eligibility.set_override(user, event_id, registration_id, "yes", "access sweep")
    certificate, _ = await issue.issue_one(user, event_id, registration_id)
    job_id = await jobs.start(user, event_id)
    await jobs.wait(job_id)
    tot_id, tot_sessions = await make_event(kind="tot", district="khulna", days=1, title="Khulna ToT")
    await issue.issue_one(user, tot_id, await make_registration(tot_id, attend=tot_sessions))
    member = await PoolMember.select(PoolMember.id).first()
    return {"certificate_id": certificate["id"], "registration_id": registration_id, "job_id": job_id,
            "member_id": member["id"], "code": certificate["code"], "serial": certificate["serial"]}
