"""Issuing, revoking and reinstating certificates; the master-trainer pool is fed from here.

A certificate is unique per (registration, kind): a check inside the write transaction, and the
unique index behind it for the race the check cannot see. Serials come from a counter row per
prefix (TOT-2026), incremented with UPDATE ... RETURNING inside the same transaction: BEGIN
IMMEDIATE serialises writers on SQLite, the row lock does on PostgreSQL, and a rolled-back
issue gives its number back.
"""

from __future__ import annotations

import logging
from typing import Any

from portal.auth.services import CurrentUser
from portal.certificates import codes
from portal.certificates.eligibility import Standing, certificate_kind, load_event, standing
from portal.certificates.tables import Certificate, CertificateHistory, PoolMember, SerialCounter
from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.db import write_transaction
from portal.events.tables import Participant, Registration

log = logging.getLogger("portal.certificates")


async def _next_serial(kind: str, year: int) -> str:
    prefix = codes.serial_prefix(kind, year)
    await SerialCounter.raw(
        "INSERT INTO certificate_serial_counter (prefix, last) VALUES ({}, 0) ON CONFLICT (prefix) DO NOTHING", prefix
    )
    rows = await SerialCounter.raw(
        "UPDATE certificate_serial_counter SET last = last + 1 WHERE prefix = {} RETURNING last", prefix
    )
    return codes.serial(kind, year, rows[0]["last"])


async def _existing(registration_id: int, kind: str) -> dict[str, Any] | None:
    return await Certificate.select().where(
        (Certificate.registration == registration_id) & (Certificate.kind == kind)
    ).first()


async def _add_to_pool(certificate_id: int, registration_id: int, event: dict[str, Any], actor: Actor) -> None:
    person = await Registration.select(
        Registration.participant.id, Registration.participant.district, Registration.participant.organisation
    ).where(Registration.id == registration_id).first()
    if await PoolMember.exists().where(PoolMember.participant == person["participant.id"]):
        return  # already certified by an earlier ToT: the first certificate stays the entry's source
    member = PoolMember(
        participant=person["participant.id"], certificate=certificate_id, source_event=event["id"],
        district=person["participant.district"], organisation=person["participant.organisation"],
        certified_on=clock.now().date(), status="active",
    )
    await member.save()
    await audit.record(actor, "pool.add", "pool_member", member.id,
                       after={"participant": person["participant.id"], "certificate": certificate_id})


async def issue_for(event: dict[str, Any], item: Standing, user_id: int | None, actor: Actor) -> tuple[dict, bool]:
    """Issue the event's certificate for one eligible standing; (certificate, created). Idempotent."""
    if not item.eligible:
        raise DomainError("not_eligible", f"{item.name} is not eligible: {item.reason_text.lower()}.")
    kind = certificate_kind(event)
    found = await _existing(item.registration_id, kind)
    if found:
        return found, False
    try:
        async with write_transaction(Certificate._meta.db):
            found = await _existing(item.registration_id, kind)
            if found:
                return found, False
            certificate = Certificate(
                serial=await _next_serial(kind, event["end_date"].year), code=codes.new_code(), kind=kind,
                registration=item.registration_id, issued_by=user_id,
            )
            await certificate.save()
            await CertificateHistory.insert(CertificateHistory(certificate=certificate.id, action="issued",
                                                               by_user=user_id))
            await audit.record(actor, "certificate.issue", "certificate", certificate.id,
                               after={"serial": certificate.serial, "kind": kind,
                                      "registration": item.registration_id})
            if kind == "master_trainer":
                await _add_to_pool(certificate.id, item.registration_id, event, actor)
    except Exception:
        # A concurrent issue for the same registration won the unique index: answer with its row.
        found = await _existing(item.registration_id, kind)
        if found:
            return found, False
        raise
    return await _existing(item.registration_id, kind), True


async def issue_one(user: CurrentUser, event_id: int, registration_id: int, ip: str = "") -> tuple[dict, bool]:
    """Issue one registration's certificate (staff, district scope)."""
    event = await load_event(user, event_id)
    return await issue_for(event, await standing(event, registration_id), user.id, user.actor(ip))


async def get_certificate(user: CurrentUser | None, certificate_id: int) -> dict[str, Any]:
    """A certificate with its person and event, if the user may see the event's district."""
    row = await Certificate.select(
        *Certificate.all_columns(),
        Certificate.registration.event.id.as_alias("event_id"),
        Certificate.registration.event.title.as_alias("event_title"),
        Certificate.registration.event.district.as_alias("event_district"),
        Certificate.registration.event.start_date.as_alias("start_date"),
        Certificate.registration.event.end_date.as_alias("end_date"),
        Certificate.registration.participant.name.as_alias("name"),
        Certificate.registration.participant.name_bn.as_alias("name_bn"),
        Certificate.issued_by.name.as_alias("issued_by_name"),
    ).where(Certificate.id == certificate_id).first()
    if row is None or (user is not None and not user.sees_district(row["event_district"])):
        raise NotFound("No such certificate.")
    return row


async def history(certificate_id: int) -> list[dict[str, Any]]:
    """The certificate's history, oldest first."""
    return await CertificateHistory.select(
        *CertificateHistory.all_columns(), CertificateHistory.by_user.name.as_alias("by_name")
    ).where(CertificateHistory.certificate == certificate_id).order_by(CertificateHistory.id)


async def revoke(user: CurrentUser, certificate_id: int, reason: str, ip: str = "") -> None:
    """Revoke with a reason; the verify page then answers "revoked"; a pool entry becomes inactive."""
    row = await get_certificate(user, certificate_id)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the certificate is revoked (the verify page shows it)."})
    if len(reason) > 500:
        raise ValidationFailed({"reason": "Keep the reason under 500 characters."})
    if row["revoked_at"] is not None:
        raise DomainError("already_revoked", "This certificate is already revoked.")
    now = clock.now()
    async with write_transaction(Certificate._meta.db):
        await Certificate.update({Certificate.revoked_at: now, Certificate.revoked_by: user.id,
                                  Certificate.revoked_reason: reason}).where(Certificate.id == certificate_id)
        await CertificateHistory.insert(CertificateHistory(certificate=certificate_id, action="revoked",
                                                           reason=reason, by_user=user.id, at=now))
        await audit.record(user.actor(ip), "certificate.revoke", "certificate", certificate_id,
                           before={"revoked_at": None}, after={"revoked_at": now, "reason": reason}, note=reason)
        members = await PoolMember.update({PoolMember.status: "inactive"}).where(
            (PoolMember.certificate == certificate_id) & (PoolMember.status == "active")).returning(PoolMember.id)
        for member in members:
            await audit.record(user.actor(ip), "pool.status", "pool_member", member["id"],
                               before={"status": "active"}, after={"status": "inactive"}, note="certificate revoked")


async def reinstate(user: CurrentUser, certificate_id: int, reason: str = "", ip: str = "") -> None:
    """Undo a revocation (the pool status is left for a coordinator to set)."""
    row = await get_certificate(user, certificate_id)
    if row["revoked_at"] is None:
        raise DomainError("not_revoked", "This certificate is not revoked.")
    reason = reason.strip()[:500]
    async with write_transaction(Certificate._meta.db):
        await Certificate.update({Certificate.revoked_at: None, Certificate.revoked_by: None,
                                  Certificate.revoked_reason: ""}).where(Certificate.id == certificate_id)
        await CertificateHistory.insert(CertificateHistory(certificate=certificate_id, action="reinstated",
                                                           reason=reason, by_user=user.id))
        await audit.record(user.actor(ip), "certificate.reinstate", "certificate", certificate_id,
                           before={"revoked_at": row["revoked_at"], "reason": row["revoked_reason"]},
                           after={"revoked_at": None}, note=reason)


async def for_registration(registration_id: int) -> list[dict[str, Any]]:
    """A registration's certificates that are not revoked (for the ticket page)."""
    return await Certificate.select(Certificate.serial, Certificate.kind, Certificate.issued_at).where(
        (Certificate.registration == registration_id) & Certificate.revoked_at.is_null()
    ).order_by(Certificate.id)


async def for_ticket(token: str) -> list[dict[str, Any]]:
    """The certificates of the registration behind a ticket token (empty for an unknown token)."""
    row = await Registration.select(Registration.id).where(Registration.ticket_token == token).first()
    return await for_registration(row["id"]) if row else []


async def participant_of(registration_id: int) -> dict[str, Any]:
    """The person behind a registration."""
    row = await Participant.select().where(
        Participant.id.is_in(Registration.select(Registration.participant).where(Registration.id == registration_id))
    ).first()
    if row is None:
        raise NotFound("No such person.")
    return row
