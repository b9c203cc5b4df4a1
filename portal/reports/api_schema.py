"""What the JSON API promises: the shapes of its pages and errors, as the OpenAPI schema publishes them.

The handlers return plain dicts of these shapes (TypedDicts are dicts at run time), and
tests/reports/test_api_schema.py holds real answers against the published schema.
"""

# No `from __future__ import annotations` here: TypedDict must see NotRequired[...] itself, not as a string.
import datetime as dt
from typing import Any, NotRequired, TypedDict

from litestar.openapi.datastructures import ResponseSpec

# A participant is their id for keys allowed personal data, otherwise a keyed pseudonym ("P-7F3A9C2B1D4E").
PersonRef = int | str


class ApiError(TypedDict):
    """Every refusal: the HTTP status and a message that says what to change."""

    status_code: int
    detail: str
    extra: NotRequired[list[dict[str, Any]]]


class EventOut(TypedDict):
    id: int
    kind: str
    title: str
    description: str
    district: str
    venue: str
    start_date: dt.date
    end_date: dt.date
    capacity: int | None
    status: str
    course: int | None
    updated_at: dt.datetime


class SessionOut(TypedDict):
    id: int
    event: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class ParticipantOut(TypedDict):
    id: PersonRef
    # Only for keys allowed personal data.
    name: NotRequired[str]
    name_bn: NotRequired[str]
    phone: NotRequired[str | None]
    email: NotRequired[str | None]
    gender: str
    stakeholder_type: str
    organisation: str
    designation: str
    district: str
    updated_at: dt.datetime


class RegistrationOut(TypedDict):
    id: int
    event: int
    participant: PersonRef
    role: str
    status: str
    created_at: dt.datetime


class CheckInOut(TypedDict):
    id: int
    registration: int
    session: int
    event: int
    participant: PersonRef
    at: dt.datetime
    method: str


class CertificateOut(TypedDict):
    id: int
    serial: str
    kind: str
    registration: int
    event: int
    participant: PersonRef
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


class AttemptOut(TypedDict):
    """A submitted attempt at an event's pre- or post-test; percent is score / max_score x 100."""

    id: int
    event: int
    stage: str
    test: int
    registration: int
    participant: PersonRef
    number: int
    via: str
    started_at: dt.datetime
    submitted_at: dt.datetime
    late: bool
    score: int
    max_score: int
    percent: float | None


class FeedbackOut(TypedDict):
    """A feedback response; ratings 1 (very poor) to 5 (very good), None when skipped."""

    id: int
    event: int
    session: int | None
    form: int
    anonymous: bool
    participant: PersonRef | None  # None for anonymous forms
    content: int | None
    facilitators: int | None
    logistics: int | None
    overall: int | None
    submitted_at: dt.datetime  # the day only (midnight UTC) for anonymous forms
    # The free text, only for keys allowed personal data (people write names in it).
    useful: NotRequired[str]
    improve: NotRequired[str]


class GainOut(TypedDict):
    """Pre/post figures: scores in percent, gain in percentage points, for people who took both (paired)."""

    pre_takers: int
    post_takers: int
    paired: int
    average_pre: float | None
    average_post: float | None
    average_gain: float | None
    increased: int
    share_increased: float | None


class GroupGainOut(GainOut):
    group: str  # a district code, gender or stakeholder type ("" when not stated)


class FeedbackSummaryOut(TypedDict):
    """Responses and the average of each rating (1-5)."""

    responses: int
    content: float | None
    facilitators: float | None
    logistics: float | None
    overall: float | None


class EventEvaluationOut(TypedDict):
    event: int
    title: str
    kind: str
    district: str
    start_date: dt.date
    knowledge: GainOut
    feedback: FeedbackSummaryOut


class EvaluationSummary(TypedDict):
    """Tests and feedback of the events held that started in the period, overall, per event and by group."""

    date_from: dt.date
    date_to: dt.date
    totals: GainOut
    feedback: FeedbackSummaryOut
    events: list[EventEvaluationOut]
    by_district: list[GroupGainOut]
    by_gender: list[GroupGainOut]
    by_stakeholder_type: list[GroupGainOut]


class AttemptsPage(TypedDict):
    data: list[AttemptOut]
    next_cursor: str | None


class FeedbackPage(TypedDict):
    data: list[FeedbackOut]
    next_cursor: str | None


class EventsPage(TypedDict):
    data: list[EventOut]
    next_cursor: str | None


class SessionsPage(TypedDict):
    data: list[SessionOut]
    next_cursor: str | None


class ParticipantsPage(TypedDict):
    data: list[ParticipantOut]
    next_cursor: str | None


class RegistrationsPage(TypedDict):
    data: list[RegistrationOut]
    next_cursor: str | None


class CheckInsPage(TypedDict):
    data: list[CheckInOut]
    next_cursor: str | None


class CertificatesPage(TypedDict):
    data: list[CertificateOut]
    next_cursor: str | None


ERROR_RESPONSES = {
    400: ResponseSpec(data_container=ApiError, description="A filter, limit or cursor the API cannot use",
                      generate_examples=False),
    401: ResponseSpec(data_container=ApiError, description="No live API key in Authorization: Bearer KEY",
                      generate_examples=False),
}
