"""Check-in: a registration present at a session, recorded exactly once.

One row per (registration, session), enforced by a unique index. A repeat (a second scan, an
offline queue resending, two phones scanning the same ticket at once) is answered "already"
with the time of the first check-in: never a second row, never an error. Every check-in and
every undo is written to the audit log in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal.core import audit, clock
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.paging import PAGE_SIZE, window
from portal.db import is_unique_violation, write_transaction
from portal.events.checkin import window as windows
from portal.events.checkin.corrections import Correction
from portal.events.checkin.write import audit_entry, insert
from portal.events.participants import services as participants
from portal.events.registrations.services import SEATED, clean_token
from portal.events.tables import CheckIn, Registration, Session, UndoneCheckIn

METHODS = ("ticket_scan", "self_scan", "manual", "import", "paper")  # paper: ticks of a sign-in sheet, imported
MAX_CLIENT_ID = 64


class CheckInError(DomainError):
    """A check-in was refused. Codes: session_not_found, unknown_ticket, not_registered,
    wrong_event, other_event_ticket, cancelled, waitlisted, bad_method, not_checked_in, outside_window,
    reason_needed."""

    status_code = 422


class OutsideWindow(CheckInError):
    """A check-in outside the session's window (portal.events.checkin.window): staff may confirm it
    (`override=True`), self check-in may not. Carries the window and whether it was early."""

    def __init__(self, window: windows.Window, early: bool) -> None:
        super().__init__("outside_window", windows.refusal_text(early))
        self.window = window
        self.early = early


@dataclass(frozen=True)
class CheckInResult:
    """What a scan did: `status` is "ok" (new), "already" (the first check-in's time in `at`) or "undone"
    (a resend of a scan whose check-in staff undid: the undo's time in `at`, who undid it in `undone_by`)."""

    status: str
    at: dt.datetime
    registration_id: int
    session_id: int
    name: str
    organisation: str
    method: str
    undone_by: str = ""
    outside_window: bool = False  # recorded outside the session's window, confirmed by staff

    def as_json(self) -> dict[str, Any]:
        """The answer the scanner page reads."""
        return {"status": self.status, "at": self.at.isoformat(), "registration_id": self.registration_id,
                "session_id": self.session_id, "name": self.name, "organisation": self.organisation,
                "method": self.method, "undone_by": self.undone_by, "outside_window": self.outside_window}


async def get_session(session_id: int) -> dict[str, Any]:
    """The session with its check-in window's facts, or CheckInError session_not_found."""
    row = await Session.select(
        Session.id, Session.event, Session.title, Session.starts_at, Session.ends_at,
        Session.event.checkin_opens_before.as_alias("checkin_opens_before"),
        Session.event.checkin_closes_after.as_alias("checkin_closes_after"),
    ).where(Session.id == session_id).first()
    if row is None:
        raise CheckInError("session_not_found", _("This session does not exist."))
    return row


# `undone` is the undone check-in of this very scan (same client id), if staff undid it: a late resend.
_REGISTRATION_SQL = """
    SELECT r.id, r.event, r.status, r.participant, p.name, p.organisation, c.at AS checked_in_at,
        c.method AS checked_in_method,
        (SELECT max(u.id) FROM check_in_undone u
         WHERE u.registration = r.id AND u.session = {} AND u.client_id = {}) AS undone
    FROM registration r JOIN participant p ON p.id = r.participant
    LEFT JOIN check_in c ON c.registration = r.id AND c.session = {}
    WHERE r.%s = {}
"""


async def _registration(token: str | None, registration_id: int | None, session_id: int,
                        client_id: str | None) -> dict[str, Any]:
    """The registration with the person's name, its check-in for the session and the undone check-in of
    this client id (one query: scans are hot)."""
    if token is not None:
        token = clean_token(token)
        rows = []
        if token is not None:
            rows = await Registration.raw(_REGISTRATION_SQL % "ticket_token", session_id, client_id, session_id,
                                          token)
        if not rows:
            raise CheckInError("unknown_ticket", _("This code is not a ticket of this portal."))
        return rows[0]
    rows = await Registration.raw(_REGISTRATION_SQL % "id", session_id, client_id, session_id, registration_id)
    if not rows:
        raise CheckInError("not_registered", _("This person is not registered for this event."))
    return rows[0]


def _aware(value: Any) -> dt.datetime:
    # A raw query returns the timestamp as Piccolo stores it (text on SQLite, a datetime on PostgreSQL).
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _other_event(registration: dict[str, Any], session: dict[str, Any]) -> CheckInError:
    """The refusal of a ticket of another event, true to the person's registration in this one."""
    name = registration["name"]
    here = await Registration.select(Registration.status).where(
        (Registration.event == session["event"]) & (Registration.participant == registration["participant"])).first()
    if here is None:
        return CheckInError("wrong_event", _("{name} is registered for another event.").format(name=name))
    if here["status"] in SEATED:
        return CheckInError("other_event_ticket", _(
            "This ticket of {name} is for another event. {name} is registered for this one too: "
            "find them by name below, or scan the ticket of this event.").format(name=name))
    if here["status"] == "cancelled":
        return CheckInError("cancelled", _(
            "This ticket of {name} is for another event, and their registration for this one is cancelled."
        ).format(name=name))
    return CheckInError("waitlisted", _(
        "This ticket of {name} is for another event, and for this one they are on the waitlist.").format(name=name))


async def _check_allowed(registration: dict[str, Any], session: dict[str, Any]) -> None:
    name = registration["name"]
    if registration["event"] != session["event"]:
        raise await _other_event(registration, session)
    if registration["status"] == "cancelled":
        raise CheckInError("cancelled", _("The registration of {name} is cancelled.").format(name=name))
    if registration["status"] not in SEATED:
        raise CheckInError("waitlisted", _("{name} is on the waitlist, not registered.").format(name=name))


async def _existing(registration_id: int, session_id: int) -> dict[str, Any] | None:
    return await CheckIn.select(CheckIn.id, CheckIn.at, CheckIn.method).where(
        (CheckIn.registration == registration_id) & (CheckIn.session == session_id)).first()


async def check_in(
    session_id: int,
    actor: audit.Actor,
    *,
    token: str | None = None,
    registration_id: int | None = None,
    method: str = "ticket_scan",
    by_user: int | None = None,
    client_id: str | None = None,
    at: dt.datetime | None = None,
    session: dict[str, Any] | None = None,
    override: bool = False,
    registration: dict[str, Any] | None = None,
    correction: Correction | None = None,
) -> CheckInResult:
    """Check a registration (by ticket token or id) in to a session; idempotent.

    Outside the session's check-in window it raises OutsideWindow unless staff confirmed (`override`;
    never for self check-in). A resend of a scan (same `client_id`) whose check-in was undone stays
    undone. `session` (as get_session returns it) and `registration` (the ticket's, as scan_lookup reads it) may
    be passed by a caller that has already loaded them.

    By hand after the session's check-in closed, staff say why and when it really happened (`correction`, a
    manual check-in only): without it such a check-in raises OutsideWindow, and once confirmed CheckInError
    reason_needed. With it the check-in is recorded at the correction's time, the reason on the row and in the
    audit entry."""
    if method not in METHODS:
        raise CheckInError("bad_method", _("Unknown check-in method."))
    if (token is None) == (registration_id is None):
        raise CheckInError("unknown_ticket", _("Give a ticket or a registration."))
    session = session or await get_session(session_id)
    client_id = clean_client_id(client_id)
    registration = registration or await _registration(token, registration_id, session_id, client_id)
    await _check_allowed(registration, session)

    def result(status: str, row: dict[str, Any]) -> CheckInResult:
        return CheckInResult(status, row["at"], registration["id"], session_id, registration["name"],
                             registration["organisation"], row["method"], row.get("undone_by", ""),
                             row.get("outside_window", False))

    if registration["checked_in_at"] is not None:
        return result("already", {"at": _aware(registration["checked_in_at"]),
                                  "method": registration["checked_in_method"]})
    if registration["undone"] is not None:
        undone = await UndoneCheckIn.select(
            UndoneCheckIn.undone_at, UndoneCheckIn.method, UndoneCheckIn.undone_by_name,
            UndoneCheckIn.undone_by.name.as_alias("by_name")).where(UndoneCheckIn.id == registration["undone"]).first()
        return result("undone", {"at": undone["undone_at"], "method": undone["method"],
                                 "undone_by": undone["by_name"] or undone["undone_by_name"]})
    window = windows.window_of(session)
    if correction is not None:
        if method != "manual":
            raise CheckInError("bad_method", _("Only a check-in by hand can be entered afterwards."))
        when = correction.at or clock.now()
        outside = window.position(when) != "open"
    else:
        when = at or clock.now()
        position = window.position(when)
        outside = position != "open"
        if outside and not (override and method != "self_scan"):
            raise OutsideWindow(window, position == "early")
        if position == "late" and method == "manual":
            raise CheckInError("reason_needed", _(
                "Check-in for this session has closed: say why you enter it now and when the person came."))
    row = CheckIn(registration=registration["id"], session=session_id, at=when, method=method, by_user=by_user,
                  client_id=client_id, reason=correction.reason if correction else "",
                  reason_note=correction.note if correction else "")
    entry = audit_entry(actor, "checkin.create", {
        "registration": registration["id"], "session": session_id, "method": method, "at": when,
        "client_id": client_id, **({"outside_window": True} if outside else {}),
        **(correction.as_json() if correction else {})},
        note=correction.note if correction else windows.OVERRIDE_NOTE if outside else "")
    try:
        created = await insert(row, entry)
    except Exception as exc:
        # Belt and braces: ON CONFLICT already answers a concurrent duplicate, but a unique
        # violation from any other path is still a repeat, not an error.
        if not is_unique_violation(exc):
            raise
        created = False
    if not created:
        # A concurrent scan of the same ticket won the race to the unique index: same answer as a repeat.
        existing = await _existing(registration["id"], session_id)
        if existing is None:
            raise RuntimeError("check-in neither inserted nor found")
        return result("already", existing)
    return result("ok", {"at": when, "method": method, "outside_window": outside})


async def require_open(session_id: int, when: dt.datetime | None = None) -> None:
    """Refuse (OutsideWindow) a moment outside the session's check-in window: self check-in's rule,
    asked before anything is written (a walk-in's registration) or a form is offered."""
    window = windows.window_of(await get_session(session_id))
    position = window.position(when or clock.now())
    if position != "open":
        raise OutsideWindow(window, position == "early")


async def undo(session_id: int, registration_id: int, actor: audit.Actor, event_id: int | None = None, *,
               correction: Correction) -> None:
    """Remove a check-in made by mistake, saying why (`correction`: reason, words, when it really happened);
    the undone check-in and the audit log keep what was removed and why."""
    session = await get_session(session_id)
    if event_id is not None and session["event"] != event_id:
        raise CheckInError("session_not_found", _("This session does not exist."))
    async with write_transaction(CheckIn._meta.db):
        row = await CheckIn.select().where(
            (CheckIn.registration == registration_id) & (CheckIn.session == session_id)).first()
        if row is None:
            raise CheckInError("not_checked_in", _("This person is not checked in to this session."))
        await CheckIn.delete().where(CheckIn.id == row["id"])
        # Kept, so that a late resend of the same offline scan (its client id) stays undone.
        await UndoneCheckIn.insert(UndoneCheckIn(
            registration=registration_id, session=session_id, client_id=row["client_id"], method=row["method"],
            at=row["at"], undone_at=clock.now(), undone_by=actor.id, undone_by_name=actor.label[:200],
            reason=correction.reason, reason_note=correction.note, happened_at=correction.at))
        await audit.record(actor, "checkin.undo", "check_in", row["id"], before={
            "registration": registration_id, "session": session_id, "method": row["method"], "at": row["at"],
            "by_user": row["by_user"], "client_id": row["client_id"]}, after=correction.as_json(),
            note=correction.note)


async def session_for_scan(event_id: int, session_id: int) -> dict[str, Any] | None:
    """The session (id, event, district, window facts) if it belongs to the event; one query, for the scan route."""
    rows = await Session.raw(
        "SELECT s.id, s.event, s.starts_at, s.ends_at, e.district, e.checkin_opens_before, e.checkin_closes_after "
        "FROM event_session s JOIN event e ON e.id = s.event WHERE s.id = {} AND s.event = {}", session_id, event_id)
    return rows[0] if rows else None


# The scan route's one read: the session with its event's district and window, the live count, and the
# ticket's registration as _REGISTRATION_SQL reads it (r_* columns, NULL for an unknown ticket).
# The seats are counted with FILTER, not `AND status IN (...)` in the WHERE: PostgreSQL then reads the event's
# index alone, where with the status index too (its choice on a freshly loaded table) it read every
# registration's entry in it, 0.7 ms a scan with 40,000 registrations against 0.08 ms.
_SCAN_SQL = """
    SELECT s.id, s.event, s.starts_at, s.ends_at, e.district, e.checkin_opens_before, e.checkin_closes_after,
        (SELECT count(*) FROM check_in WHERE session = s.id) AS present,
        (SELECT count(*) FILTER (WHERE status IN ('invited', 'registered')) FROM registration WHERE event = s.event)
            AS expected,
        r.id AS r_id, r.event AS r_event, r.status AS r_status, r.participant AS r_participant, p.name AS r_name,
        p.organisation AS r_organisation, c.at AS r_checked_in_at, c.method AS r_checked_in_method,
        (SELECT max(u.id) FROM check_in_undone u
         WHERE u.registration = r.id AND u.session = s.id AND u.client_id = {}) AS r_undone
    FROM event_session s JOIN event e ON e.id = s.event
    LEFT JOIN registration r ON r.ticket_token = {}
    LEFT JOIN participant p ON p.id = r.participant
    LEFT JOIN check_in c ON c.registration = r.id AND c.session = s.id
    WHERE s.id = {} AND s.event = {}
"""


@dataclass(frozen=True)
class ScanLookup:
    """What the scan route reads before deciding: the session (as session_for_scan gives it), the ticket's
    registration (None for a code that is no ticket) and the live count before this scan."""

    session: dict[str, Any]
    registration: dict[str, Any] | None
    count: dict[str, int]


async def scan_lookup(event_id: int, session_id: int, token: str, client_id: str | None) -> ScanLookup | None:
    """session_for_scan, the ticket's registration and present_count in one query (None: no such session).

    A scan is the hottest write: on PostgreSQL every query is a network round trip, and three reads
    before the write made scans on PostgreSQL about half as fast as on SQLite."""
    token = token.strip()
    client_id = clean_client_id(client_id)
    rows = await Session.raw(_SCAN_SQL, client_id, token if 0 < len(token) <= 64 else None, session_id, event_id)
    if not rows:
        return None
    row = rows[0]
    session = {key: row[key] for key in ("id", "event", "starts_at", "ends_at", "district", "checkin_opens_before",
                                         "checkin_closes_after")}
    registration = {key[2:]: value for key, value in row.items() if key.startswith("r_")}
    return ScanLookup(session, registration if registration["id"] is not None else None,
                      {"present": int(row["present"]), "expected": int(row["expected"])})


def clean_client_id(client_id: str | None) -> str | None:
    """The scanner's id of a scan as stored: no NUL, trimmed, at most MAX_CLIENT_ID characters."""
    return (client_id or "").replace("\x00", "").strip()[:MAX_CLIENT_ID] or None


async def present_count(session_id: int, event_id: int) -> dict[str, int]:
    """{"present": n, "expected": m} for the live counter ("38 of 45 present"), in one query."""
    rows = await CheckIn.raw(
        "SELECT (SELECT count(*) FROM check_in WHERE session = {}) AS present, "
        "(SELECT count(*) FILTER (WHERE status IN ('invited', 'registered')) FROM registration WHERE event = {}) "
        "AS expected",
        session_id, event_id)
    return {"present": int(rows[0]["present"]), "expected": int(rows[0]["expected"])}


# Registrations checked in to the session ({} is the session id), for the present/absent filter.
_CHECKED_IN = "EXISTS (SELECT 1 FROM check_in c WHERE c.registration = registration.id AND c.session = {})"
_NOT_CHECKED_IN = "NOT " + _CHECKED_IN


def _seated(query: Any, session_id: int, event_id: int, q: str, show: str) -> Any:
    """`query` (a select or count of registrations) narrowed to the event's seated registrations that match
    the person search and the present/absent filter."""
    query = query.where((Registration.event == event_id) & Registration.status.is_in(list(SEATED)))
    condition = participants.matches(Registration.participant, q)
    if condition is not None:
        query = query.where(condition)
    if show in {"present", "absent"}:
        query = query.where(WhereRaw(_CHECKED_IN if show == "present" else _NOT_CHECKED_IN, session_id))
    return query


def _attendance_rows(session_id: int, event_id: int, q: str, show: str, ids_only: bool = False) -> Any:
    columns = (Registration.id,) if ids_only else (
        Registration.id, Registration.role, Registration.status, Registration.ticket_token,
        Registration.participant.name.as_alias("name"), Registration.participant.name_bn.as_alias("name_bn"),
        Registration.participant.organisation.as_alias("organisation"),
        Registration.participant.phone.as_alias("phone"))
    return _seated(Registration.select(*columns), session_id, event_id, q, show).order_by(
        Registration.participant.name).order_by(Registration.id)


async def _with_check_ins(rows: list[dict[str, Any]], session_id: int, every: bool) -> list[dict[str, Any]]:
    """The rows with their check-in for the session (`every`: the rows are most of the event's, so read the
    session's check-ins whole rather than by a list of ids)."""
    query = CheckIn.select(CheckIn.registration, CheckIn.at, CheckIn.method, CheckIn.reason,
                           CheckIn.reason_note).where(CheckIn.session == session_id)
    # The last undo of each absent person's check-in, with its reason, for the list to say why.
    undone_query = UndoneCheckIn.select(
        UndoneCheckIn.registration, UndoneCheckIn.undone_at, UndoneCheckIn.undone_by_name, UndoneCheckIn.reason,
        UndoneCheckIn.reason_note, UndoneCheckIn.happened_at).where(
        UndoneCheckIn.session == session_id).order_by(UndoneCheckIn.id)
    if not every:
        if not rows:
            return rows
        ids = [r["id"] for r in rows]
        query = query.where(CheckIn.registration.is_in(ids))
        undone_query = undone_query.where(UndoneCheckIn.registration.is_in(ids))
    checkins = {r["registration"]: r for r in await query}
    undone = {r["registration"]: r for r in await undone_query}
    for row in rows:
        found = checkins.get(row["id"])
        row["checked_in_at"] = found["at"] if found else None
        row["method"] = found["method"] if found else None
        row["reason"] = found["reason"] if found else ""
        row["reason_note"] = found["reason_note"] if found else ""
        row["undone"] = undone.get(row["id"]) if not found else None
    return rows


async def attendance(session_id: int, event_id: int, q: str = "", show: str = "all",
                     registration_id: int | None = None) -> list[dict[str, Any]]:
    """Seated registrations of the event (or the one `registration_id`) with their check-in (if any) for the
    session, by name."""
    query = _attendance_rows(session_id, event_id, q, show)
    if registration_id is not None:
        query = query.where(Registration.id == registration_id)
    return await _with_check_ins(await query, session_id, every=registration_id is None)


async def attendance_page(session_id: int, event_id: int, q: str = "", show: str = "all", page: int = 1,
                          size: int = PAGE_SIZE, confirm_id: int | None = None) -> dict[str, Any]:
    """One page of `attendance` with the pager's figures over every matching row (paging.window), counted and
    cut in SQL: an event of 1,000 reads 100 rows, not 1,000. With `confirm_id`, the page that shows that
    registration (the list without JavaScript, asking to confirm one row)."""
    total = await _seated(Registration.count(), session_id, event_id, q, show)
    if confirm_id is not None:
        ids = [r["id"] for r in await _attendance_rows(session_id, event_id, q, show, ids_only=True)]
        page = ids.index(confirm_id) // size + 1 if confirm_id in ids else page
    shown = window(total, page, size)
    rows = await _attendance_rows(session_id, event_id, q, show).limit(size).offset(shown["offset"])
    return {"rows": await _with_check_ins(rows, session_id, every=False), "page": shown["page"],
            "pages": shown["pages"], "total": total}


async def tickets(event_id: int) -> dict[str, str]:
    """token -> name for every seated registration: the scanner's offline list."""
    rows = await Registration.select(Registration.ticket_token, Registration.participant.name.as_alias("name")).where(
        (Registration.event == event_id) & Registration.status.is_in(list(SEATED)))
    return {r["ticket_token"]: r["name"] for r in rows}


async def attended(registration_id: int) -> dict[int, dt.datetime]:
    """session id -> check-in time for one registration (the ticket page)."""
    rows = await CheckIn.select(CheckIn.session, CheckIn.at).where(CheckIn.registration == registration_id)
    return {r["session"]: r["at"] for r in rows}
