"""From certificate rows to PDFs: the facts, one PDF, a merged PDF, a ZIP streamed in chunks."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import AsyncIterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import anyio

from portal.certificates.programme import Programme, load
from portal.certificates.render import CertificateFacts, render_certificate, render_certificates
from portal.certificates.render import Signatory as SignatoryFacts
from portal.certificates.tables import Certificate
from portal.core.districts import BY_CODE
from portal.core.vocab import KINDS
from portal.events.facilitators import services as facilitators
from portal.events.tables import CheckIn, Registration, Session
from portal.messages import outbox


def verification_url(base_url: str, code: str) -> str:
    """The public address a certificate's QR code leads to."""
    return f"{base_url.rstrip('/')}/verify/{code}"


_COLUMNS = (
    Certificate.id, Certificate.serial, Certificate.code, Certificate.kind, Certificate.issued_at,
    Certificate.revoked_at,
    Certificate.registration.id.as_alias("registration_id"),
    Certificate.registration.participant.name.as_alias("name"),
    Certificate.registration.participant.name_bn.as_alias("name_bn"),
    Certificate.registration.participant.phone.as_alias("phone"),
    Certificate.registration.participant.email.as_alias("email"),
    Certificate.registration.event.id.as_alias("event_id"),
    Certificate.registration.event.title.as_alias("event_title"),
    Certificate.registration.event.kind.as_alias("event_kind"),
    Certificate.registration.event.district.as_alias("district"),
    Certificate.registration.event.start_date.as_alias("start_date"),
    Certificate.registration.event.end_date.as_alias("end_date"),
    Certificate.registration.event.organizer.name.as_alias("organizer_name"),
)
TRAINER_TITLE = "Master trainer"


def signatories_for(row: dict[str, Any], programme: Programme) -> tuple[Any, ...]:
    """Who signs: the programme's signatories; on a step-down training the master trainer who ran it first,
    then the programme's first two (a certificate has room for three)."""
    if row["event_kind"] == "step_down" and row.get("organizer_name"):
        return (SignatoryFacts(row["organizer_name"], TRAINER_TITLE), *programme.signatories[:2])
    return programme.signatories


async def _attendance(registration_ids: list[int], tz: ZoneInfo) -> dict[int, tuple[int, float]]:
    """(days attended, hours attended) per registration."""
    rows = await CheckIn.select(CheckIn.registration, CheckIn.session.starts_at, CheckIn.session.ends_at).where(
        CheckIn.registration.is_in(registration_ids))
    days: dict[int, set[dt.date]] = {}
    hours: dict[int, float] = {}
    for row in rows:
        start, end = row["session.starts_at"], row["session.ends_at"]
        days.setdefault(row["registration"], set()).add(start.astimezone(tz).date())
        hours[row["registration"]] = hours.get(row["registration"], 0.0) + (end - start).total_seconds() / 3600
    return {r: (len(days[r]), round(hours[r], 2)) for r in days}


async def holder_language(row: dict[str, Any]) -> str:
    """The language a certificate speaks to its holder: the one they chose for messages, else Bangla when their
    Bangla name is known, else English (the rule the messages follow: portal/events/notify.py)."""
    for address in (row.get("phone"), row.get("email")):
        if address and (chosen := await outbox.contact_language(address)):
            return chosen
    return "bn" if row.get("name_bn") else "en"


async def facts_for(certificate_ids: Sequence[int], base_url: str, tz: ZoneInfo,
                    programme: Programme | None = None) -> list[CertificateFacts]:
    """The facts of each certificate, in the order given (missing ids are skipped)."""
    if not certificate_ids:
        return []
    programme = programme or await load()
    rows = {r["id"]: r for r in await Certificate.select(*_COLUMNS).where(Certificate.id.is_in(list(certificate_ids)))}
    registration_ids = [r["registration_id"] for r in rows.values()]
    attendance = await _attendance(registration_ids, tz) if registration_ids else {}
    event_ids = list({r["event_id"] for r in rows.values()})
    leaders = {event_id: tuple(await facilitators.names(event_id)) for event_id in event_ids}
    totals: dict[int, int] = {}
    for s in await Session.select(Session.event).where(Session.event.is_in(event_ids)):
        totals[s["event"]] = totals.get(s["event"], 0) + 1
    facts = []
    for certificate_id in certificate_ids:
        row = rows.get(certificate_id)
        if row is None:
            continue
        district = BY_CODE.get(row["district"])
        days, hours = attendance.get(row["registration_id"], (0, 0.0))
        facts.append(CertificateFacts(
            serial=row["serial"], kind=row["kind"], name_en=row["name"], name_bn=row["name_bn"] or None,
            # The English label (the msgid): the page is drawn in the holder's language, not the requester's.
            event_title=row["event_title"], event_kind=dict.get(KINDS, row["event_kind"], row["event_kind"]),
            district=district.name if district else row["district"],
            district_bn=district.name_bn if district else None,
            start=row["start_date"], end=row["end_date"], days_attended=days, hours_attended=hours or None,
            sessions_total=totals.get(row["event_id"], 0),
            verification_url=verification_url(base_url, row["code"]),
            issued_on=row["issued_at"].astimezone(tz).date(), programme_name=programme.name,
            logo=programme.logo, signatories=signatories_for(row, programme),
            revoked_on=row["revoked_at"].astimezone(tz).date() if row["revoked_at"] else None,
            facilitators=leaders.get(row["event_id"], ()), language=await holder_language(row),
        ))
    return facts


async def event_certificate_ids(event_id: int, include_revoked: bool = False) -> list[int]:
    """Ids of an event's certificates, by serial."""
    query = Certificate.select(Certificate.id).where(
        Certificate.registration.is_in(Registration.select(Registration.id).where(Registration.event == event_id)))
    if not include_revoked:
        query = query.where(Certificate.revoked_at.is_null())
    return [r["id"] for r in await query.order_by(Certificate.serial)]


async def one_pdf(certificate_id: int, base_url: str, tz: ZoneInfo) -> tuple[str, bytes]:
    """(filename, PDF) of one certificate, rendered off the event loop."""
    [facts] = await facts_for([certificate_id], base_url, tz)
    return f"{facts.serial}.pdf", await anyio.to_thread.run_sync(render_certificate, facts)


async def merged_pdf(certificate_ids: Sequence[int], base_url: str, tz: ZoneInfo) -> bytes:
    """One PDF, a page per certificate, for printing."""
    facts = await facts_for(certificate_ids, base_url, tz)
    return await anyio.to_thread.run_sync(render_certificates, facts)


class _Chunks:
    """A write-only file for zipfile that hands out what was written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


BATCH = 50  # certificates whose facts are loaded at once


async def zip_stream(certificate_ids: Sequence[int], base_url: str, tz: ZoneInfo) -> AsyncIterator[bytes]:
    """A ZIP of one PDF per certificate, yielded a file at a time (never the whole archive in memory)."""
    sink = _Chunks()
    programme = await load()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for start in range(0, len(certificate_ids), BATCH):
            for facts in await facts_for(certificate_ids[start:start + BATCH], base_url, tz, programme):
                pdf = await anyio.to_thread.run_sync(render_certificate, facts)
                info = zipfile.ZipInfo(f"{facts.serial}.pdf", date_time=facts.issued_on.timetuple()[:6])
                archive.writestr(info, pdf)
                yield sink.drain()
    yield sink.drain()


def zip_name(event: dict[str, Any]) -> str:
    """The ZIP's file name."""
    return f"certificates-event-{event['id']}.zip"
