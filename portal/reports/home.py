"""What each role's home page shows: the day's sessions with live counts, the week ahead, what needs
attention (organizers, coordinators), and the programme at a glance in charts (coordinators, admins).

A few aggregate queries each, scoped to an organizer's districts (`scope`; None: every district).
"Low attendance" and its threshold are summary.py's: a session that has ended in the last 30 days
where fewer than half of the people registered for the event checked in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from piccolo.query.functions.aggregate import Count

from portal.certificates.eligibility import event_standings
from portal.certificates.tables import Certificate
from portal.core.i18n import bangla_digits, current_language, format_when
from portal.core.i18n import gettext as _
from portal.core.storage import Storage
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES
from portal.events.imports import uploads
from portal.events.tables import Event, Session
from portal.messages.tables import OutboxMessage
from portal.reports import summary
from portal.reports.attendance import AttendanceFilter, event_conditions
from portal.reports.charts import Chart, bar_chart, column_chart
from portal.reports.district_map import district_map

WEEK = 7
LOW_DAYS = 30  # how far back low attendance is looked for
CERTIFICATE_DAYS = 90  # completed events whose certificates are checked
CERTIFICATE_EVENTS = 10  # at most this many of them (each is a standings query)
MONTHS = 12  # the programme charts cover the last twelve months, this one included
# The short month names Bangla writing uses on charts and in tables (CLDR's abbreviated ones are the full names).
BN_MONTHS = ("জানু", "ফেব্রু", "মার্চ", "এপ্রি", "মে", "জুন", "জুলা", "আগ", "সেপ্টে", "অক্টো", "নভে", "ডিসে")


def _scoped(scope: tuple[str, ...] | None, event: Any) -> list[Any]:
    return event_conditions(AttendanceFilter(scope=scope), event)


def _day(today: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(today, dt.time(), tz)
    return start, start + dt.timedelta(days=1)


async def today_sessions(today: dt.date, scope: tuple[str, ...] | None, tz: dt.tzinfo,
                         now: dt.datetime) -> list[dict[str, Any]]:
    """Today's sessions of published or completed events in scope, with present and registered counts."""
    start, end = _day(today, tz)
    rows = await Session.select(
        Session.id, Session.title, Session.starts_at, Session.ends_at, Session.event.id.as_alias("event_id"),
        Session.event.title.as_alias("event"), Session.event.district.as_alias("district"),
        Session.event.venue.as_alias("venue"),
    ).where(Session.starts_at >= start, Session.starts_at < end, Session.event.status.is_in(list(summary.HELD)),
            *_scoped(scope, Session.event)).order_by(Session.starts_at).order_by(Session.id)
    registered = await summary.registered_by_event(list({r["event_id"] for r in rows}))
    present = await summary.present_by_session([r["id"] for r in rows])
    for r in rows:
        r["present"], r["registered"] = present[r["id"]], registered[r["event_id"]]
        r["state"] = "over" if r["ends_at"] <= now else "on" if r["starts_at"] <= now else "later"
    return rows


async def week_ahead(today: dt.date, scope: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Events starting in the next seven days (drafts too: they may still need publishing), with registrations."""
    rows = await Event.select(Event.id, Event.title, Event.kind, Event.district, Event.start_date, Event.end_date,
                              Event.status).where(
        Event.start_date > today, Event.start_date <= today + dt.timedelta(days=WEEK),
        Event.status.is_in(["draft", "published"]), *_scoped(scope, Event),
    ).order_by(Event.start_date).order_by(Event.id)
    registered = await summary.registered_by_event([r["id"] for r in rows])
    for r in rows:
        r["registered"] = registered[r["id"]]
    return rows


async def missing_certificates(today: dt.date, scope: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Completed events of the last 90 days with people who earned a certificate that was never issued, by
    the certificates' own rule (attendance, overrides, a post-test pass mark)."""
    events = await Event.select().where(
        Event.status == "completed", Event.end_date >= today - dt.timedelta(days=CERTIFICATE_DAYS),
        *_scoped(scope, Event)).order_by(Event.end_date, ascending=False).order_by(Event.id).limit(
        CERTIFICATE_EVENTS)
    out = []
    for event in events:
        standings = await event_standings(event)
        missing = sum(1 for s in standings if s.eligible and s.certificate is None)
        if missing:
            out.append({"id": event["id"], "title": event["title"], "district": event["district"],
                        "end_date": event["end_date"], "missing": missing,
                        "eligible": sum(1 for s in standings if s.eligible)})
    return out


async def failed_messages(scope: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Messages that could not be delivered, per event in scope."""
    rows = await OutboxMessage.select(OutboxMessage.event_id, Count(alias="n")).where(
        OutboxMessage.status == "failed", OutboxMessage.event_id.is_not_null()).group_by(OutboxMessage.event_id)
    counts = {r["event_id"]: r["n"] for r in rows}
    return await _with_events(counts, scope, "failed")


async def pending_imports(storage: Storage, scope: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Spreadsheets uploaded but not imported (with errors to fix, or never committed), per event in scope."""
    counts = Counter(event_id for event_id, _at in await uploads.pending(storage))
    return await _with_events(dict(counts), scope, "uploads")


async def _with_events(counts: dict[int, int], scope: tuple[str, ...] | None, key: str) -> list[dict[str, Any]]:
    if not counts:
        return []
    events = await Event.select(Event.id, Event.title, Event.district).where(
        Event.id.is_in(list(counts)), *_scoped(scope, Event)).order_by(Event.id)
    return [{**e, key: counts[e["id"]]} for e in events]


async def attention(today: dt.date, scope: tuple[str, ...] | None, tz: dt.tzinfo, now: dt.datetime,
                    storage: Storage) -> dict[str, Any]:
    """Everything an organizer (or coordinator) should look at: weak sessions, certificates not issued,
    messages not delivered, imports not finished."""
    return {
        "low_sessions": await summary.low_attendance_sessions(today, scope, LOW_DAYS, tz, finished_by=now),
        "low_threshold": summary.LOW_ATTENDANCE,
        "missing_certificates": await missing_certificates(today, scope),
        "failed_messages": await failed_messages(scope),
        "failed_total": await OutboxMessage.count().where(OutboxMessage.status == "failed"),
        "pending_imports": await pending_imports(storage, scope),
    }


def months_back(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _i in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _tick(month: dt.date) -> str:
    # "Jan 26" in English; "জানু ২৬" in Bangla, where the abbreviated month from CLDR is the whole name.
    if current_language.get() == "bn":
        return f"{BN_MONTHS[month.month - 1]} {bangla_digits(month.strftime('%y'))}"
    return format_when(month, "%b %y")


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


async def programme(today: dt.date, tz: dt.tzinfo, url: Any) -> dict[str, Any]:
    """The programme at a glance over the last twelve months (events by their start date, as in the summary
    and the attendance export): headline figures and four charts, each bar linking to its list. `url(name,
    **query)` builds a link (the controller's route_reverse plus a query string)."""
    months = months_back(today)
    date_from, date_to = months[0], today
    result = await summary.period_summary(date_from, date_to, None, tz)
    period = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    by_month = dict(result.months)
    check_ins = column_chart(
        _("Check-ins by month"), [format_when(m, "%b %y") for m in months],
        [by_month.get(m.strftime("%Y-%m"), 0) for m in months], value_name=_("Check-ins"), label_header=_("Month"),
        chart_id="home-checkins",
        ticks=[_tick(m) for m in months],
        links=[url("reports.attendance", date_from=m.isoformat(), date_to=min(_month_end(m), today).isoformat())
               for m in months])
    reached = district_map(_("People reached by district"), {k: v for k, v in result.reached.items() if k},
                           lambda code: url("participants.manage.list", district=code), value_name=_("People"))
    return {
        "date_from": date_from, "date_to": date_to, "period": period, "summary": result,
        "charts": [check_ins],
        "map": reached,
        "not_stated": result.reached.get("", 0),
        "breakdowns": [_breakdown(result, "gender", GENDERS, _("People reached by gender"), _("Gender"), url, period),
                       _breakdown(result, "stakeholder_type", STAKEHOLDER_TYPES,
                                  _("People reached by stakeholder type"), _("Stakeholder type"), url, period)],
    }


def _breakdown(result: summary.Summary, key: str, vocabulary: Any, title: str, header: str, url: Any,
               period: dict[str, str]) -> Chart:
    # The summary's labels are in the page's language (vocab.Labels); map them back to codes for the links.
    codes = {label: code for code, label in vocabulary.items()}
    totals = result.totals_by(key)
    return bar_chart(title, [label for label, _n in totals], [n for _label, n in totals],
                     label_header=header, series=(_("People"),), chart_id=f"home-{key}",
                     links=[url("reports.attendance", **{key: codes.get(label, "")}, **period) for label, _n in totals])


async def trainer_figures(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Registered people and certificates issued per event (a trainer's step-down trainings)."""
    if not event_ids:
        return {}
    registered = await summary.registered_by_event(event_ids)
    rows = await Certificate.select(Certificate.registration.event.as_alias("event"), Count(alias="n")).where(
        Certificate.registration.event.is_in(event_ids), Certificate.revoked_at.is_null()).group_by(
        Certificate.registration.event)
    issued = {r["event"]: r["n"] for r in rows}
    return {e: {"registered": registered[e], "certificates": issued.get(e, 0)} for e in event_ids}
