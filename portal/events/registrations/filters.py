"""The one filter of an event's registrations: the registrations page lists by it, and a bulk send from the
event's messages page goes to it (the same query parameters on both pages, so "send to these people" keeps
the list's choice). Every value is checked against its vocabulary; an unknown one is ignored, never an error."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from portal.core.districts import BY_CODE
from portal.core.vocab import GENDERS, STAKEHOLDER_TYPES
from portal.events.participants import services as participants
from portal.events.tables import CheckIn, Registration

STATUSES = ("invited", "registered", "waitlisted", "cancelled")
CHECKED_IN = ("yes", "no")


@dataclass(frozen=True)
class RegistrationFilter:
    """Who of an event's registrations: the search text, status, checked in at any session or not, and the
    person's district, gender and stakeholder type."""

    q: str = ""
    status: str = ""
    checked_in: str = ""
    district: str = ""
    gender: str = ""
    stakeholder: str = ""

    @classmethod
    def from_query(cls, query: Any) -> RegistrationFilter:
        """The filter from query parameters (or a form); unknown values are dropped."""
        def pick(name: str, allowed: Any) -> str:
            value = str(query.get(name, "") or "").strip()
            return value if value in allowed else ""

        return cls(q=str(query.get("q", "") or "").strip()[:100], status=pick("status", STATUSES),
                   checked_in=pick("checked_in", CHECKED_IN), district=pick("district", BY_CODE),
                   gender=pick("gender", GENDERS), stakeholder=pick("stakeholder", STAKEHOLDER_TYPES))

    def params(self) -> dict[str, str]:
        """The non-empty values, as query parameters (for links and the pager)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    @property
    def narrowed(self) -> bool:
        """True when anything but the search text narrows the list."""
        return any(value for key, value in self.params().items() if key != "q")

    def apply(self, query: Any) -> Any:
        """`query` (on Registration) narrowed to the filter."""
        condition = participants.matches(Registration.participant, self.q)
        if condition is not None:
            query = query.where(condition)
        if self.status:
            query = query.where(Registration.status == self.status)
        if self.district:
            query = query.where(Registration.participant.district == self.district)
        if self.gender:
            query = query.where(Registration.participant.gender == self.gender)
        if self.stakeholder:
            query = query.where(Registration.participant.stakeholder_type == self.stakeholder)
        if self.checked_in:
            present = CheckIn.select(CheckIn.registration)
            query = query.where(Registration.id.is_in(present) if self.checked_in == "yes"
                                else Registration.id.not_in(present))
        return query
