"""The cascade report in the JSON API (/api/v1/cascade), documented in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypedDict

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import QueryParameter

from portal.core import clock
from portal.reports import cascade
from portal.reports.api_controllers import ApiV1Controller
from portal.reports.api_schema import ERROR_RESPONSES
from portal.settings import Settings


class CascadeTotalsOut(TypedDict):
    """Programme totals of the period (people counted once)."""

    trainers_active: int
    trainings: int
    people: int
    person_days: int
    certificates: int
    next_generation: int
    districts_flagged: int


class CascadeTrainerOut(TypedDict):
    """One master trainer's step-down trainings in the period; `name` only for keys allowed personal data."""

    member_id: int
    name: str | None
    district: str
    generation: int
    trainings: int
    people: int
    person_days: int
    certificates: int
    by_district: dict[str, int]
    by_gender: dict[str, int]
    by_stakeholder_type: dict[str, int]
    next_generation: list[int]


class CascadeDistrictOut(TypedDict):
    """Step-down trainings held in a district; `flagged`: master trainers there but no training."""

    district: str
    pool_active: int
    trainers_active: int
    trainings: int
    people: int
    flagged: bool


class CascadeMonthOut(TypedDict):
    """Step-down trainings that started in a month (YYYY-MM)."""

    month: str
    trainings: int
    people: int
    person_days: int


class CascadeGenerationOut(TypedDict):
    """Master trainers of one generation and the people they reached."""

    generation: int
    trainers: int
    people: int


class CascadeReport(TypedDict):
    """What the master-trainer pool reached through step-down trainings that started in the period."""

    date_from: dt.date
    date_to: dt.date
    totals: CascadeTotalsOut
    trainers: list[CascadeTrainerOut]
    districts: list[CascadeDistrictOut]
    months: list[CascadeMonthOut]
    generations: list[CascadeGenerationOut]


def as_json(result: cascade.Cascade, personal: bool) -> CascadeReport:
    """The report as the API's plain values (district codes, vocabulary keys)."""
    return {
        "date_from": result.date_from, "date_to": result.date_to,
        "totals": {"trainers_active": result.trainers_active, "trainings": result.trainings,
                   "people": result.people, "person_days": result.person_days,
                   "certificates": result.certificates, "next_generation": result.next_generation,
                   "districts_flagged": len(result.flagged)},
        "trainers": [{
            "member_id": t.member_id, "name": t.name if personal else None, "district": t.district,
            "generation": t.generation, "trainings": t.trainings, "people": t.reached, "person_days": t.person_days,
            "certificates": t.certificates, "by_district": dict(sorted(t.by_district.items())),
            "by_gender": dict(sorted(t.by_gender.items())),
            "by_stakeholder_type": dict(sorted(t.by_stakeholder.items())), "next_generation": t.next_generation,
        } for t in result.trainers],
        "districts": [{"district": d["code"], "pool_active": d["pool_active"], "trainers_active": d["trainers_active"],
                       "trainings": d["trainings"], "people": d["people"], "flagged": d["flagged"]}
                      for d in result.districts],
        "months": result.months,  # type: ignore[typeddict-item]
        "generations": result.generations,  # type: ignore[typeddict-item]
    }


class CascadeApiController(ApiV1Controller):
    """The cascade of master trainers, read-only."""

    @get("/cascade", name="api.cascade", responses=ERROR_RESPONSES)
    async def cascade_report(
        self, request: Request, settings: NamedDependency[Settings],
        date_from: Annotated[dt.date | None, QueryParameter(description="Step-down trainings starting on or after "
                                                            "this date (default: 1 January of this year).")] = None,
        date_to: Annotated[dt.date | None, QueryParameter(description="Step-down trainings starting on or before "
                                                          "this date (default: today).")] = None,
    ) -> CascadeReport:
        """Per master trainer: step-down trainings, people reached (once each), person-days, groups, certificates
        and the next generation; totals, districts (flagged without a training), months and generations."""
        unknown = sorted(set(request.query_params) - {"date_from", "date_to"})
        if unknown:
            raise ClientException(f"unknown filter {unknown[0]!r}; the cascade filters by date_from, date_to")
        today = clock.today(settings.tz)
        start, end = date_from or today.replace(month=1, day=1), date_to or today
        result = await cascade.cascade(start, end)
        return as_json(result, bool(request.state.api_key["personal_data"]))
