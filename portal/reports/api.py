"""The read-only JSON API's queries: filters, cursor pages, and participant data by key permission."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.certificates.tables import Certificate
from portal.core.districts import DISTRICTS
from portal.core.i18n import gettext as _
from portal.core.vocab import GENDERS, KINDS, STAKEHOLDER_TYPES, STATUSES
from portal.evaluation.scoring import percent
from portal.evaluation.tables import Attempt, FeedbackResponse
from portal.events.tables import CheckIn, Event, Participant, Registration, Session
from portal.exports import pseudonymise

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
DISTRICT_CODES = frozenset(d.code for d in DISTRICTS)


class BadRequest(ValueError):
    """A filter, limit or cursor the API cannot use (answered 400)."""


# Ids are PostgreSQL integers: a larger number must be a 400 here, not a database error.
MAX_ID = 2**31 - 1


def encode_cursor(last_id: int) -> str:
    """An opaque cursor that continues after `last_id`."""
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor continues after; BadRequest when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(_("cursor: not a cursor this API gave out")) from None
    version, _colon, number = text.partition(":")
    if version != "v1" or not number.isdigit() or len(number) > 10 or int(number) > MAX_ID:
        raise BadRequest(_("cursor: not a cursor this API gave out"))
    return int(number)


# The controller declares each filter's type (so the schema publishes it and Litestar parses it);
# these checks hold what a type cannot say, for any caller.
def _id(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise BadRequest(f"{name}: expected a record id from 1 to {MAX_ID}")
    return value


def _date(name: str, value: dt.date) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise BadRequest(f"{name}: expected a date like 2026-11-23")
    return value


def _datetime(name: str, value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise BadRequest(f"{name}: expected a date and time like 2026-11-23T10:00:00+06:00")
    if value.tzinfo is None:
        raise BadRequest(f"{name}: give a time zone offset, e.g. +06:00 or Z")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # The offset moves the instant past year 1 or 9999 (0001-01-01T00:00:00+23:59), which Python cannot
        # hold and the database driver would fail on. As a bound it means the earliest or latest time there is.
        return (dt.datetime.min if value.year == 1 else dt.datetime.max).replace(tzinfo=dt.UTC)


# A date and time as RFC 3339 has it (Litestar parses the rest; see _check_texts).
RFC3339_START = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _choice(allowed: Mapping[str, Any] | frozenset[str]) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        if value not in allowed:
            raise BadRequest(f"{name}: expected one of {', '.join(sorted(allowed))}")
        return value

    return check


REGISTRATION_STATUSES = frozenset({"invited", "registered", "waitlisted", "cancelled"})
CERTIFICATE_KINDS = frozenset({"participation", "completion", "master_trainer"})


@dataclass(frozen=True)
class Resource:
    """One collection of the API: its table, its filters (name -> parser, condition) and its row shape."""

    table: Any
    columns: Callable[[], list[Any]]
    filters: dict[str, tuple[Callable[[str, Any], Any], Callable[[Any], Any]]]
    shape: Callable[[dict[str, Any], Callable[[int], Any], bool], dict[str, Any]]
    base: Callable[[], list[Any]] = lambda: []  # conditions every page has (e.g. submitted attempts only)


def _ref(personal: bool, secret: str) -> Callable[[int], Any]:
    return (lambda pid: pid) if personal else (lambda pid: pseudonymise(pid, secret))


def _event(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    return row


def _session(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    return row


def _participant(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    out = {"id": ref(row["id"])}
    if personal:
        out.update(name=row["name"], name_bn=row["name_bn"], phone=row["phone"], email=row["email"])
    out.update({k: row[k] for k in ("gender", "stakeholder_type", "organisation", "designation", "district",
                                     "updated_at")})
    return out


def _with_participant(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    return {**row, "participant": ref(row["participant"])}


def _attempt(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    return {**row, "participant": ref(row["participant"]), "percent": percent(row["score"], row["max_score"])}


def _feedback(row: dict[str, Any], ref: Any, personal: bool) -> dict[str, Any]:
    """Anonymous responses carry no participant; free text (it may name people) only for personal-data keys."""
    out = {k: v for k, v in row.items() if k not in ("useful", "improve")}
    out["participant"] = None if row["participant"] is None else ref(row["participant"])
    if personal:
        out.update(useful=row["useful"], improve=row["improve"])
    return out


STAGES = frozenset({"pre", "post"})


RESOURCES: dict[str, Resource] = {
    "events": Resource(
        Event,
        lambda: [Event.id, Event.kind, Event.title, Event.description, Event.district, Event.venue, Event.start_date,
                 Event.end_date, Event.capacity, Event.status, Event.course, Event.updated_at],
        {
            "district": (_choice(DISTRICT_CODES), lambda v: Event.district == v),
            "kind": (_choice(KINDS), lambda v: Event.kind == v),
            "status": (_choice(STATUSES), lambda v: Event.status == v),
            "course": (_id, lambda v: Event.course == v),
            "start_from": (_date, lambda v: Event.start_date >= v),
            "start_to": (_date, lambda v: Event.start_date <= v),
        },
        _event,
    ),
    "sessions": Resource(
        Session,
        lambda: [Session.id, Session.event, Session.title, Session.starts_at, Session.ends_at],
        {
            "event": (_id, lambda v: Session.event == v),
            "starts_from": (_datetime, lambda v: Session.starts_at >= v),
            "starts_to": (_datetime, lambda v: Session.starts_at < v),
        },
        _session,
    ),
    "participants": Resource(
        Participant,
        lambda: [Participant.id, Participant.name, Participant.name_bn, Participant.phone, Participant.email,
                 Participant.gender, Participant.stakeholder_type, Participant.organisation,
                 Participant.designation, Participant.district, Participant.updated_at],
        {
            "district": (_choice(DISTRICT_CODES), lambda v: Participant.district == v),
            "gender": (_choice(GENDERS), lambda v: Participant.gender == v),
            "stakeholder_type": (_choice(STAKEHOLDER_TYPES), lambda v: Participant.stakeholder_type == v),
        },
        _participant,
    ),
    "registrations": Resource(
        Registration,
        lambda: [Registration.id, Registration.event, Registration.participant, Registration.role,
                 Registration.status, Registration.created_at],
        {
            "event": (_id, lambda v: Registration.event == v),
            "status": (_choice(REGISTRATION_STATUSES), lambda v: Registration.status == v),
        },
        _with_participant,
    ),
    "check-ins": Resource(
        CheckIn,
        lambda: [CheckIn.id, CheckIn.registration, CheckIn.session, CheckIn.registration.event.as_alias("event"),
                 CheckIn.registration.participant.as_alias("participant"), CheckIn.at, CheckIn.method],
        {
            "event": (_id, lambda v: CheckIn.registration.event == v),
            "session": (_id, lambda v: CheckIn.session == v),
            "since": (_datetime, lambda v: CheckIn.at >= v),
        },
        _with_participant,
    ),
    "certificates": Resource(
        Certificate,
        lambda: [Certificate.id, Certificate.serial, Certificate.kind, Certificate.registration,
                 Certificate.registration.event.as_alias("event"),
                 Certificate.registration.participant.as_alias("participant"), Certificate.issued_at,
                 Certificate.revoked_at],
        {
            "event": (_id, lambda v: Certificate.registration.event == v),
            "kind": (_choice(CERTIFICATE_KINDS), lambda v: Certificate.kind == v),
            "issued_since": (_datetime, lambda v: Certificate.issued_at >= v),
        },
        _with_participant,
    ),
    "test-attempts": Resource(
        Attempt,
        lambda: [Attempt.id, Attempt.event_quiz.event.as_alias("event"), Attempt.event_quiz.stage.as_alias("stage"),
                 Attempt.event_quiz.quiz.as_alias("test"), Attempt.registration,
                 Attempt.registration.participant.as_alias("participant"), Attempt.number, Attempt.via,
                 Attempt.started_at, Attempt.submitted_at, Attempt.late, Attempt.score, Attempt.max_score],
        {
            "event": (_id, lambda v: Attempt.event_quiz.event == v),
            "stage": (_choice(STAGES), lambda v: Attempt.event_quiz.stage == v),
            "submitted_since": (_datetime, lambda v: Attempt.submitted_at >= v),
        },
        _attempt,
        lambda: [Attempt.submitted_at.is_not_null()],
    ),
    "feedback-responses": Resource(
        FeedbackResponse,
        lambda: [FeedbackResponse.id, FeedbackResponse.form.event.as_alias("event"),
                 FeedbackResponse.form.session.as_alias("session"), FeedbackResponse.form,
                 FeedbackResponse.form.anonymous.as_alias("anonymous"),
                 FeedbackResponse.registration.participant.as_alias("participant"), FeedbackResponse.content,
                 FeedbackResponse.facilitators, FeedbackResponse.logistics, FeedbackResponse.overall,
                 FeedbackResponse.useful, FeedbackResponse.improve, FeedbackResponse.submitted_at],
        {"event": (_id, lambda v: FeedbackResponse.form.event == v)},
        _feedback,
    ),
}
PAGING = {"limit", "cursor"}


async def list_page(name: str, filters: Mapping[str, Any], *, given: Mapping[str, str] | None = None,
                    limit: int | None = None, cursor: str | None = None, personal: bool, secret: str) -> dict[str, Any]:
    """One page of a collection: {"data": [...], "next_cursor": str | None}. BadRequest for bad input.

    `filters` holds the parsed values of the filters given (None for those left out); `given` is the query
    as sent, so that a misspelt filter is refused rather than silently ignored.
    """
    resource = RESOURCES[name]
    given = given or {}
    unknown = sorted(set(given) - set(resource.filters) - PAGING)
    if unknown:
        raise BadRequest(f"unknown filter {unknown[0]!r}; this collection filters by "
                         f"{', '.join(sorted(resource.filters)) or 'nothing'}")
    _check_texts(resource, given)
    limit = DEFAULT_LIMIT if limit is None else limit
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit: expected a number from 1 to {MAX_LIMIT}")
    after = decode_cursor(cursor) if cursor else 0
    conds = [condition_for(resource, key, value) for key, value in sorted(filters.items()) if value is not None]
    rows = await resource.table.select(*resource.columns()).where(
        resource.table.id > after, *resource.base(), *conds).order_by(resource.table.id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    ref = _ref(personal, secret)
    return {
        "data": [resource.shape(row, ref, personal) for row in rows],
        "next_cursor": encode_cursor(rows[-1]["id"]) if more else None,
    }


def _check_texts(resource: Resource, given: Mapping[str, str]) -> None:
    """Litestar parses leniently: "1.0" or "1e2" as an integer, "-60" as a Unix time. Take what the schema
    documents only: whole numbers in digits, and RFC 3339 text for dates and times."""
    for key, raw in given.items():
        check = resource.filters[key][0] if key in resource.filters else (_id if key == "limit" else None)
        if check is _id and not (raw.isdigit() and raw.isascii()):
            raise BadRequest(f"{key}: expected a whole number in digits")
        if check is _datetime and not RFC3339_START.match(raw):
            raise BadRequest(f"{key}: expected a date and time like 2026-11-23T10:00:00+06:00")


def condition_for(resource: Resource, key: str, value: Any) -> Any:
    """The where-clause of one filter value."""
    if key not in resource.filters:
        raise BadRequest(f"unknown filter {key!r}")
    check, condition = resource.filters[key]
    return condition(check(key, value))
