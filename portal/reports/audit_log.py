"""The audit log in the open: filter, page and export the rows `portal.core.audit` writes.

An audit entry names one record (record_type, record_id); a check-in's entry carries its registration
and session in its before/after JSON instead. "Everything about this event" is therefore the event's
own entries plus those of its sessions, registrations, check-ins and certificates, found with
sub-queries here rather than by widening the audit table (every feature writes it). An organizer sees
the entries of events in their districts and of the people of those districts.

The SQL is assembled from constant fragments of this module; every value goes in as a `{}` placeholder.
"""
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from portal.core import clock
from portal.core.i18n import N_, current_language, speaking
from portal.core.i18n import gettext as _
from portal.core.tables import AuditEntry
from portal.db import is_sqlite
from portal.events.checkin.corrections import reason_label
from portal.exports import RENDERERS, Column, Export

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000

# What an action means, for people (the code stays in the export and in a tooltip).
ACTIONS: dict[str, str] = {
    "api_key.create": N_("API key created"), "api_key.revoke": N_("API key revoked"),
    "certificate.bulk_issue": N_("Certificates issued in bulk"), "certificate.issue": N_("Certificate issued"),
    "certificate.override": N_("Certificate eligibility overridden"),
    "certificate.reinstate": N_("Certificate reinstated"), "certificate.revoke": N_("Certificate revoked"),
    "certificate.settings": N_("Certificate settings changed"),
    "checkin.create": N_("Checked in"), "checkin.undo": N_("Check-in undone"),
    "course.create": N_("Course created"), "course.update": N_("Course changed"),
    "event.course": N_("Event's course changed"), "event.create": N_("Event created"),
    "event.status": N_("Event status changed"), "event.update": N_("Event changed"),
    "material.create": N_("Material added"), "material.version": N_("Material version added"),
    "module.create": N_("Module created"), "module.update": N_("Module changed"),
    "participant.create": N_("Person added"), "participant.update": N_("Person changed"),
    "participant.merge": N_("Two people merged"), "participant.merged_away": N_("Person merged into another"),
    "participant.merge_undo": N_("Merge undone"), "participant.restore": N_("Person restored by undoing a merge"),
    "pool.add": N_("Added to the trainer pool"), "pool.invite": N_("Pool member invited"),
    "pool.status": N_("Pool status changed"),
    "registration.cancel": N_("Registration cancelled"), "registration.create": N_("Registered"),
    "registration.promote": N_("Moved off the waiting list"), "registration.role": N_("Registration role changed"),
    "selfcheck.walk_in_known_phone": N_("Walk-in with a known phone"),
    "session.create": N_("Session created"), "session.delete": N_("Session deleted"),
    "session.update": N_("Session changed"),
    "user.create": N_("Staff account created"), "user.update": N_("Staff account changed"),
    "user.link_setup": N_("Set-up link made"), "user.link_welcome": N_("Welcome link made"),
    "user.link_reset": N_("Password reset link made"), "user.password_reset": N_("Password reset"),
    "evaluation.event_quiz": N_("Event test set"), "evaluation.extra_attempt": N_("Extra test attempt allowed"),
    "evaluation.feedback_form": N_("Feedback form set"), "evaluation.paper_entry": N_("Paper test entered"),
    "evaluation.paper_correct": N_("Paper test corrected"), "evaluation.question.create": N_("Question created"),
    "evaluation.question.update": N_("Question changed"), "evaluation.question.archive": N_("Question archived"),
    "evaluation.question.restore": N_("Question restored"), "evaluation.quiz.save": N_("Test saved"),
    "import.start": N_("Large import started"), "import.restart": N_("Large import started again"),
    "import.value_mapping": N_("Meaning of an imported value remembered"),
    "evaluation.open": N_("Test opened"), "evaluation.close": N_("Test closed"),
    "evaluation.release": N_("Test scores released"), "evaluation.withhold": N_("Test scores withheld"),
    "evaluation.feedback_open": N_("Feedback form opened"), "evaluation.feedback_closed": N_("Feedback form closed"),
    "session.facilitator.assign": N_("Facilitator assigned"), "session.facilitator.remove": N_("Facilitator removed"),
    "event.copy": N_("Event copied"),
    "event.public_registration": N_("Public registration opened or closed"),
    "registration.rsvp": N_("Invitation answered"), "message.retry": N_("Message sent again"),
    "contact.opt_out": N_("Opted out of messages"), "contact.opt_in": N_("Opted in to messages again"),
    "participant.self_correct": N_("Person corrected their own details"),
}


def action_label(action: str) -> str:
    """The action in words, in the page's language (the code itself when the portal has no words for it)."""
    label = ACTIONS.get(action)
    return _(label) if label else action


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit page; every field optional."""

    person: str = ""  # a participant id, or part of a name
    event: int | None = None
    session: int | None = None
    staff: int | None = None
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def params(self) -> dict[str, Any]:
        """The filters as query parameters (for pager and export links)."""
        return {"person": self.person, "event": self.event or "", "session": self.session or "",
                "staff": self.staff or "", "action": self.action,
                "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else ""}


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _date(value: str | None, errors: dict[str, str], name: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def parse_filter(query: Any) -> tuple[AuditFilter, dict[str, str]]:
    """Filters from the query string, and a message per field that could not be read."""
    errors: dict[str, str] = {}
    for name in ("event", "session", "staff"):
        raw = (query.get(name) or "").strip()
        if raw and _int(raw) is None:
            errors[name] = _("Choose from the list.")
    date_from = _date(query.get("from"), errors, "from")
    date_to = _date(query.get("to"), errors, "to")
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("The end date is before the start date.")
    action = (query.get("action") or "").strip()[:80]
    return AuditFilter(person=(query.get("person") or "").strip()[:100], event=_int(query.get("event")),
                       session=_int(query.get("session")), staff=_int(query.get("staff")), action=action,
                       date_from=date_from, date_to=date_to), errors


class _Sql:
    """A WHERE clause built from parts, with Piccolo's `{}` placeholders."""

    def __init__(self, sqlite: bool) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []
        self.sqlite = sqlite

    def json_int(self, key: str) -> str:
        """An integer field of the entry's after JSON, else of its before JSON (an undo's after holds only why)."""
        if self.sqlite:
            return f"CAST(COALESCE(json_extract(a.after, '$.{key}'), json_extract(a.before, '$.{key}')) AS INTEGER)"
        return f"CAST(COALESCE(a.after->>'{key}', a.before->>'{key}') AS INTEGER)"

    def add(self, part: str, *args: Any) -> None:
        self.parts.append(part)
        self.args.extend(args)


def _about_events(sql: _Sql, events: str) -> str:
    """Entries about the events that the sub-query `events` (SELECT id ...) selects."""
    regs = f"SELECT r.id FROM registration r WHERE r.event IN ({events})"
    return (
        f"(a.record_type = 'event' AND a.record_id IN "
        f"(SELECT CAST(id AS VARCHAR(20)) FROM event WHERE id IN ({events})))"
        f" OR (a.record_type IN ('session', 'event_session') AND a.record_id IN "
        f"(SELECT CAST(s.id AS VARCHAR(20)) FROM event_session s WHERE s.event IN ({events})))"
        f" OR (a.record_type = 'registration' AND a.record_id IN (SELECT CAST(id AS VARCHAR(20)) FROM ({regs}) x))"
        f" OR (a.record_type = 'check_in' AND {sql.json_int('registration')} IN ({regs}))"
        f" OR (a.record_type = 'certificate' AND a.record_id IN "
        f"(SELECT CAST(c.id AS VARCHAR(20)) FROM certificate c WHERE c.registration IN ({regs})))"
    )


def _about_people(sql: _Sql, people: str) -> str:
    """Entries about the participants that the sub-query `people` (SELECT id ...) selects."""
    regs = f"SELECT r.id FROM registration r WHERE r.participant IN ({people})"
    return (
        f"(a.record_type = 'participant' AND a.record_id IN "
        f"(SELECT CAST(id AS VARCHAR(20)) FROM participant WHERE id IN ({people})))"
        f" OR (a.record_type = 'registration' AND a.record_id IN (SELECT CAST(id AS VARCHAR(20)) FROM ({regs}) x))"
        f" OR (a.record_type = 'check_in' AND {sql.json_int('registration')} IN ({regs}))"
        f" OR (a.record_type = 'certificate' AND a.record_id IN "
        f"(SELECT CAST(c.id AS VARCHAR(20)) FROM certificate c WHERE c.registration IN ({regs})))"
    )


def _repeat(fragment: str, args: list[Any] | tuple[Any, ...]) -> list[Any]:
    """The arguments of a fragment that repeats one sub-query (with `args` as its placeholders) n times."""
    return list(args) * (fragment.count("{}") // len(args))


def _where(user: Any, flt: AuditFilter, tz: dt.tzinfo) -> _Sql:
    sql = _Sql(is_sqlite(AuditEntry._meta.db))
    scope = user.district_scope
    if scope is not None:
        if not scope:
            sql.add("1 = 0")
        else:
            marks = ", ".join("{}" for _ in scope)
            events = _about_events(sql, f"SELECT id FROM event WHERE district IN ({marks})")
            people = _about_people(sql, f"SELECT id FROM participant WHERE district IN ({marks})")
            sql.add(f"(({events}) OR ({people}))", *_repeat(events, scope), *_repeat(people, scope))
    if flt.event is not None:
        fragment = _about_events(sql, "SELECT CAST({} AS INTEGER)")
        sql.add(f"({fragment})", *_repeat(fragment, [flt.event]))
    if flt.session is not None:
        sql.add(f"((a.record_type IN ('session', 'event_session') AND a.record_id = {{}}) OR "
                f"(a.record_type = 'check_in' AND {sql.json_int('session')} = {{}}))", str(flt.session), flt.session)
    if flt.person:
        if flt.person.isdigit():
            fragment = _about_people(sql, "SELECT CAST({} AS INTEGER)")
            sql.add(f"({fragment})", *_repeat(fragment, [int(flt.person)]))
        else:
            like = "%" + flt.person.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
            fragment = _about_people(sql, "SELECT id FROM participant WHERE LOWER(name) LIKE {} OR name_bn LIKE {}")
            sql.add(f"({fragment})", *_repeat(fragment, [like, like]))
    if flt.staff is not None:
        sql.add("a.actor_id = {}", flt.staff)
    if flt.action:
        sql.add("a.action = {}", flt.action)
    if flt.date_from:
        sql.add("a.at >= {}", dt.datetime.combine(flt.date_from, dt.time(), tz))
    if flt.date_to:
        sql.add("a.at < {}", dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time(), tz))
    return sql


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _changes(before: Any, after: Any) -> list[dict[str, Any]]:
    """Field, before and after, one row per field either side names."""
    before, after = _json(before), _json(after)
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    keys = list(before) + [k for k in after if k not in before]
    return [{"field": k, "before": before.get(k), "after": after.get(k), "has_before": k in before,
             "has_after": k in after} for k in keys]


def _reason(after: Any) -> str:
    """Why an attendance correction was made (issue 18), in the page's language; "" for other entries."""
    after = _json(after)
    return reason_label(after.get("reason")) if isinstance(after, dict) else ""


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["changes"] = _changes(row["before"], row["after"])
    row["label"] = action_label(row["action"])
    if row["action"] == "participant.merge":  # the page links to the merge, where it can be undone
        after = _json(row["after"])
        row["merge_id"] = after.get("merge_id") if isinstance(after, dict) else None
    row["reason"] = _reason(row["after"])
    return row


_COLUMNS = "a.id, a.at, a.actor_id, a.actor, a.action, a.record_type, a.record_id, a.before, a.after, a.note, a.ip"


async def search(user: Any, flt: AuditFilter, tz: dt.tzinfo, page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """One page of entries (newest first) the user may see, and how many match."""
    sql = _where(user, flt, tz)
    where = " AND ".join(sql.parts) or "1 = 1"
    count = await AuditEntry.raw(f"SELECT COUNT(*) AS n FROM audit_entry a WHERE {where}", *sql.args)
    rows = await AuditEntry.raw(
        f"SELECT {_COLUMNS} FROM audit_entry a WHERE {where} ORDER BY a.id DESC LIMIT {{}} OFFSET {{}}",
        *sql.args, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return [_row(r) for r in rows], int(count[0]["n"])


async def choices(user: Any) -> dict[str, Any]:
    """What the filter lists offer: staff who acted, actions that happened, events the user may see."""
    scope = user.district_scope
    staff = await AuditEntry.raw(
        "SELECT u.id, u.name FROM staff_user u WHERE u.id IN (SELECT DISTINCT actor_id FROM audit_entry "
        "WHERE actor_id IS NOT NULL) ORDER BY u.name")
    actions = [r["action"] for r in await AuditEntry.raw("SELECT DISTINCT action FROM audit_entry ORDER BY action")]
    if scope is None:
        events = await AuditEntry.raw("SELECT id, title, start_date FROM event ORDER BY start_date DESC, id DESC")
    elif scope:
        marks = ", ".join("{}" for _ in scope)
        events = await AuditEntry.raw(
            f"SELECT id, title, start_date FROM event WHERE district IN ({marks}) ORDER BY start_date DESC, id DESC",
            *scope)
    else:
        events = []
    return {"staff": staff, "actions": [(a, action_label(a)) for a in actions], "events": events}


async def sessions_of(user: Any, event_id: int | None) -> list[dict[str, Any]]:
    """The sessions of a chosen event the user may see (for the session filter)."""
    if event_id is None:
        return []
    rows = await AuditEntry.raw(
        "SELECT s.id, s.title, s.starts_at, e.district FROM event_session s JOIN event e ON e.id = s.event "
        "WHERE s.event = {} ORDER BY s.starts_at", event_id)
    return [r for r in rows if user.sees_district(r["district"])]


def export_columns() -> list[Column]:
    """The columns of the CSV/XLSX export, headed in the page's language."""
    return [
        Column("id", _("Entry"), "int", width=9),
        Column("at", _("When"), "datetime"),
        Column("actor", _("Who"), width=30),
        Column("action", _("Action code"), width=22),
        Column("label", _("Action"), width=28),
        Column("reason", _("Why"), width=28),
        Column("record_type", _("Record type"), width=16),
        Column("record_id", _("Record"), width=10),
        Column("before", _("Before"), width=40),
        Column("after", _("After"), width=40),
        Column("note", _("Note"), width=30),
    ]


async def export(user: Any, flt: AuditFilter, tz: dt.tzinfo, fmt: str, lang: str | None = None) -> Export:
    """Every matching entry (up to EXPORT_LIMIT) as CSV or XLSX, headed and named in `lang` (the page's if None:
    `headers=en` asks for English)."""
    sql = _where(user, flt, tz)
    where = " AND ".join(sql.parts) or "1 = 1"
    rows = await AuditEntry.raw(
        f"SELECT {_COLUMNS} FROM audit_entry a WHERE {where} ORDER BY a.id DESC LIMIT {{}}", *sql.args, EXPORT_LIMIT)

    def cell_text(value: Any) -> str:
        value = _json(value)
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    # Built here, in the language asked for (the body may be written from another thread).
    with speaking(lang or current_language.get()):
        cells = [{**row, "label": action_label(row["action"]), "reason": _reason(row["after"]),
                  "before": cell_text(row["before"]), "after": cell_text(row["after"])} for row in rows]
        columns = export_columns()

    stamp = clock.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    return RENDERERS[fmt](f"audit-log-{stamp}", columns, iter(cells), tz=tz)
