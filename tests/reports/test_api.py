"""The JSON API: key authentication, filters, cursor pagination and the personal-data permission."""

from __future__ import annotations

import pytest

from portal.auth.services import Actor
from portal.events.tables import CheckIn, Participant
from portal.exports import pseudonymise
from portal.reports import api_keys
from portal.reports.tables import ApiKey

pytestmark = pytest.mark.anyio
SECRET = "test-secret-key" * 3
COLLECTIONS = ["events", "sessions", "participants", "registrations", "check-ins", "certificates"]


@pytest.fixture
def create_key(db):
    async def make(personal_data: bool = False) -> str:
        _, key = await api_keys.create_key({"name": "MIS", "personal_data": personal_data}, Actor.system("tests"))
        return key

    return make


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_every_collection_answers_a_valid_key(client, create_key, attendance_world, collection):
    response = await client.get(f"/api/v1/{collection}", headers=bearer(await create_key()))
    assert response.status_code == 200
    assert response.json()["data"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer pk_not-a-key", "Basic dXNlcjpwYXNz"])
async def test_missing_or_invalid_key_is_a_json_401(client, header):
    response = await client.get("/api/v1/events", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_key_is_refused(client, create_key):
    key = await create_key()
    await api_keys.revoke_key((await ApiKey.select(ApiKey.id).first())["id"], Actor.system("tests"))
    assert (await client.get("/api/v1/events", headers=bearer(key))).status_code == 401


async def test_key_is_stored_as_its_sha256_only(create_key):
    key = await create_key()
    row = await ApiKey.select().first()
    assert row["key_hash"] == api_keys.digest(key) and key not in str(row)


async def test_api_sets_no_cookies(client, create_key):
    response = await client.get("/api/v1/events", headers=bearer(await create_key()))
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("query", [
    "district=atlantis", "kind=party", "start_from=yesterday", "event=abc", "since=2026-01-01T10:00:00",
    "limit=0", "limit=501", "cursor=bm90LW91cnM", "cursor=%%%", "colour=blue",
])
async def test_bad_filters_are_a_json_400(client, create_key, query):
    response = await client.get(f"/api/v1/check-ins?{query}" if "since" in query or "event" in query
                                else f"/api/v1/events?{query}", headers=bearer(await create_key()))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")


async def test_event_filter_selects_its_check_ins(client, create_key, attendance_world):
    response = await client.get(f"/api/v1/check-ins?event={attendance_world['dhaka']}",
                                headers=bearer(await create_key()))
    assert len(response.json()["data"]) == await CheckIn.count().where(
        CheckIn.registration.event == attendance_world["dhaka"])


async def test_events_filter_by_district_and_kind(client, create_key, attendance_world):
    response = await client.get("/api/v1/events?district=sylhet&kind=tot", headers=bearer(await create_key()))
    assert [e["title"] for e in response.json()["data"]] == ["Sylhet ToT"]


async def test_since_filter_uses_the_time_with_its_offset(client, create_key, attendance_world):
    response = await client.get("/api/v1/check-ins?since=2027-01-01T00:00:00%2B06:00",
                                headers=bearer(await create_key()))
    assert len(response.json()["data"]) == 1


@pytest.mark.parametrize("limit", [1, 2, 3, 500])
async def test_walking_the_pages_gives_every_row_once(client, create_key, attendance_world, limit):
    key = await create_key()
    seen, cursor = [], None
    for _ in range(20):
        url = f"/api/v1/check-ins?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=bearer(key))).json()
        assert len(page["data"]) <= limit
        seen += [row["id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    all_ids = [r["id"] for r in await CheckIn.select(CheckIn.id).order_by(CheckIn.id)]
    assert seen == all_ids


async def test_without_permission_participants_are_pseudonyms(client, create_key, attendance_world):
    response = await client.get("/api/v1/participants", headers=bearer(await create_key()))
    first = response.json()["data"][0]
    assert first["id"] == pseudonymise(attendance_world["people"][0], SECRET)
    assert not {"name", "name_bn", "phone", "email"} & first.keys()


async def test_without_permission_references_to_people_are_pseudonyms(client, create_key, attendance_world):
    response = await client.get("/api/v1/registrations", headers=bearer(await create_key()))
    assert response.json()["data"][0]["participant"] == pseudonymise(attendance_world["people"][0], SECRET)


async def test_with_permission_participants_carry_names_and_phones(client, create_key, attendance_world):
    response = await client.get("/api/v1/participants", headers=bearer(await create_key(personal_data=True)))
    first = response.json()["data"][0]
    person = await Participant.select().where(Participant.id == attendance_world["people"][0]).first()
    assert (first["id"], first["name_bn"], first["phone"]) == (person["id"], "রহিমা বেগম", person["phone"])


async def test_registrations_never_show_the_ticket_token(client, create_key, attendance_world):
    response = await client.get("/api/v1/registrations", headers=bearer(await create_key(personal_data=True)))
    assert "ticket_token" not in response.json()["data"][0]


async def test_schema_lists_only_the_api(client):
    schema = (await client.get("/api/v1/schema/openapi.json")).json()
    evaluation = ["test-attempts", "feedback-responses", "evaluation-summary"]  # tests/reports/test_evaluation_api.py
    evaluation.append("cascade")  # tests/reports/test_cascade.py
    assert sorted(schema["paths"]) == sorted(f"/api/v1/{c}" for c in COLLECTIONS + evaluation)


async def test_docs_page_lists_the_endpoints(client):
    response = await client.get("/api/v1/docs")
    assert response.status_code == 200 and "GET /api/v1/check-ins" in response.text


async def test_admin_creates_a_key_and_sees_it_once(client, login, create_user):
    await login(client, await create_user("admin"))
    response = await client.post("/manage/api-keys", data={"name": "District MIS"})
    assert response.status_code == 201
    key = response.text.split("<code>pk_", 1)[1].split("</code>", 1)[0]
    assert (await client.get("/api/v1/events", headers=bearer("pk_" + key))).status_code == 200
    assert ("pk_" + key) not in (await client.get("/manage/api-keys")).text


async def test_key_needs_a_name(client, login, create_user):
    await login(client, await create_user("admin"))
    response = await client.post("/manage/api-keys", data={"name": "  "})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text


async def test_admin_revokes_a_key(client, login, create_user, create_key):
    key = await create_key()
    await login(client, await create_user("admin"))
    key_id = (await ApiKey.select(ApiKey.id).first())["id"]
    response = await client.post(f"/manage/api-keys/{key_id}/revoke")
    assert response.status_code == 303
    assert (await client.get("/api/v1/events", headers=bearer(key))).status_code == 401
