"""The JSON API against its own OpenAPI schema, with Schemathesis: requests generated from the schema
(valid ones and invalid ones) get no 5xx, and every answer (data, 400 and 401 alike) is what the
schema says, with a key that may read personal data and without a key.

Schemathesis draws the requests; they are sent through the test's own client (the app in-process,
in this test's event loop, where the PostgreSQL pool lives) and Schemathesis checks the answers.
A failure prints the check that failed and a curl command that repeats the request.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.auth.services import Actor
from portal.events.tables import Participant
from portal.reports import api, api_keys

pytestmark = pytest.mark.anyio

# Requests drawn per operation and mode: 6 operations x (25 valid + 25 invalid) with a key, then 6 x 5
# without one, about 5 s in all on either database. PORTAL_API_FUZZ_EXAMPLES=500 searches harder by hand.
EXAMPLES = int(os.environ.get("PORTAL_API_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, positive_data_acceptance, negative_data_rejection]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


async def load_schema(client: httpx.AsyncClient) -> Any:
    """The schema as the app serves it."""
    response = await client.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    # The key (or its absence) is the test's to choose: Schemathesis must not generate or drop the header.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    return schemathesis.openapi.from_dict(response.json(), config=config)


def draw_cases(operation: Any, mode: schemathesis.GenerationMode, examples: int) -> list[Any]:
    """Requests Schemathesis generates for `operation`, drawn up front so that they can be sent from async code."""
    cases: list[Any] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    if mode == schemathesis.GenerationMode.POSITIVE:
        # A cursor is opaque: any string fits the schema, but only one the API gave out is valid. Valid
        # requests carry such a cursor; invalid ones keep the made-up cursor (a 400 is right for those).
        for case in cases:
            if isinstance(case.query, dict) and "cursor" in case.query:
                case.query["cursor"] = api.encode_cursor(len(str(case.query["cursor"])))
    return cases


async def send(client: httpx.AsyncClient, case: Any, headers: dict[str, str]) -> tuple[httpx.Response, dict]:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    sent_headers = {**kwargs.get("headers", {}), **headers}
    response = await client.request(kwargs["method"], kwargs["url"], params=kwargs.get("params"),
                                    headers=sent_headers)
    return response, sent_headers


async def run_operations(client: httpx.AsyncClient, headers: dict[str, str], modes: list, examples: int,
                         checks: list) -> int:
    """Send every drawn request and collect every failure (all operations run before the test fails)."""
    schema = await load_schema(client)
    failures, sent = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            for case in draw_cases(operation, mode, examples):
                response, sent_headers = await send(client, case, headers)
                sent += 1
                try:
                    case.validate_response(response, checks=checks, headers=sent_headers)
                except FailureGroup as exc:
                    failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    assert not failures, f"{len(failures)} of {sent} requests failed:\n\n" + "\n\n".join(failures[:5])
    return sent


@pytest.fixture
async def api_world(attendance_world, create_certificate) -> dict:
    """The attendance world, plus what the schema must also describe: a revoked certificate and a person
    with neither phone nor email."""
    await create_certificate(attendance_world["registrations"][1], revoked_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    await Participant.update({Participant.email: None, Participant.phone: None}).where(
        Participant.id == attendance_world["people"][2])
    await evaluation_world()
    return attendance_world


async def evaluation_world() -> None:
    """Tests and feedback the schema must describe: attempts (one late), named and anonymous feedback."""
    from portal.evaluation import feedback
    from portal.evaluation.tables import Attempt, FeedbackForm
    from tests.evaluation.worlds import make_world, take
    from tests.factories import make_registration

    world = await make_world()
    people = []
    for n in range(3):  # no phone: the attendance world's people hold the factory's numbers
        person = Participant(name=f"Tested {n}", district="khulna")
        await person.save()
        people.append(await make_registration(world.event_id, participant_id=person.id))
    await take(world, people[0], "pre", [True, False, True, False])
    await take(world, people[0], "post", [True] * 4)
    await take(world, people[1], "post", [False] * 4)
    await Attempt.update({Attempt.late: True}).where(Attempt.registration == people[1])
    for anonymous in (True, False):
        form = FeedbackForm(event=world.event_id, anonymous=anonymous, state="open")
        await form.save()
        await feedback.submit(form.id, people[0], {"content": "5", "useful": "Case studies"})
        await feedback.submit(form.id, people[2], {"overall": "3"})


async def test_answers_with_a_personal_data_key_match_the_schema(client, api_world):
    _, key = await api_keys.create_key({"name": "MIS", "personal_data": True}, Actor.system("tests"))
    sent = await run_operations(client, {"Authorization": f"Bearer {key}"}, MODES, EXAMPLES, CHECKS)
    assert sent >= 9 * 2 * 10


async def test_answers_with_a_pseudonymous_key_match_the_schema(client, api_world):
    _, key = await api_keys.create_key({"name": "Dashboard", "personal_data": False}, Actor.system("tests"))
    sent = await run_operations(client, {"Authorization": f"Bearer {key}"}, MODES[:1], 5, CHECKS)
    # 9 operations x 5 drawn requests; a schema that lost its operations (or a draw that came back empty)
    # would otherwise pass with nothing checked.
    assert sent >= 9 * 3


@pytest.mark.parametrize("authorization", [None, "Bearer pk_not-a-key"])
async def test_without_a_live_key_every_request_is_a_json_401_the_schema_describes(client, api_world,
                                                                                   authorization):
    headers = {"Authorization": authorization} if authorization else {}
    schema = await load_schema(client)
    for result in schema.get_all_operations():
        for case in draw_cases(result.ok(), schemathesis.GenerationMode.POSITIVE, 5):
            response, sent_headers = await send(client, case, headers)
            assert response.status_code == 401, response.text
            assert response.json()["detail"].startswith("A valid API key is required")
            try:
                case.validate_response(response, checks=CHECKS[:5], headers=sent_headers)
            except FailureGroup as exc:
                pytest.fail(str(exc))


BAD_QUERIES = [
    ("events?cursor=not-a-cursor", "cursor"),
    ("events?cursor=djE6OTk5OTk5OTk5OTk", "cursor"),  # "v1:99999999999": past the largest id PostgreSQL holds
    ("events?limit=-1", "limit"),
    ("events?limit=0", "limit"),
    ("events?limit=abc", "limit"),
    ("events?limit=1e2", "limit"),  # Litestar alone would read these as numbers
    ("registrations?event=1.0", "event"),
    ("events?start_from=2026-02-30", "start_from"),
    ("events?start_to=yesterday", "start_to"),
    ("events?course=99999999999", "course"),
    ("events?district=", "district"),
    ("check-ins?since=-60", "since"),  # not a Unix timestamp
    ("check-ins?since=2026-11-23T10:00:00", "since"),  # no offset
    ("check-ins?session=2147483648", "session"),
]


async def test_bad_parameters_are_a_json_400_that_names_them(client):
    _, key = await api_keys.create_key({"name": "MIS", "personal_data": True}, Actor.system("tests"))
    for query, named in BAD_QUERIES:
        response = await client.get(f"/api/v1/{query}", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 400, query
        assert response.headers["content-type"].startswith("application/json"), query
        assert response.json()["detail"].startswith(f"The request could not be understood: {named}: "), query


async def test_times_at_the_ends_of_the_calendar_are_answered(client, api_world):
    """0001-01-01T00:00:00+23:59 is a valid RFC 3339 time before year 1 in UTC: once a 500 (found by the fuzz)."""
    _, key = await api_keys.create_key({"name": "MIS", "personal_data": True}, Actor.system("tests"))
    headers = {"Authorization": f"Bearer {key}"}
    for query, rows in (("since=0001-01-01T00:00:00%2B23:59", 5), ("since=9999-12-31T23:59:59-23:59", 0),
                        ("since=0001-01-01T00:00:00Z", 5), ("since=9999-12-31T23:59:59.999999Z", 0)):
        response = await client.get(f"/api/v1/check-ins?{query}", headers=headers)
        assert response.status_code == 200, query
        assert len(response.json()["data"]) == rows, query
