"""The public answer for a verification code, and the per-address rate limit of the verify page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.certificates.codes import normalise_code
from portal.certificates.programme import load
from portal.certificates.tables import Certificate, VerifyHit
from portal.core import clock
from portal.core.districts import BY_CODE
from portal.core.errors import DomainError
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import KINDS

WINDOW = dt.timedelta(minutes=10)
MAX_PER_WINDOW = 60
# Marked for translation: the verify page shows them with _().
KIND_LABELS = {"participation": N_("Participation"), "completion": N_("Completion"),
               "master_trainer": N_("Master trainer")}


class RateLimited(DomainError):
    """Too many look-ups from one address."""

    status_code = 429

    def __init__(self) -> None:
        super().__init__("rate_limited", _("Too many look-ups from your address. Wait ten minutes and try again."))


async def count_hit(ip: str, now: dt.datetime | None = None) -> None:
    """Count a look-up; RateLimited past MAX_PER_WINDOW in WINDOW. Old rows of the address are pruned."""
    now = now or clock.now()
    ip = ip[:64]
    await VerifyHit.delete().where((VerifyHit.ip == ip) & (VerifyHit.at < now - WINDOW))
    if await VerifyHit.count().where(VerifyHit.ip == ip) >= MAX_PER_WINDOW:
        raise RateLimited()
    await VerifyHit.insert(VerifyHit(ip=ip, at=now))


async def purge(now: dt.datetime | None = None) -> None:
    """Delete every expired hit (addresses that never came back)."""
    await VerifyHit.delete().where(VerifyHit.at < (now or clock.now()) - WINDOW)


async def answer(typed: str) -> dict[str, Any]:
    """{"state": "valid" | "revoked" | "not_found", ...}: only what a verifier needs, nothing else."""
    code = normalise_code(typed)
    if code is None:
        return {"state": "not_found", "code": typed[:40]}
    row = await Certificate.select(
        Certificate.serial, Certificate.kind, Certificate.issued_at, Certificate.revoked_at,
        Certificate.revoked_reason,
        Certificate.registration.participant.name.as_alias("name"),
        Certificate.registration.participant.name_bn.as_alias("name_bn"),
        Certificate.registration.event.title.as_alias("event_title"),
        Certificate.registration.event.kind.as_alias("event_kind"),
        Certificate.registration.event.district.as_alias("district"),
        Certificate.registration.event.start_date.as_alias("start_date"),
        Certificate.registration.event.end_date.as_alias("end_date"),
    ).where(Certificate.code == code).first()
    if row is None:
        return {"state": "not_found", "code": code}
    district = BY_CODE.get(row["district"])
    return {
        "state": "revoked" if row["revoked_at"] else "valid", "code": code, **row,
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "event_kind_label": KINDS.get(row["event_kind"], row["event_kind"]),
        "district_name": district.name if district else row["district"],
        "issuer": (await load()).name,
    }
