"""Period summary and coordinator dashboard: counts for government and donor reports.

"In the period" means events whose first day falls in it (as in the attendance export, so a
summary and an export of the same period agree); certificates count by the day they were issued.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from portal.certificates.tables import Certificate, PoolMember
from portal.core.districts import district_name
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES
from portal.events.tables import CheckIn, Event, Registration, Session
from portal.exports import DHAKA, Column, Sheet
from portal.reports.attendance import AttendanceFilter, event_conditions

HELD = ("published", "completed")  # drafts and cancelled events were not held
CERT_KINDS = {"participation": "Participation", "completion": "Completion", "master_trainer": "Master trainer"}
LOW_ATTENDANCE = 0.5  # a session where fewer than half of those registered came


@dataclass(frozen=True)
class Summary:
    """Everything the summary page and workbook show, as plain rows."""

    date_from: dt.date
    date_to: dt.date
    events: list[dict[str, Any]]  # kind, district, events
    participants: int
    person_days: int
    disaggregation: list[dict[str, Any]]  # district, stakeholder_type, gender, participants, person_days
    certificates: list[dict[str, Any]]  # kind, issued
    pool: list[dict[str, Any]]  # district, active
    months: list[tuple[str, int]]  # person-days per month
    reached: dict[str, int] = field(default_factory=dict)  # unique participants by district code ("" unknown)

    @property
    def events_held(self) -> int:
        """Events held in the period."""
        return sum(r["events"] for r in self.events)

    @property
    def certificates_issued(self) -> int:
        """Certificates issued in the period (revoked ones not counted)."""
        return sum(r["issued"] for r in self.certificates)

    def pivot(self) -> tuple[list[tuple[str, str, bool]], list[dict[str, Any]]]:
        """Participants by stakeholder type (rows) and gender (columns), with totals: fits a phone."""
        genders = [g for g, _ in self.totals_by("gender")]
        columns = [("stakeholder_type", _("Stakeholder type"), False), *((g, g, True) for g in genders),
                   ("total", _("Total"), True)]
        rows: dict[str, Counter[str]] = defaultdict(Counter)
        for r in self.disaggregation:
            rows[r["stakeholder_type"]][r["gender"]] += r["participants"]
        out = [{"stakeholder_type": k, **v, "total": sum(v.values())} for k, v in rows.items()]
        out.sort(key=lambda r: (-r["total"], r["stakeholder_type"]))
        return columns, out

    def by_district(self) -> list[dict[str, Any]]:
        """Participants and person-days per participant's district."""
        days = dict(self.totals_by("district", "person_days"))
        return [{"district": d, "participants": n, "person_days": days[d]} for d, n in self.totals_by("district")]

    def totals_by(self, key: str, measure: str = "participants") -> list[tuple[str, int]]:
        """The disaggregation summed over one dimension, largest first then by name."""
        totals: Counter[str] = Counter()
        for row in self.disaggregation:
            totals[row[key]] += row[measure]
        return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def _day_bounds(date_from: dt.date, date_to: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    # Days are PORTAL_TIMEZONE's days: an evening check-in in UTC may be the next morning there.
    start = dt.datetime.combine(date_from, dt.time(), tz)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tz)


async def period_summary(date_from: dt.date, date_to: dt.date, scope: tuple[str, ...] | None = None,
                         tz: dt.tzinfo = DHAKA) -> Summary:
    """The summary of a period, limited to the districts in scope (None: all)."""
    flt = AttendanceFilter(date_from=date_from, date_to=date_to, scope=scope)
    events = await Event.select(Event.kind, Event.district, Count(alias="events")).where(
        Event.status.is_in(list(HELD)), *event_conditions(flt, Event)
    ).group_by(Event.kind, Event.district).order_by(Event.kind).order_by(Event.district)
    reg = CheckIn.registration
    person = reg.participant
    per_person = await CheckIn.select(
        person.id.as_alias("pid"), person.gender.as_alias("gender"),
        person.stakeholder_type.as_alias("stakeholder_type"), person.district.as_alias("district"),
        Count(alias="days"),
    ).where(reg.event.status.is_in(list(HELD)), *event_conditions(flt, reg.event)).group_by(
        person.id, person.gender, person.stakeholder_type, person.district)
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    reached: Counter[str] = Counter()
    for p in per_person:
        reached[p["district"] or ""] += 1
        cell = cells[(p["district"] or "", p["stakeholder_type"], p["gender"])]
        cell[0] += 1
        cell[1] += p["days"]
    disaggregation = [
        {"district": district_name(d) if d else _("Not stated"), "stakeholder_type": STAKEHOLDER_TYPES.get(s, s),
         "gender": GENDERS.get(g, g), "participants": n, "person_days": days}
        for (d, s, g), (n, days) in sorted(cells.items())
    ]
    start, end = _day_bounds(date_from, date_to, tz)
    cert_event = Certificate.registration.event
    certs = await Certificate.select(Certificate.kind, Count(alias="issued")).where(
        Certificate.issued_at >= start, Certificate.issued_at < end, Certificate.revoked_at.is_null(),
        *event_conditions(AttendanceFilter(scope=scope), cert_event),
    ).group_by(Certificate.kind).order_by(Certificate.kind)
    months = await _person_days_by_month(flt)
    return Summary(
        date_from=date_from, date_to=date_to,
        events=[{"kind": KINDS.get(e["kind"], e["kind"]), "district": district_name(e["district"]),
                 "events": e["events"]} for e in events],
        participants=len(per_person), person_days=sum(p["days"] for p in per_person),
        disaggregation=disaggregation,
        certificates=[{"kind": CERT_KINDS.get(c["kind"], c["kind"]), "issued": c["issued"]} for c in certs],
        pool=await pool_by_district(scope), months=months, reached=dict(reached),
    )


async def _person_days_by_month(flt: AttendanceFilter) -> list[tuple[str, int]]:
    reg = CheckIn.registration
    rows = await CheckIn.select(reg.event.start_date.as_alias("day")).where(
        reg.event.status.is_in(list(HELD)), *event_conditions(flt, reg.event))
    counts = Counter(r["day"].strftime("%Y-%m") for r in rows)
    return sorted(counts.items())


async def pool_by_district(scope: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Active master trainers in the pool, per district."""
    conds = [PoolMember.status == "active"]
    if scope is not None:
        conds.append(PoolMember.district.is_in(list(scope) or [""]))
    rows = await PoolMember.select(PoolMember.district, Count(alias="active")).where(*conds).group_by(
        PoolMember.district).order_by(PoolMember.district)
    return sorted(({"district": district_name(r["district"]) if r["district"] else _("Not stated"),
                    "active": r["active"]} for r in rows), key=lambda r: (-r["active"], r["district"]))


SHEETS = {
    "events": [Column("kind", N_("Event kind"), width=28), Column("district", N_("District"), width=18),
               Column("events", N_("Events held"), "int")],
    "totals": [Column("measure", N_("Measure"), width=36), Column("value", N_("Value"), "int")],
    "disaggregation": [Column("district", N_("Participant's district"), width=18),
                       Column("stakeholder_type", N_("Stakeholder type"), width=24),
                       Column("gender", N_("Gender"), width=20), Column("participants", N_("Participants"), "int"),
                       Column("person_days", N_("Person-days"), "int")],
    "certificates": [Column("kind", N_("Certificate"), width=20), Column("issued", N_("Issued"), "int")],
    "pool": [Column("district", N_("District"), width=18), Column("active", N_("Active master trainers"), "int")],
}


def totals(summary: Summary) -> list[dict[str, Any]]:
    """The headline figures as rows."""
    return [
        {"measure": _("Events held"), "value": summary.events_held},
        {"measure": _("Unique participants"), "value": summary.participants},
        {"measure": _("Person-days of attendance"), "value": summary.person_days},
        {"measure": _("Certificates issued"), "value": summary.certificates_issued},
        {"measure": _("Master trainers in the pool (active)"), "value": sum(r["active"] for r in summary.pool)},
    ]


def workbook_sheets(summary: Summary) -> list[Sheet]:
    """A sheet per table of the summary."""
    return [
        Sheet(N_("Totals"), SHEETS["totals"], totals(summary)),
        Sheet(N_("Events"), SHEETS["events"], summary.events),
        Sheet(N_("Disaggregation"), SHEETS["disaggregation"], summary.disaggregation),
        Sheet(N_("Certificates"), SHEETS["certificates"], summary.certificates),
        Sheet(N_("Master trainers"), SHEETS["pool"], summary.pool),
    ]


async def dashboard(today: dt.date, scope: tuple[str, ...] | None = None, tz: dt.tzinfo = DHAKA) -> dict[str, Any]:
    """What a coordinator checks first: upcoming events, this month's attendance, weak sessions, pool."""
    scoped = AttendanceFilter(scope=scope)
    upcoming = await Event.select(Event.id, Event.title, Event.kind, Event.district, Event.start_date).where(
        Event.status == "published", Event.start_date >= today, Event.start_date <= today + dt.timedelta(days=30),
        *event_conditions(scoped, Event),
    ).order_by(Event.start_date).order_by(Event.id).limit(10)
    month_start = today.replace(day=1)
    start, end = _day_bounds(month_start, today, tz)
    reg = CheckIn.registration
    month_rows = await CheckIn.select(reg.participant.as_alias("pid")).where(
        CheckIn.at >= start, CheckIn.at < end, *event_conditions(scoped, reg.event))
    cert_event = Certificate.registration.event
    certificates = await Certificate.count().where(
        Certificate.issued_at >= start, Certificate.issued_at < end, Certificate.revoked_at.is_null(),
        *event_conditions(scoped, cert_event))
    return {
        "upcoming": upcoming, "month_start": month_start, "month_checkins": len(month_rows),
        "month_people": len({r["pid"] for r in month_rows}), "certificates": certificates,
        "low_sessions": await low_attendance_sessions(today, scope, tz=tz), "pool": await pool_by_district(scope),
    }


async def registered_by_event(event_ids: list[int]) -> Counter[int]:
    """People registered (status "registered") per event: one grouped query."""
    if not event_ids:
        return Counter()
    rows = await Registration.select(Registration.event, Count(alias="n")).where(
        Registration.event.is_in(event_ids), Registration.status == "registered").group_by(Registration.event)
    return Counter({r["event"]: r["n"] for r in rows})


async def present_by_session(session_ids: list[int]) -> Counter[int]:
    """Check-ins per session: one grouped query."""
    if not session_ids:
        return Counter()
    rows = await CheckIn.select(CheckIn.session, Count(alias="n")).where(
        CheckIn.session.is_in(session_ids)).group_by(CheckIn.session)
    return Counter({r["session"]: r["n"] for r in rows})


async def low_attendance_sessions(today: dt.date, scope: tuple[str, ...] | None = None,
                                  days: int = 30, tz: dt.tzinfo = DHAKA,
                                  finished_by: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Sessions of the last `days` days where fewer than half of the registered people checked in (with
    `finished_by`, only sessions that had ended by then: a session under way is not low yet)."""
    start, end = _day_bounds(today - dt.timedelta(days=days), today, tz)
    ended = [Session.ends_at <= finished_by] if finished_by else []
    sessions = await Session.select(
        Session.id, Session.title, Session.starts_at, Session.event.id.as_alias("event_id"),
        Session.event.title.as_alias("event"), Session.event.district.as_alias("district"),
    ).where(Session.starts_at >= start, Session.starts_at < end, Session.event.status.is_in(list(HELD)), *ended,
            *event_conditions(AttendanceFilter(scope=scope), Session.event)).order_by(Session.starts_at, Session.id)
    if not sessions:
        return []
    registered = await registered_by_event(list({s["event_id"] for s in sessions}))
    present = await present_by_session([s["id"] for s in sessions])
    low = []
    for s in sessions:
        expected = registered[s["event_id"]]
        if expected and present[s["id"]] < expected * LOW_ATTENDANCE:
            low.append({**s, "present": present[s["id"]], "registered": expected})
    return low


def charts(summary: Summary) -> list[Any]:
    """The summary's charts (SVG with a table as text alternative)."""
    from portal.reports.charts import bar_chart, column_chart

    by_kind: Counter[str] = Counter()
    for row in summary.events:
        by_kind[row["kind"]] += row["events"]
    kinds = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    gender = summary.totals_by("gender")
    stakeholders = summary.totals_by("stakeholder_type")
    return [
        bar_chart(_("Events held by kind"), [k for k, _ in kinds], [v for _, v in kinds], label_header=_("Kind"),
                  series=(_("Events"),)),
        bar_chart(_("Participants by gender"), [k for k, _ in gender], [v for _, v in gender], label_header=_("Gender"),
                  series=(_("Participants"),)),
        bar_chart(_("Participants by stakeholder type"), [k for k, _ in stakeholders], [v for _, v in stakeholders],
                  label_header=_("Stakeholder type"), series=(_("Participants"),)),
        column_chart(_("Person-days by month of the event"), [m for m, _ in summary.months],
                     [v for _, v in summary.months], value_name=_("Person-days"), label_header=_("Month")),
    ]
