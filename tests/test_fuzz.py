"""Property-based tests: any input to a form gives a value or a message per field, never a
crash; through HTTP, a page or a 4xx with a message, never a 500 and never a half-written record."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.auth.services import validate_user
from portal.core.errors import ValidationFailed
from portal.events.forms import parse_event, parse_participant, parse_session
from portal.events.tables import Event, Participant, Session

# Text people really type, plus the nasty kind: markup, template syntax, RTL marks, NULs, Bangla.
nasty = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "{{ 7*7 }}", "\u202eevil", "=cmd|'/c calc'!A1", "\x00",
                     "রহিমা বেগম", "2026-02-30", "-1", "1e9", " ", "x" * 5000, "01711-234567", "cumilla"]),
)
form_values = st.dictionaries(
    st.sampled_from(["kind", "title", "description", "district", "venue", "start_date", "end_date", "capacity",
                     "completion_percent", "walk_ins", "name", "name_bn", "gender", "organisation",
                     "stakeholder_type", "designation", "phone", "email", "date", "start", "end", "role",
                     "password"]),
    nasty,
)


@pytest.mark.parametrize("parse", [parse_event, parse_participant,
                                   lambda form: parse_session(form, __import__("datetime").date(2026, 1, 1),
                                                              __import__("datetime").date(2026, 1, 3)),
                                   lambda form: validate_user(form, password_required=True)])
@given(form=form_values)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parsers_return_values_or_field_messages(parse, form):
    try:
        parse(form)
    except ValidationFailed as exc:
        assert exc.errors and all(isinstance(message, str) and message for message in exc.errors.values())


@pytest.mark.anyio
@given(form=form_values)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_event_form_over_http_never_500s_or_half_saves(staff_client, form):
    before = (await Event.count(), await Session.count())
    response = await staff_client.post("/manage/events", data=form)
    after = (await Event.count(), await Session.count())
    assert response.status_code in {303, 422}, response.text[:300]
    if response.status_code == 422:
        assert after == before
    else:
        assert after[0] == before[0] + 1 and after[1] > before[1]


@pytest.mark.anyio
@given(form=form_values)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_participant_form_over_http_never_500s_or_half_saves(staff_client, form):
    before = await Participant.count()
    response = await staff_client.post("/manage/participants", data=form)
    after = await Participant.count()
    assert response.status_code in {303, 409, 422}, response.text[:300]
    assert after == before + (1 if response.status_code == 303 else 0)
