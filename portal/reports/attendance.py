"""Attendance data: one filter, two shapes (long: a row per check-in; wide: a row per registration).

The rows come from the database in keyset-paginated batches (`id > last`, ordered by id), so an
export of any size holds one batch in memory, and the same filter always gives the same rows in
the same order. The renderers are synchronous iterators; `rows_from` feeds them from the async
queries by running the renderer in a worker thread (`stream_body`) that calls back into the
event loop for each batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread

from portal.certificates.tables import Certificate
from portal.core.districts import DISTRICTS
from portal.core.i18n import N_, translate
from portal.core.i18n import gettext as _
from portal.core.validation import query_date
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES, Labels
from portal.db import fetch_tuples
from portal.events.tables import CheckIn, Registration, Session
from portal.exports import DHAKA, HEADERS_PARAM, RENDERERS, Column, Export, header_language, in_language, pseudonymise

BATCH = 2000  # rows per query: the memory an export holds, whatever its size
SHAPES = Labels({"long": N_("One row per check-in"), "wide": N_("One row per registration, a column per session")})
FORMATS = Labels({"csv": N_("CSV (Excel, UTF-8)"), "xlsx": N_("Excel workbook (XLSX)")})
DISTRICT_CODES = {d.code for d in DISTRICTS}
METHODS = {"ticket_scan": N_("Ticket scan"), "self_scan": N_("Self check-in"), "manual": N_("By hand"),
           "import": N_("Import"),
           "paper": N_("Paper sign-in sheet")}
# A session's cell in the wide shape (the codes stay English in an English export).
PRESENCE = {True: N_("present"), False: N_("absent")}


@dataclass(frozen=True)
class AttendanceFilter:
    """What to export. Dates select events by their start date (inclusive)."""

    event_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    district: str = ""  # where the event was held
    kind: str = ""
    course_id: int | None = None
    stakeholder_type: str = ""
    gender: str = ""
    private: bool = False  # pseudonymised ids instead of names and phones
    scope: tuple[str, ...] | None = field(default=None, compare=False)  # organizer districts; None = all
    tz: dt.tzinfo = field(default=DHAKA, compare=False)  # PORTAL_TIMEZONE: dates and times are written in it
    headers: str = "en"  # the language of headers and labels: the requester's, or "en" asked for (issue 18)

    def describe(self) -> list[str]:
        """The parts of a file name that say what the export holds."""
        parts = []
        if self.event_id:
            parts.append(f"event-{self.event_id}")
        if self.district:
            parts.append(self.district)
        elif self.scope:
            parts.append("+".join(sorted(self.scope)))
        if self.kind:
            parts.append(self.kind)
        if self.course_id:
            parts.append(f"course-{self.course_id}")
        if self.stakeholder_type:
            parts.append(self.stakeholder_type)
        if self.gender:
            parts.append(self.gender)
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or 'start'}-to-{self.date_to or 'now'}")
        if self.private:
            parts.append("pseudonymised")
        return parts or ["all"]

    def as_query(self) -> dict[str, str]:
        """The filter as query-string values (for links and for export jobs)."""
        values = {
            "event": str(self.event_id or ""), "date_from": str(self.date_from or ""),
            "date_to": str(self.date_to or ""), "district": self.district, "kind": self.kind,
            "course": str(self.course_id or ""), "stakeholder_type": self.stakeholder_type,
            "gender": self.gender, "private": "1" if self.private else "", HEADERS_PARAM: self.headers,
        }
        return {k: v for k, v in values.items() if v}


def parse_filter(query: Any) -> tuple[AttendanceFilter, dict[str, str]]:
    """An AttendanceFilter from query-string values; bad values are reported per field."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return (query.get(name) or "").strip()

    def number(name: str) -> int | None:
        raw = text(name)
        if not raw:
            return None
        if raw.isdigit() and 0 < int(raw) < 2**31:
            return int(raw)
        errors[name] = _("Use a record number.")
        return None

    def date(name: str) -> dt.date | None:
        return query_date(query, errors, name)

    def choice(name: str, allowed: Any, message: str) -> str:
        raw = text(name)
        if raw and raw not in allowed:
            errors[name] = message
            return ""
        return raw

    flt = AttendanceFilter(
        event_id=number("event"), date_from=date("date_from"), date_to=date("date_to"),
        district=choice("district", DISTRICT_CODES, "Unknown district."),
        kind=choice("kind", KINDS, "Unknown kind."), course_id=number("course"),
        stakeholder_type=choice("stakeholder_type", STAKEHOLDER_TYPES, "Unknown stakeholder type."),
        gender=choice("gender", GENDERS, "Unknown gender."), private=text("private") in {"1", "on", "true"},
        headers=header_language(query),
    )
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        errors["date_to"] = _("The end of the period is before its start.")
    return flt, errors


def user_scope(user: Any) -> tuple[str, ...] | None:
    """The districts an organizer is limited to (none without one), or None for everyone who sees all."""
    return user.district_scope


def event_conditions(flt: AttendanceFilter, event: Any) -> list[Any]:
    """Where-clauses on an event reference (Event itself, or a joined Registration.event)."""
    conds = []
    if flt.event_id:
        conds.append(event.id == flt.event_id)
    if flt.date_from:
        conds.append(event.start_date >= flt.date_from)
    if flt.date_to:
        conds.append(event.start_date <= flt.date_to)
    if flt.district:
        conds.append(event.district == flt.district)
    if flt.kind:
        conds.append(event.kind == flt.kind)
    if flt.course_id:
        conds.append(event.course == flt.course_id)
    if flt.scope is not None:
        conds.append(event.district.is_in(list(flt.scope) or [""]))
    return conds


def person_conditions(flt: AttendanceFilter, participant: Any) -> list[Any]:
    """Where-clauses on a participant reference."""
    conds = []
    if flt.stakeholder_type:
        conds.append(participant.stakeholder_type == flt.stakeholder_type)
    if flt.gender:
        conds.append(participant.gender == flt.gender)
    return conds


def _person_columns(private: bool) -> list[Column]:
    if private:
        return [Column("participant", N_("Participant (pseudonym)"), width=16)]
    return [
        Column("participant", N_("Participant id"), "int", width=12),
        Column("name", N_("Name"), width=28),
        Column("name_bn", N_("Name (Bangla)"), width=28),
        Column("phone", N_("Phone"), width=16),
    ]


_PERSON_TAIL = [
    Column("organisation", N_("Organisation"), width=28),
    Column("stakeholder_type", N_("Stakeholder type"), width=20),
    Column("gender", N_("Gender"), width=12),
    Column("participant_district", N_("Participant's district"), width=16),
]
_EVENT = [
    Column("event_id", N_("Event id"), "int", width=9),
    Column("event", N_("Event"), width=32),
    Column("kind", N_("Event kind"), width=20),  # not "Kind": in Bangla (ধরন) the import would read a stakeholder type
    Column("event_district", N_("Event district"), width=16),
]


def long_columns(private: bool) -> list[Column]:
    """Columns of the long shape."""
    return [
        *_person_columns(private), *_PERSON_TAIL, *_EVENT,
        Column("session", N_("Session"), width=20),
        Column("session_date", N_("Session date"), "date"),
        Column("checked_in_at", N_("Checked in at"), "datetime"),
        Column("method", N_("Method"), width=14),
    ]


_DISTRICT_NAMES = {d.code: d.name for d in DISTRICTS}
_DISTRICT_NAMES_BN = {d.code: d.name_bn for d in DISTRICTS}


def _label(vocabulary: dict[str, str], code: str | None, lang: str) -> str | None:
    """A vocabulary's label for code in lang, whatever the request's language (a job has none)."""
    label = dict.get(vocabulary, code)
    return translate(label, lang) if label else code


def _district(code: str | None, lang: str) -> str:
    return (_DISTRICT_NAMES_BN if lang == "bn" else _DISTRICT_NAMES).get(code, code or "")


def _person_event_select(person: Any, event: Any) -> tuple[Any, ...]:
    """The participant and event columns both shapes select, in the order `_person_values` reads them."""
    return (person.id, person.name, person.name_bn, person.phone, person.organisation, person.stakeholder_type,
            person.gender, person.district, event.id, event.title, event.kind, event.district)


def _person_values(values: Sequence[Any], private: bool, secret: str, lang: str = "en") -> tuple[Any, ...]:
    """The person and event cells of a row, in column order (tuples: the renderers' fast path); labels and
    district names in `lang`, the export's language (the import reads them back in either)."""
    pid, name, name_bn, phone, organisation, stakeholder, gender, p_district, event_id, event, kind, e_district = values
    person = (pseudonymise(pid, secret),) if private else (pid, name, name_bn, phone)
    return (
        *person, organisation, _label(STAKEHOLDER_TYPES, stakeholder, lang), _label(GENDERS, gender, lang),
        _district(p_district, lang), event_id, event, _label(KINDS, kind, lang), _district(e_district, lang),
    )


def _local_date(value: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return value.astimezone(tz).date() if value.tzinfo else value.date()


async def long_batch(flt: AttendanceFilter, after: int, size: int) -> list[Sequence[Any]]:
    """Raw check-in rows with id > after, in id order (the keyset page), as tuples: the check-in id,
    the person and event (`_person_event_select`), the session's title and start, the time and method."""
    reg, session = CheckIn.registration, CheckIn.session
    person, event = reg.participant, reg.event
    return await fetch_tuples(CheckIn.select(
        CheckIn.id, *_person_event_select(person, event), session.title, session.starts_at, CheckIn.at, CheckIn.method,
    ).where(
        CheckIn.id > after, *event_conditions(flt, event), *person_conditions(flt, person)
    ).order_by(CheckIn.id).limit(size))


def long_row(row: Sequence[Any], private: bool, secret: str, tz: dt.tzinfo = DHAKA, lang: str = "en"
             ) -> tuple[Any, ...]:
    """One exported row of the long shape (in long_columns order) from one raw check-in row."""
    session, starts_at, at, method = row[-4:]
    return (*_person_values(row[1:-4], private, secret, lang), session, _local_date(starts_at, tz), at,
            _label(METHODS, method, lang))


async def long_page(flt: AttendanceFilter, secret: str, after: int, size: int | None = None
                    ) -> tuple[list[Any], int | None]:
    """One batch of the long shape and the key to continue from (None at the end)."""
    size = size or BATCH
    raw = await long_batch(flt, after, size)
    rows = [long_row(r, flt.private, secret, flt.tz, flt.headers) for r in raw]
    return rows, (raw[-1][0] if len(raw) == size else None)


async def wide_sessions(flt: AttendanceFilter) -> list[dict[str, Any]]:
    """The sessions of the events the filter selects, in event then time order: the wide columns."""
    event = Session.event
    return await Session.select(
        Session.id, Session.title, Session.starts_at, event.id.as_alias("event_id"),
        event.title.as_alias("event"),
    ).where(*event_conditions(flt, event)).order_by(event.start_date).order_by(event.id).order_by(
        Session.starts_at).order_by(Session.id)


def wide_columns(private: bool, sessions: list[dict[str, Any]], tz: dt.tzinfo = DHAKA) -> list[Column]:
    """Columns of the wide shape: the person, the event, one column per session, totals."""
    many_events = len({s["event_id"] for s in sessions}) > 1
    per_session = []
    for s in sessions:
        label = f"{s['title']} {_local_date(s['starts_at'], tz).isoformat()}"
        if many_events:
            label = f"{s['event'][:40]}: {label}"
        per_session.append(Column(f"s{s['id']}", label, width=14))
    return [
        *_person_columns(private), *_PERSON_TAIL, *_EVENT,
        Column("role", N_("Role"), width=12), *per_session,
        Column("attended", N_("Sessions attended"), "int", width=10),
        Column("held", N_("Sessions held"), "int", width=10),
        Column("certificate", N_("Certificate"), width=18),
    ]


async def wide_page(flt: AttendanceFilter, secret: str, sessions: list[dict[str, Any]], after: int,
                    size: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """One batch of the wide shape (registrations with id > after) and the key to continue from."""
    size = size or BATCH
    person, event = Registration.participant, Registration.event
    raw = await fetch_tuples(Registration.select(
        Registration.id, Registration.role, *_person_event_select(person, event),
    ).where(
        Registration.id > after, Registration.status != "cancelled",
        *event_conditions(flt, event), *person_conditions(flt, person),
    ).order_by(Registration.id).limit(size))
    if not raw:
        return [], None
    ids = [r[0] for r in raw]
    present: dict[int, set[int]] = {}
    for c in await CheckIn.select(CheckIn.registration, CheckIn.session).where(CheckIn.registration.is_in(ids)):
        present.setdefault(c["registration"], set()).add(c["session"])
    serials: dict[int, list[str]] = {}
    for c in await Certificate.select(Certificate.registration, Certificate.serial).where(
            Certificate.registration.is_in(ids), Certificate.revoked_at.is_null()).order_by(Certificate.serial):
        serials.setdefault(c["registration"], []).append(c["serial"])
    by_event: dict[int, list[int]] = {}
    for s in sessions:
        by_event.setdefault(s["event_id"], []).append(s["id"])
    keys = [c.key for c in (*_person_columns(flt.private), *_PERSON_TAIL, *_EVENT)]
    rows = []
    for r in raw:
        registration_id, role = r[0], r[1]
        out = dict(zip(keys, _person_values(r[2:], flt.private, secret, flt.headers), strict=True))
        seen = present.get(registration_id, set())
        own = by_event.get(out["event_id"], [])
        out["role"] = role
        for sid in own:
            out[f"s{sid}"] = translate(PRESENCE[sid in seen], flt.headers)
        out["attended"] = sum(1 for sid in own if sid in seen)
        out["held"] = len(own)
        out["certificate"] = "; ".join(serials.get(registration_id, []))
        rows.append(out)
    return rows, (raw[-1][0] if len(raw) == size else None)


Page = Callable[[int], Awaitable[tuple[list[Any], int | None]]]


class ExportStopped(RuntimeError):
    """The export was asked to stop (the server is shutting down)."""


def rows_from(page: Page, progress: Callable[[int], None] | None = None,
              stop: threading.Event | None = None) -> Iterator[Any]:
    """Rows for a renderer, pulled batch by batch from the event loop (run this in a worker thread).

    The next batch is requested before the current one is handed over, so the database can work on
    it while the renderer writes; at most two batches are in memory.
    """
    loop = anyio.from_thread.run_sync(asyncio.get_running_loop)
    pending = asyncio.run_coroutine_threadsafe(page(0), loop)
    done = 0
    try:
        while pending is not None:
            if stop is not None and stop.is_set():
                raise ExportStopped("export stopped")
            rows, after = pending.result()
            pending = asyncio.run_coroutine_threadsafe(page(after), loop) if after is not None else None
            yield from rows
            done += len(rows)
            if progress:
                progress(done)
    finally:
        if pending is not None:
            pending.cancel()


_END = object()


async def stream_body(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Drive a renderer's synchronous body in a worker thread, so its row queries can await."""
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, _END)
            if chunk is _END:
                break
            yield chunk
    finally:
        await anyio.to_thread.run_sync(chunks.close)


async def count_rows(flt: AttendanceFilter, shape: str) -> int:
    """How many rows an export will have (for progress, and to choose between download and job)."""
    if shape == "long":
        reg = CheckIn.registration
        return await CheckIn.count().where(*event_conditions(flt, reg.event), *person_conditions(flt, reg.participant))
    return await Registration.count().where(
        Registration.status != "cancelled", *event_conditions(flt, Registration.event),
        *person_conditions(flt, Registration.participant))


async def build_export(flt: AttendanceFilter, shape: str, fmt: str, secret: str,
                       progress: Callable[[int], None] | None = None, tmp_dir: str | None = None,
                       stop: threading.Event | None = None) -> Export:
    """The attendance export for a filter: the one data function feeding the CSV or XLSX renderer.

    The body is a synchronous iterator that must be consumed through `stream_body` (or from a
    worker thread started by anyio), because its rows are fetched from the event loop.
    """
    if shape == "long":
        columns = long_columns(flt.private)

        async def page(after: int) -> tuple[list[Any], int | None]:
            return await long_page(flt, secret, after)
    else:
        sessions = await wide_sessions(flt)
        columns = wide_columns(flt.private, sessions, flt.tz)

        async def page(after: int) -> tuple[list[Any], int | None]:
            return await wide_page(flt, secret, sessions, after)

    name = "_".join([f"attendance-{shape}", *flt.describe()])
    columns = in_language(columns, flt.headers)
    if fmt == "xlsx":
        sheet = translate("Attendance", flt.headers)
        return RENDERERS["xlsx"](name, columns, rows_from(page, progress, stop), sheet=sheet, tmp_dir=tmp_dir,
                                 tz=flt.tz)
    return RENDERERS["csv"](name, columns, rows_from(page, progress, stop), tz=flt.tz)


def scoped(flt: AttendanceFilter, user: Any) -> AttendanceFilter:
    """The filter limited to what this user may see."""
    return replace(flt, scope=user_scope(user))

