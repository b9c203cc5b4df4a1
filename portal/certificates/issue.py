"""Issuing, revoking and reinstating certificates; the master-trainer pool is fed from here.

A certificate is unique per (registration, kind): a check inside the write transaction, and the
unique index behind it for the race the check cannot see. Serials come from a counter row per
prefix (TOT-2026), incremented with UPDATE ... RETURNING inside the same transaction: BEGIN
IMMEDIATE serialises writers on SQLite, the row lock does on PostgreSQL, and a rolled-back
issue gives its number back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from portal.auth.services import CurrentUser
from portal.certificates import codes, notify
from portal.certificates.eligibility import Standing, certificate_kind, load_event, standing
from portal.certificates.tables import Certificate, CertificateHistory, PoolMember, SerialCounter
from portal.core import audit, clock
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import format_when
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.events.tables import Participant, Registration, Session
from portal.events.tickets import sections as ticket_sections

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


async def _add_to_pool(certificate_id: int, registration_id: int, event: dict[str, Any], actor: Actor,
                       certified_on: dt.date, note: str = "") -> None:
    person = await Registration.select(
        Registration.participant.id, Registration.participant.district, Registration.participant.organisation
    ).where(Registration.id == registration_id).first()
    if await PoolMember.exists().where(PoolMember.participant == person["participant.id"]):
        return  # already certified by an earlier ToT: the first certificate stays the entry's source
    member = PoolMember(
        participant=person["participant.id"], certificate=certificate_id, source_event=event["id"],
        district=person["participant.district"], organisation=person["participant.organisation"],
        certified_on=certified_on, status="active",
    )
    await member.save()
    await audit.record(actor, "pool.add", "pool_member", member.id,
                       after={"participant": person["participant.id"], "certificate": certificate_id}, note=note)


async def last_session_end(event_id: int) -> dt.datetime | None:
    """When the event's last session ends (None without sessions)."""
    row = await Session.select(Session.ends_at).where(Session.event == event_id).order_by(
        Session.ends_at, ascending=False).first()
    return row["ends_at"] if row else None


async def ends_later(event: dict[str, Any]) -> dt.datetime | None:
    """For a ToT whose last session has not ended yet, when it ends; else None. A master-trainer
    certificate (and the pool entry) before then needs an explicit reason."""
    if certificate_kind(event) != "master_trainer":
        return None
    ends = await last_session_end(event["id"])
    return ends if ends is not None and clock.now() < ends else None


class EarlyIssue(DomainError):
    """A master-trainer certificate asked for before the ToT's last session has ended, without a reason."""

    def __init__(self, ends: dt.datetime, tz: dt.tzinfo | None) -> None:
        when = format_when(ends.astimezone(tz or dt.UTC), "%d %b %Y, %H:%M")
        super().__init__("tot_not_finished", f"The ToT ends {when}: a master-trainer certificate before then needs "
                                             "a reason (issue it early with the reason).", "early_reason")
        self.ends = ends


async def issue_for(event: dict[str, Any], item: Standing, user_id: int | None, actor: Actor, *,
                    tz: dt.tzinfo | None = None, early_reason: str = "") -> tuple[dict, bool]:
    """Issue the event's certificate for one eligible standing; (certificate, created). Idempotent.

    A master-trainer certificate before the ToT's last session has ended is refused (EarlyIssue) unless
    `early_reason` says why; the reason goes into the audit of the certificate and of the pool entry.
    `tz` (PORTAL_TIMEZONE) dates the pool entry; without it the UTC date is kept."""
    if not item.eligible:
        raise DomainError("not_eligible", f"{item.name} is not eligible: {item.reason_text.lower()}.")
    kind = certificate_kind(event)
    found = await _existing(item.registration_id, kind)
    if found:
        return found, False
    early_reason = early_reason.strip()[:500]
    ends = await ends_later(event)
    if ends is not None and not early_reason:
        raise EarlyIssue(ends, tz)
    early = {"before_end": True, "tot_ends": ends, "reason": early_reason} if ends is not None else {}
    try:
        async with write_transaction(Certificate._meta.db):
            found = await _existing(item.registration_id, kind)
            if found:
                return found, False
            now = clock.now()  # written explicitly: the column default reads the wall clock
            certificate = Certificate(
                serial=await _next_serial(kind, event["end_date"].year), code=codes.new_code(), kind=kind,
                registration=item.registration_id, issued_by=user_id, issued_at=now,
            )
            await certificate.save()
            await CertificateHistory.insert(CertificateHistory(certificate=certificate.id, action="issued",
                                                               by_user=user_id, at=now, reason=early_reason))
            note = f"issued before the ToT ended: {early_reason}" if early else ""
            await audit.record(actor, "certificate.issue", "certificate", certificate.id,
                               after={"serial": certificate.serial, "kind": kind,
                                      "registration": item.registration_id, **early}, note=note)
            if kind == "master_trainer":
                await _add_to_pool(certificate.id, item.registration_id, event, actor,
                                   now.astimezone(tz).date() if tz else now.date(), note)
            await notify.certificate_ready(item.registration_id, certificate.code)
    except Exception:
        # A concurrent issue for the same registration won the unique index: answer with its row.
        found = await _existing(item.registration_id, kind)
        if found:
            return found, False
        raise
    return await _existing(item.registration_id, kind), True


async def issue_one(user: CurrentUser, event_id: int, registration_id: int, ip: str = "", *,
                    tz: dt.tzinfo | None = None, early_reason: str = "") -> tuple[dict, bool]:
    """Issue one registration's certificate (staff, district scope); see issue_for for `early_reason`."""
    event = await load_event(user, event_id)
    return await issue_for(event, await standing(event, registration_id), user.id, user.actor(ip), tz=tz,
                           early_reason=early_reason)


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
        raise NotFound(_("No such certificate."))
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
        raise DomainError("already_revoked", _("This certificate is already revoked."))
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
        raise DomainError("not_revoked", _("This certificate is not revoked."))
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


@ticket_sections.section("certificates")
async def ticket_section(registration: dict[str, Any]) -> dict[str, Any]:
    """The ticket page's certificates (templates/certificates/_ticket_certificates.html)."""
    return {"certificates": await for_registration(registration["id"])}


async def participant_of(registration_id: int) -> dict[str, Any]:
    """The person behind a registration."""
    row = await Participant.select().where(
        Participant.id.is_in(Registration.select(Registration.participant).where(Registration.id == registration_id))
    ).first()
    if row is None:
        raise NotFound(_("No such person."))
    return row
