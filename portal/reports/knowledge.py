"""Did people learn, and what did they think? Tests and feedback of a period's events, for the summary
page, its workbook and the JSON API: per event, and by participants' district, gender and stakeholder
type. The figures are those of the events' results pages (portal.evaluation.results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from portal.core.districts import district_name
from portal.core.i18n import N_
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES, Labels
from portal.evaluation import results
from portal.evaluation.results import Gain, gain_figures, group_figures
from portal.events.tables import Event
from portal.exports import Column, Sheet
from portal.reports.attendance import AttendanceFilter, event_conditions

HELD = ("published", "completed")
DIMENSIONS = Labels({"district": N_("Participant's district"), "gender": N_("Gender"),
                     "stakeholder_type": N_("Stakeholder type")})
RATINGS = results.RATING_KEYS


@dataclass(frozen=True)
class Knowledge:
    """The period's test and feedback figures as plain values (codes, not labels)."""

    date_from: dt.date
    date_to: dt.date
    totals: Gain
    feedback: dict[str, Any]  # responses and the average of each rating
    events: list[dict[str, Any]]  # event facts, "knowledge": Gain, "feedback": like `feedback`
    groups: dict[str, list[tuple[str, Gain]]]  # dimension -> (code, figures), groups with a paired person


def _feedback(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary = results.feedback_summary(rows)
    return {"responses": summary["responses"], **{k: summary["ratings"][k]["average"] for k in RATINGS}}


async def period_knowledge(date_from: dt.date, date_to: dt.date, scope: tuple[str, ...] | None = None) -> Knowledge:
    """Tests and feedback of the events held that started in the period (in scope)."""
    flt = AttendanceFilter(date_from=date_from, date_to=date_to, scope=scope)
    events = await Event.select(Event.id, Event.title, Event.kind, Event.district, Event.start_date).where(
        Event.status.is_in(list(HELD)), *event_conditions(flt, Event)).order_by(Event.start_date).order_by(Event.id)
    ids = [e["id"] for e in events]
    people = await results.people_scores(ids)
    feedback = await results.feedback_rows(ids)
    rows = []
    for event in events:
        mine = [p for p in people if p.event_id == event["id"]]
        answers = [r for r in feedback if r["event"] == event["id"]]
        knowledge = gain_figures((p.pre_percent, p.post_percent) for p in mine)
        if knowledge.pre_takers or knowledge.post_takers or answers:
            rows.append({**event, "knowledge": knowledge, "feedback": _feedback(answers)})
    groups = {dimension: group_figures(people, lambda p, d=dimension: getattr(p, d) or "") for dimension in DIMENSIONS}
    return Knowledge(date_from, date_to, gain_figures((p.pre_percent, p.post_percent) for p in people),
                     _feedback(feedback), rows, groups)


def label(dimension: str, code: str) -> str:
    """A group's name for people (a district, a gender, a stakeholder type)."""
    if dimension == "district":
        return district_name(code) if code else "Not stated"
    return (GENDERS if dimension == "gender" else STAKEHOLDER_TYPES).get(code, code or "Not stated")


def gain_row(figures: Gain) -> dict[str, Any]:
    """The figures as one flat row (percentages as numbers from 0 to 100)."""
    return {**asdict(figures), "share_increased": figures.share_increased}


# The workbook's sheets

_GAIN_COLUMNS = [
    Column("paired", N_("Took both tests"), "int"),
    Column("average_pre", N_("Average pre-test %"), "float", num_format="0.0"),
    Column("average_post", N_("Average post-test %"), "float", num_format="0.0"),
    Column("average_gain", N_("Average gain (points)"), "float", num_format="0.0"),
    Column("increased", N_("Knowledge increased"), "int"),
    Column("share_increased", N_("Share with increased knowledge %"), "float", num_format="0.0"),
]
_FEEDBACK_COLUMNS = [Column("responses", N_("Feedback responses"), "int"),
                     *(Column(k, f"Feedback: {k} (1-5)", "float", num_format="0.0") for k in RATINGS)]


def sheets(knowledge: Knowledge) -> list[Sheet]:
    """Knowledge by event, by group, and feedback by event."""
    by_event = [{"event": e["title"], "kind": KINDS.get(e["kind"], e["kind"]), "district": district_name(e["district"]),
                 "start_date": e["start_date"], "pre_takers": e["knowledge"].pre_takers,
                 "post_takers": e["knowledge"].post_takers, **gain_row(e["knowledge"]), **e["feedback"]}
                for e in knowledge.events]
    by_group = [{"dimension": DIMENSIONS[d], "group": label(d, code), **gain_row(g)}
                for d, rows in knowledge.groups.items() for code, g in rows]
    by_group.append({"dimension": "All participants", "group": "All", **gain_row(knowledge.totals)})
    event_columns = [Column("event", N_("Event"), width=40), Column("kind", N_("Kind"), width=24),
                     Column("district", N_("District"), width=16), Column("start_date", N_("Start"), "date"),
                     Column("pre_takers", N_("Took the pre-test"), "int"),
                     Column("post_takers", N_("Took the post-test"), "int"),
                     *_GAIN_COLUMNS, *_FEEDBACK_COLUMNS]
    group_columns = [Column("dimension", N_("By"), width=22), Column("group", N_("Group"), width=26), *_GAIN_COLUMNS]
    return [Sheet(N_("Knowledge by event"), event_columns, by_event),
            Sheet(N_("Knowledge by group"), group_columns, by_group)]


def as_json(knowledge: Knowledge) -> dict[str, Any]:
    """The API's evaluation summary: codes for groups, numbers for figures."""
    return {
        "date_from": knowledge.date_from, "date_to": knowledge.date_to, "totals": gain_row(knowledge.totals),
        "feedback": knowledge.feedback,
        "events": [{"event": e["id"], "title": e["title"], "kind": e["kind"], "district": e["district"],
                    "start_date": e["start_date"], "knowledge": gain_row(e["knowledge"]), "feedback": e["feedback"]}
                   for e in knowledge.events],
        **{f"by_{d}": [{"group": code, **gain_row(g)} for code, g in rows] for d, rows in knowledge.groups.items()},
    }
