"""Who has earned a certificate: attendance against the event's completion rule, and overrides.

Rules, in order: a cancelled registration is never eligible; an override (with a reason) decides
next; staff roles (facilitator, trainer, guest) are not certified unless overridden; an event
without sessions certifies nobody; otherwise a participant needs ceil(sessions x percent / 100)
sessions, and at least one; and when the event's post-test has a pass mark (set on the event's
tests page, portal.evaluation), a post-test score at or above it as well (the best attempt counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from portal.auth.services import CurrentUser
from portal.certificates.tables import Certificate, EligibilityOverride
from portal.core import audit
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import Labels
from portal.db import fetch_tuples, write_transaction
from portal.evaluation.results import post_test_rule
from portal.events.tables import CheckIn, Event, Registration, Session

STAFF_ROLES = ("facilitator", "trainer", "guest")
REASONS = Labels({
    "attended": N_("Attended enough sessions"),
    "passed": N_("Attended enough sessions and passed the post-test"),
    "too_few_sessions": N_("Missed too many sessions"),
    "no_post_test": N_("Has not taken the post-test"),
    "below_pass_mark": N_("Post-test score below the pass mark"),
    "cancelled": N_("Registration cancelled"),
    "staff_role": N_("Staff and guests are not certified"),
    "no_sessions": N_("The event has no sessions"),
    "override_yes": N_("Marked eligible"),
    "override_no": N_("Marked not eligible"),
})


@dataclass  # not frozen: a frozen dataclass of 17 fields took 3-5 times as long to build (1,000 a page)
class Standing:
    """One registration against the rule (read it, do not change it)."""

    registration_id: int
    participant_id: int
    name: str
    name_bn: str
    district: str
    role: str
    status: str
    attended: int
    required: int
    total: int
    missed: tuple[str, ...]
    eligible: bool
    reason: str
    override: dict[str, Any] | None = None
    certificate: dict[str, Any] | None = field(default=None)
    pass_mark: int | None = None  # the post-test score (percent) the rule needs; None: attendance only
    post_test: float | None = None  # the best post-test score in percent

    @property
    def reason_text(self) -> str:
        """The reason for people."""
        return REASONS[self.reason]


def certificate_kind(event: dict[str, Any]) -> str:
    """A ToT makes master trainers; a step-down training gives participation; another event teaching a
    course gives completion; others participation."""
    if event["kind"] == "tot":
        return "master_trainer"
    if event["kind"] == "step_down":
        return "participation"
    return "completion" if event.get("course") else "participation"


def required_sessions(total: int, percent: int) -> int:
    """Sessions needed out of `total` for `percent` (rounded up, at least one)."""
    if total == 0:
        return 0
    return max(1, math.ceil(total * max(0, min(percent, 100)) / 100))


def decide(*, status: str, role: str, attended: int, total: int, percent: int,
           override: bool | None, pass_mark: int | None = None, post_test: float | None = None) -> tuple[bool, str]:
    """The rule itself, on plain values: (eligible, reason code)."""
    if status == "cancelled":
        return False, "cancelled"
    if override is not None:
        return override, "override_yes" if override else "override_no"
    if role in STAFF_ROLES:
        return False, "staff_role"
    if total == 0:
        return False, "no_sessions"
    if attended < required_sessions(total, percent):
        return False, "too_few_sessions"
    if pass_mark is None:
        return True, "attended"
    if post_test is None:
        return False, "no_post_test"
    return (True, "passed") if post_test >= pass_mark else (False, "below_pass_mark")


async def load_event(user: CurrentUser | None, event_id: int) -> dict[str, Any]:
    """The event, if this user may see it (None: the system)."""
    row = await Event.select().where(Event.id == event_id).first()
    if row is None or (user is not None and not user.sees_district(row["district"])):
        raise NotFound(_("No such event."))
    return row


async def event_standings(event: dict[str, Any]) -> list[Standing]:
    """Every registration of the event with its standing, by name.

    The event's rows are read by joining on the event (an `IN` list of a thousand ids cost Piccolo about 3 ms
    a query to build) and the two long reads as plain tuples (`fetch_tuples`): the certificates page of an
    event of 1,000 people reads every standing for its counts and search."""
    event_id = event["id"]
    sessions = await Session.select(Session.id, Session.title).where(Session.event == event_id).order_by(
        Session.starts_at).order_by(Session.id)
    registrations = await fetch_tuples(Registration.select(
        Registration.id, Registration.role, Registration.status, Registration.participant.id,
        Registration.participant.name, Registration.participant.name_bn, Registration.participant.district,
    ).where(Registration.event == event_id))
    present: dict[int, set[int]] = {}
    overrides: dict[int, dict[str, Any]] = {}
    certificates: dict[int, dict[str, Any]] = {}
    if registrations:
        for registration, session in await fetch_tuples(CheckIn.select(CheckIn.registration, CheckIn.session).where(
                CheckIn.registration.event == event_id)):
            present.setdefault(registration, set()).add(session)
        for row in await EligibilityOverride.select(
            *EligibilityOverride.all_columns(), EligibilityOverride.decided_by.name.as_alias("decided_by_name")
        ).where(EligibilityOverride.registration.event == event_id):
            overrides[row["registration"]] = row
        kind = certificate_kind(event)
        for row in await Certificate.select().where(
            (Certificate.registration.event == event_id) & (Certificate.kind == kind)
        ):
            certificates[row["registration"]] = row
    total = len(sessions)
    required = required_sessions(total, event["completion_percent"])
    pass_mark, post_scores = await post_test_rule(event_id)
    standings = []
    for registration_id, role, status, participant_id, name, name_bn, district in registrations:
        seen = present.get(registration_id, set())
        override = overrides.get(registration_id)
        eligible, reason = decide(
            status=status, role=role, attended=len(seen), total=total,
            percent=event["completion_percent"], override=override["eligible"] if override else None,
            pass_mark=pass_mark, post_test=post_scores.get(registration_id),
        )
        standings.append(Standing(
            registration_id=registration_id, participant_id=participant_id, name=name, name_bn=name_bn,
            district=district, role=role, status=status, attended=len(seen), required=required,
            total=total, missed=tuple(s["title"] for s in sessions if s["id"] not in seen), eligible=eligible,
            reason=reason, override=override, certificate=certificates.get(registration_id), pass_mark=pass_mark,
            post_test=post_scores.get(registration_id),
        ))
    return sorted(standings, key=lambda s: (s.name.casefold(), s.registration_id))


async def standing(event: dict[str, Any], registration_id: int) -> Standing:
    """One registration's standing (NotFound when it is not of this event)."""
    for item in await event_standings(event):
        if item.registration_id == registration_id:
            return item
    raise NotFound(_("No such registration in this event."))


async def set_override(user: CurrentUser, event_id: int, registration_id: int, choice: str, reason: str,
                       ip: str = "") -> None:
    """Mark a registration eligible or not eligible with a reason, or clear the override ("rule")."""
    await load_event(user, event_id)
    if not await Registration.exists().where((Registration.id == registration_id) & (Registration.event == event_id)):
        raise NotFound(_("No such registration in this event."))
    reason = reason.strip()
    errors = {}
    if choice not in {"yes", "no", "rule"}:
        errors["choice"] = _("Choose eligible, not eligible, or follow the rule.")
    if choice != "rule" and not reason:
        errors["reason"] = _("Say why (it is kept in the audit log).")
    elif len(reason) > 500:
        errors["reason"] = _("Keep the reason under 500 characters.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction(EligibilityOverride._meta.db):
        before = await EligibilityOverride.select(EligibilityOverride.eligible, EligibilityOverride.reason).where(
            EligibilityOverride.registration == registration_id).first()
        await EligibilityOverride.delete().where(EligibilityOverride.registration == registration_id)
        after = None
        if choice != "rule":
            after = {"eligible": choice == "yes", "reason": reason}
            await EligibilityOverride.insert(EligibilityOverride(
                registration=registration_id, eligible=choice == "yes", reason=reason, decided_by=user.id))
        await audit.record(user.actor(ip), "certificate.override", "registration", registration_id,
                           before=before, after=after, note=reason)
