"""The cascade report: what the master-trainer pool reached through its step-down trainings (issue 17).

Definitions (one place, so the page, the workbook and the tests agree):
- a master trainer is a pool member; the trainings they ran are the step-down trainings (kind `step_down`,
  held: published or completed) whose organizer is their trainer account (the account they were invited as,
  or a staff account with their email or phone), that started in the period, in the districts in scope;
- a person is reached when checked in at least once as a participant; a person-day is one session attended;
  people are counted once per trainer and once in every programme total, however many trainings they came to;
- certificates issued: certificates of those trainings' registrations, not revoked;
- the next generation of a trainer: people they reached who are in the pool themselves. A trainer reached by
  no one (certified by a ToT) is generation 1; someone reached by a generation-n trainer is generation n+1.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from portal.auth.tables import User
from portal.certificates.tables import Certificate, PoolMember, PoolTrainerLink
from portal.core.districts import district_name
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES
from portal.events.tables import CheckIn, Event
from portal.exports import Column, Sheet

KIND = "step_down"
HELD = ("published", "completed")


@dataclass
class TrainerReach:
    """One master trainer's step-down trainings and whom they reached."""

    member_id: int
    name: str
    name_bn: str
    district: str
    status: str
    generation: int = 1
    trainings: int = 0
    people: set[int] = field(default_factory=set)
    person_days: int = 0
    certificates: int = 0
    by_district: Counter[str] = field(default_factory=Counter)
    by_gender: Counter[str] = field(default_factory=Counter)
    by_stakeholder: Counter[str] = field(default_factory=Counter)
    next_generation: list[int] = field(default_factory=list)  # member ids

    @property
    def reached(self) -> int:
        """Unique people reached."""
        return len(self.people)


@dataclass
class Cascade:
    """The whole report for a period."""

    date_from: dt.date
    date_to: dt.date
    trainers: list[TrainerReach]  # those who ran a training in the period, most people reached first
    people: int  # unique people reached by the programme
    person_days: int
    trainings: int
    certificates: int
    months: list[dict[str, Any]]  # month, trainings, people, person_days
    districts: list[dict[str, Any]]  # district, pool_active, trainers_active, trainings, people, flagged
    generations: list[dict[str, Any]]  # generation, trainers, people

    @property
    def trainers_active(self) -> int:
        """Master trainers who ran at least one step-down training in the period."""
        return len(self.trainers)

    @property
    def flagged(self) -> list[dict[str, Any]]:
        """Districts with active master trainers but no step-down training in the period."""
        return [d for d in self.districts if d["flagged"]]

    @property
    def next_generation(self) -> int:
        """Master trainers who were reached by another one (generation 2 and later)."""
        return sum(1 for t in self.trainers for _ in t.next_generation)


async def _accounts(members: list[dict[str, Any]]) -> dict[int, int]:
    """Staff account id -> pool member id: the invitation link first, then a matching email or phone."""
    accounts = {row["user"]: row["member"] for row in await PoolTrainerLink.select(
        PoolTrainerLink.user, PoolTrainerLink.member)}
    by_email = {m["email"].lower(): m["id"] for m in members if m["email"]}
    by_phone = {m["phone"]: m["id"] for m in members if m["phone"]}
    if by_email or by_phone:
        condition = User.email.is_in(list(by_email) or [""]) | User.phone.is_in(list(by_phone) or [""])
        for user in await User.select(User.id, User.email, User.phone).where(condition):
            member = by_email.get((user["email"] or "").lower()) or by_phone.get(user["phone"] or "")
            accounts.setdefault(user["id"], member)
    return {user: member for user, member in accounts.items() if member is not None}


def _generations(reached_by: dict[int, int], members: list[int]) -> dict[int, int]:
    """Generation of each member: 1 unless reached by another member (then theirs + 1); a cycle stops at 1."""
    result: dict[int, int] = {}

    def generation(member: int, path: frozenset[int]) -> int:
        if member not in result:
            parent = reached_by.get(member)
            result[member] = 1 if parent is None or parent in path else generation(parent, path | {member}) + 1
        return result[member]

    for member in members:
        generation(member, frozenset())
    return result


async def cascade(date_from: dt.date, date_to: dt.date, scope: tuple[str, ...] | None = None) -> Cascade:
    """The cascade of the step-down trainings that started between the two dates (in scope's districts)."""
    member_rows = await PoolMember.select(
        PoolMember.id, PoolMember.participant, PoolMember.district, PoolMember.status,
        PoolMember.participant.name.as_alias("name"), PoolMember.participant.name_bn.as_alias("name_bn"),
        PoolMember.participant.email.as_alias("email"), PoolMember.participant.phone.as_alias("phone"),
    ).order_by(PoolMember.id)
    members = {m["id"]: m for m in member_rows}
    member_of_person = {m["participant"]: m["id"] for m in member_rows}
    accounts = await _accounts(member_rows)
    conditions = [Event.kind == KIND, Event.status.is_in(list(HELD)), Event.start_date >= date_from,
                  Event.start_date <= date_to, Event.organizer.is_in(list(accounts) or [0])]
    if scope is not None:
        conditions.append(Event.district.is_in(list(scope) or [""]))
    events = await Event.select(Event.id, Event.organizer, Event.district, Event.start_date).where(*conditions)
    event_member = {e["id"]: accounts[e["organizer"]] for e in events}
    reach: dict[int, TrainerReach] = {}

    def entry(member_id: int) -> TrainerReach:
        if member_id not in reach:
            m = members[member_id]
            reach[member_id] = TrainerReach(member_id=member_id, name=m["name"], name_bn=m["name_bn"],
                                            district=m["district"], status=m["status"])
        return reach[member_id]

    for e in events:
        entry(event_member[e["id"]]).trainings += 1
    reg = CheckIn.registration
    person = reg.participant
    checkins = await CheckIn.select(
        reg.event.as_alias("event"), person.id.as_alias("pid"), person.gender.as_alias("gender"),
        person.stakeholder_type.as_alias("stakeholder_type"), person.district.as_alias("district"),
    ).where(reg.event.is_in(list(event_member) or [0]), reg.role == "participant")
    seen: dict[int, dict[str, Any]] = {}
    months: dict[str, dict[str, Any]] = defaultdict(lambda: {"trainings": 0, "people": set(), "person_days": 0})
    event_month = {e["id"]: e["start_date"].strftime("%Y-%m") for e in events}
    event_district = {e["id"]: e["district"] for e in events}
    for e in events:
        months[event_month[e["id"]]]["trainings"] += 1
    district_people: dict[str, set[int]] = defaultdict(set)
    reached_by: dict[int, int] = {}
    for c in checkins:
        trainer = entry(event_member[c["event"]])
        trainer.person_days += 1
        months[event_month[c["event"]]]["person_days"] += 1
        months[event_month[c["event"]]]["people"].add(c["pid"])
        district_people[event_district[c["event"]]].add(c["pid"])
        seen[c["pid"]] = c
        if c["pid"] not in trainer.people:
            trainer.people.add(c["pid"])
            trainer.by_district[c["district"] or ""] += 1
            trainer.by_gender[c["gender"]] += 1
            trainer.by_stakeholder[c["stakeholder_type"]] += 1
            follower = member_of_person.get(c["pid"])
            if follower is not None and follower != trainer.member_id:
                trainer.next_generation.append(follower)
                reached_by.setdefault(follower, trainer.member_id)
    certificates = await Certificate.select(Certificate.registration.event.as_alias("event")).where(
        Certificate.registration.event.is_in(list(event_member) or [0]), Certificate.revoked_at.is_null())
    for c in certificates:
        entry(event_member[c["event"]]).certificates += 1
    generations = _generations(reached_by, list(members))
    for trainer in reach.values():
        trainer.generation = generations.get(trainer.member_id, 1)
    trainers = sorted(reach.values(), key=lambda t: (-t.reached, t.name))
    by_generation: dict[int, dict[str, Any]] = defaultdict(lambda: {"trainers": 0, "people": set()})
    for trainer in trainers:
        by_generation[trainer.generation]["trainers"] += 1
        by_generation[trainer.generation]["people"] |= trainer.people
    return Cascade(
        date_from=date_from, date_to=date_to, trainers=trainers, people=len(seen), person_days=len(checkins),
        trainings=len(events), certificates=len(certificates),
        months=[{"month": k, "trainings": v["trainings"], "people": len(v["people"]), "person_days": v["person_days"]}
                for k, v in sorted(months.items())],
        districts=_districts(member_rows, events, event_member, district_people, scope),
        generations=[{"generation": g, "trainers": v["trainers"], "people": len(v["people"])}
                     for g, v in sorted(by_generation.items())],
    )


def _districts(member_rows: list[dict[str, Any]], events: list[dict[str, Any]], event_member: dict[int, int],
               district_people: dict[str, set[int]], scope: tuple[str, ...] | None) -> list[dict[str, Any]]:
    pool = Counter(m["district"] for m in member_rows if m["status"] == "active" and m["district"])
    trainings = Counter(e["district"] for e in events)
    trainers: dict[str, set[int]] = defaultdict(set)
    for e in events:
        trainers[e["district"]].add(event_member[e["id"]])
    codes = {*pool, *trainings}
    if scope is not None:
        codes &= set(scope)
    rows = [{"code": code, "district": district_name(code), "pool_active": pool[code],
             "trainers_active": len(trainers[code]), "trainings": trainings[code],
             "people": len(district_people[code]), "flagged": pool[code] > 0 and trainings[code] == 0}
            for code in codes]
    return sorted(rows, key=lambda r: (not r["flagged"], -r["people"], r["district"]))


def trainer_rows(result: Cascade) -> list[dict[str, Any]]:
    """One row per master trainer, for the page and the workbook."""
    names = {t.member_id: t.name for t in result.trainers}
    return [{
        "name": t.name, "name_bn": t.name_bn, "district": district_name(t.district) if t.district else "",
        "generation": t.generation, "trainings": t.trainings, "people": t.reached, "person_days": t.person_days,
        "certificates": t.certificates, "female": t.by_gender["female"], "male": t.by_gender["male"],
        "third_gender": t.by_gender["third_gender"], "undisclosed": t.by_gender["undisclosed"],
        "next_generation": len(t.next_generation),
        "next_names": ", ".join(names.get(m, "") or str(m) for m in t.next_generation),
    } for t in result.trainers]


def breakdown_rows(result: Cascade) -> list[dict[str, Any]]:
    """People reached per trainer by participant's district, gender and stakeholder type (long form)."""
    rows = []
    for t in result.trainers:
        for dimension, counts, labels in (("District", t.by_district, None), ("Gender", t.by_gender, GENDERS),
                                          ("Stakeholder type", t.by_stakeholder, STAKEHOLDER_TYPES)):
            for key, people in sorted(counts.items()):
                label = (labels.get(key, key) if labels else (district_name(key) if key else "Not stated"))
                rows.append({"name": t.name, "dimension": dimension, "value": label, "people": people})
    return rows


def totals(result: Cascade) -> list[dict[str, Any]]:
    """The headline figures."""
    return [
        {"measure": _("Master trainers active (ran a step-down training)"), "value": result.trainers_active},
        {"measure": _("Step-down trainings delivered"), "value": result.trainings},
        {"measure": _("People reached (each counted once)"), "value": result.people},
        {"measure": _("Person-days of attendance"), "value": result.person_days},
        {"measure": _("Certificates issued"), "value": result.certificates},
        {"measure": _("Next generation: participants who became master trainers"), "value": result.next_generation},
        {"measure": _("Districts with master trainers but no step-down training"), "value": len(result.flagged)},
    ]


TRAINER_COLUMNS = [
    Column("name", N_("Master trainer"), width=26), Column("name_bn", N_("Name (Bangla)"), width=22),
    Column("district", N_("Pool district"), width=16), Column("generation", N_("Generation"), "int"),
    Column("trainings", N_("Step-down trainings"), "int"), Column("people", N_("People reached"), "int"),
    Column("person_days", N_("Person-days"), "int"), Column("certificates", N_("Certificates issued"), "int"),
    Column("female", N_("Female"), "int"), Column("male", N_("Male"), "int"),
    Column("third_gender", N_("Third gender"), "int"),
    Column("undisclosed", N_("Gender not stated"), "int"), Column("next_generation", N_("Next generation"), "int"),
    Column("next_names", N_("Next generation (names)"), width=40),
]
SHEETS = {
    "totals": [Column("measure", N_("Measure"), width=50), Column("value", N_("Value"), "int")],
    "breakdown": [Column("name", N_("Master trainer"), width=26), Column("dimension", N_("By"), width=16),
                  Column("value", N_("Group"), width=26), Column("people", N_("People reached"), "int")],
    "districts": [Column("district", N_("District"), width=18),
                  Column("pool_active", N_("Active master trainers"), "int"),
                  Column("trainers_active", N_("Trainers who ran trainings"), "int"),
                  Column("trainings", N_("Step-down trainings"), "int"), Column("people", N_("People reached"), "int"),
                  Column("flag", N_("Flag"), width=30)],
    "months": [Column("month", N_("Month"), width=10), Column("trainings", N_("Step-down trainings"), "int"),
               Column("people", N_("People reached"), "int"), Column("person_days", N_("Person-days"), "int")],
    "generations": [Column("generation", N_("Generation"), "int"), Column("trainers", N_("Master trainers"), "int"),
                    Column("people", N_("People reached"), "int")],
}


def workbook_sheets(result: Cascade) -> list[Sheet]:
    """A sheet per table of the cascade report."""
    districts = [{**d, "flag": "No step-down training yet" if d["flagged"] else ""} for d in result.districts]
    return [
        Sheet(N_("Cascade totals"), SHEETS["totals"], totals(result)),
        Sheet(N_("Cascade trainers"), TRAINER_COLUMNS, trainer_rows(result)),
        Sheet(N_("Cascade reach by group"), SHEETS["breakdown"], breakdown_rows(result)),
        Sheet(N_("Cascade by district"), SHEETS["districts"], districts),
        Sheet(N_("Cascade by month"), SHEETS["months"], result.months),
        Sheet(N_("Cascade generations"), SHEETS["generations"], result.generations),
    ]


def chart(result: Cascade) -> Any:
    """The cascade as stacked bars: per generation, its master trainers and the people they reached."""
    from portal.reports.charts import bar_chart

    labels = [_("Generation %(number)s") % {"number": g["generation"]} for g in result.generations]
    return bar_chart(_("The cascade: master trainers and people reached by generation"), labels,
                     [g["trainers"] for g in result.generations], second=[g["people"] for g in result.generations],
                     series=(_("Master trainers"), _("People reached")), label_header=_("Generation"))
