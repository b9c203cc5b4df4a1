"""Certificates and eligibility decisions when two registrations of one person for the same event become one
(issue 15, see portal/events/participants/shared_events.py).

A certificate of the removed registration moves to the kept one unless the kept one already has one of the same
kind (one per registration and kind); then it is set aside whole with its history, to come back on undo. The same
for an eligibility decision (one per registration). A certificate that made someone a pool member is not set
aside: the merge is refused for that event."""

from __future__ import annotations

from typing import Any

from portal.certificates.tables import Certificate, CertificateHistory, EligibilityOverride, PoolMember
from portal.core.i18n import gettext as _
from portal.events.participants.merge import MergeRefused
from portal.events.participants.shared_events import plain, registration_hook, restore


async def undo(keep_registration: int, drop_registration: int, part: dict[str, Any]) -> None:
    """Put back the certificates and decisions that moved, and those set aside, on the restored registration."""
    moved, aside = part["moved"], part["aside"]
    for table in (Certificate, EligibilityOverride):
        ids = moved.get(table._meta.tablename) or []
        if ids and await table.count().where(table.id.is_in(ids) & (table.registration == keep_registration)
                                             ) != len(ids):
            raise MergeRefused("undo_impossible", _("This merge can no longer be undone: %(why)s") % {
                "why": _("a certificate or eligibility decision that moved has changed since.")})
        if ids:
            await table.update({table.registration: drop_registration}).where(table.id.is_in(ids))
    for row in aside.get("certificate", []):
        if await Certificate.exists().where((Certificate.serial == row["serial"]) | (Certificate.code == row["code"])):
            raise MergeRefused("undo_impossible", _("This merge can no longer be undone: %(why)s") % {
                "why": _("a certificate's serial number is in use again.")})
        new_id = await restore(Certificate, row, registration=drop_registration)
        for history in aside.get("certificate_history", []):
            if history["certificate"] == row["id"]:
                await restore(CertificateHistory, history, certificate=new_id)
    for row in aside.get("eligibility_override", []):
        await restore(EligibilityOverride, row, registration=drop_registration)


@registration_hook("certificates", ("certificate", "eligibility_override"), undo)
async def combine(keep_registration: int, drop_registration: int, apply: bool) -> dict[str, Any]:
    """Move or set aside the removed registration's certificates and eligibility decision."""
    kinds = {r["kind"] for r in await Certificate.select(Certificate.kind).where(
        Certificate.registration == keep_registration)}
    moved: dict[str, list[int]] = {"certificate": [], "eligibility_override": []}
    aside: dict[str, list[dict[str, Any]]] = {"certificate": [], "certificate_history": [], "eligibility_override": []}
    for row in await Certificate.select().where(Certificate.registration == drop_registration).order_by(
            Certificate.id):
        if row["kind"] not in kinds:
            moved["certificate"].append(row["id"])
            continue
        if await PoolMember.exists().where(PoolMember.certificate == row["id"]):
            raise MergeRefused("same_event", _("Both have a certificate of one kind for one event and the removed "
                                               "person's made them a pool member: revoke one of the two first."))
        aside["certificate"].append(plain(row))
        aside["certificate_history"] += [plain(h) for h in await CertificateHistory.select().where(
            CertificateHistory.certificate == row["id"]).order_by(CertificateHistory.id)]
    override = await EligibilityOverride.select().where(EligibilityOverride.registration == drop_registration).first()
    if override is not None:
        if await EligibilityOverride.exists().where(EligibilityOverride.registration == keep_registration):
            aside["eligibility_override"].append(plain(override))
        else:
            moved["eligibility_override"].append(override["id"])
    if apply:
        if aside["certificate_history"]:
            await CertificateHistory.delete().where(
                CertificateHistory.id.is_in([r["id"] for r in aside["certificate_history"]]))
        for table in (Certificate, EligibilityOverride):
            if rows := aside[table._meta.tablename]:
                await table.delete().where(table.id.is_in([r["id"] for r in rows]))
            if ids := moved[table._meta.tablename]:
                await table.update({table.registration: keep_registration}).where(table.id.is_in(ids))
    return {"moved": moved, "aside": aside}
