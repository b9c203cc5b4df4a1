"""Who leads each session of an event, and the sessions a staff user leads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.db import is_unique_violation, write_transaction
from portal.events.tables import Participant, Session, SessionFacilitator

ROLES = {"trainer": N_("Trainer"), "resource_person": N_("Resource person"), "guest_speaker": N_("Guest speaker")}


async def by_session(event_id: int) -> dict[int, list[dict[str, Any]]]:
    """Session id -> its facilitators (name, Bangla name, role, topic), by name."""
    rows = await SessionFacilitator.select(
        SessionFacilitator.id, SessionFacilitator.session, SessionFacilitator.role, SessionFacilitator.topic,
        SessionFacilitator.participant, SessionFacilitator.participant.name.as_alias("name"),
        SessionFacilitator.participant.name_bn.as_alias("name_bn"),
    ).where(SessionFacilitator.session.event == event_id).order_by(SessionFacilitator.participant.name)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        result[row["session"]].append(row)
    return dict(result)


async def names(event_id: int) -> list[str]:
    """Everyone who leads a session of the event, once each, by name (for a certificate)."""
    seen: dict[int, str] = {}
    for rows in (await by_session(event_id)).values():
        for row in rows:
            seen.setdefault(row["participant"], row["name"])
    return sorted(seen.values())


async def assign(event_id: int, form: dict[str, Any], actor: Actor) -> int:
    """Assign a person from the directory to one or more sessions of the event; how many were new."""
    errors: dict[str, str] = {}
    raw_person = str(form.get("participant_id", "")).strip()
    role = str(form.get("role", "")).strip()
    topic = str(form.get("topic", "")).strip()
    raw_sessions = form.get("sessions") or []
    if isinstance(raw_sessions, str):
        raw_sessions = [raw_sessions]
    if role not in ROLES:
        errors["role"] = _("Choose trainer, resource person or guest speaker.")
    if len(topic) > 200:
        errors["topic"] = _("Keep the topic under 200 characters.")
    session_ids = {int(s) for s in raw_sessions if str(s).isdigit() and int(s) < 2**31}
    known = {row["id"] for row in await Session.select(Session.id).where(Session.event == event_id)}
    if not session_ids or not session_ids <= known:
        errors["sessions"] = _("Choose at least one session of this event.")
    person = None
    if raw_person.isdigit() and int(raw_person) < 2**31:
        person = await Participant.select(Participant.id).where(Participant.id == int(raw_person)).first()
    if person is None:
        errors["participant_id"] = _("Choose a person from the directory.")
    if errors:
        raise ValidationFailed(errors)
    taken = {row["session"] for row in await SessionFacilitator.select(SessionFacilitator.session).where(
        SessionFacilitator.participant == person["id"], SessionFacilitator.session.is_in(sorted(session_ids)))}
    new = sorted(session_ids - taken)
    if not new:
        raise DomainError("already_assigned", _("This person already leads the chosen sessions."))
    try:
        async with write_transaction(SessionFacilitator._meta.db):
            for session_id in new:
                row = SessionFacilitator(session=session_id, participant=person["id"], role=role, topic=topic,
                                         assigned_by=actor.id)
                await row.save()
                await audit.record(actor, "session.facilitator.assign", "session", session_id,
                                   after={"participant": person["id"], "role": role, "topic": topic})
    except Exception as exc:
        if is_unique_violation(exc):  # assigned at the same moment by someone else
            raise DomainError("already_assigned", _("This person already leads the chosen sessions.")) from None
        raise
    return len(new)


async def remove(event_id: int, facilitator_id: int, actor: Actor) -> None:
    """Take a person off a session of this event."""
    row = await SessionFacilitator.select(
        SessionFacilitator.id, SessionFacilitator.session, SessionFacilitator.participant, SessionFacilitator.role,
    ).where((SessionFacilitator.id == facilitator_id) & (SessionFacilitator.session.event == event_id)).first()
    if row is None:
        raise NotFound("No such facilitator.")
    async with write_transaction(SessionFacilitator._meta.db):
        await SessionFacilitator.delete().where(SessionFacilitator.id == facilitator_id)
        await audit.record(actor, "session.facilitator.remove", "session", row["session"], before=row)


async def sessions_led(people: list[int], since: dt.datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Sessions these directory entries lead from `since` on (not of cancelled events), soonest first."""
    if not people:
        return []
    session = SessionFacilitator.session
    return await SessionFacilitator.select(
        SessionFacilitator.role, SessionFacilitator.topic, session.id.as_alias("session_id"),
        session.title.as_alias("session_title"), session.starts_at.as_alias("starts_at"),
        session.ends_at.as_alias("ends_at"), session.event.id.as_alias("event_id"),
        session.event.title.as_alias("event_title"), session.event.district.as_alias("district"),
        session.event.venue.as_alias("venue"),
    ).where(SessionFacilitator.participant.is_in(people), session.ends_at >= since,
            session.event.status != "cancelled").order_by(session.starts_at, session.id).limit(limit)
