"""Tests and feedback in the JSON API and the period summary: figures, pseudonyms, anonymous feedback."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from portal.auth.services import Actor
from portal.evaluation import feedback
from portal.evaluation.tables import FeedbackForm
from portal.events.tables import Participant, Registration
from portal.exports import pseudonymise
from portal.reports import api_keys
from tests.evaluation.worlds import make_world, take
from tests.factories import make_registration

pytestmark = pytest.mark.anyio
SECRET = "test-secret-key" * 3
R, W = True, False


async def _person(registration_id: int, **values) -> int:
    row = await Registration.select(Registration.participant).where(Registration.id == registration_id).first()
    await Participant.update(values).where(Participant.id == row["participant"])
    return row["participant"]


@pytest.fixture
async def learned(db):
    """One Khulna event: A 20% -> 100% (woman, Khulna, CSO), B 60% -> 40% (man, Dhaka, government);
    anonymous feedback from both, named feedback from A."""
    world = await make_world()
    a, b = await make_registration(world.event_id), await make_registration(world.event_id)
    await take(world, a, "pre", [R, W, W, W])
    await take(world, a, "post", [R, R, R, R])
    await take(world, b, "pre", [R, R, W, W])
    await take(world, b, "post", [W, R, W, W])
    people = {"a": await _person(a, gender="female", district="khulna", stakeholder_type="cso"),
              "b": await _person(b, gender="male", district="dhaka", stakeholder_type="government")}
    anonymous = FeedbackForm(event=world.event_id, anonymous=True, state="open")
    named = FeedbackForm(event=world.event_id, anonymous=False, state="open")
    await anonymous.save()
    await named.save()
    await feedback.submit(anonymous.id, a, {"content": "5", "overall": "4", "useful": "Role plays"})
    await feedback.submit(anonymous.id, b, {"content": "3", "overall": "2"})
    await feedback.submit(named.id, a, {"overall": "5", "improve": "Longer breaks"})
    return {"world": world, "people": people, "registrations": {"a": a, "b": b}}


async def _key(personal: bool) -> dict[str, str]:
    _, key = await api_keys.create_key({"name": "MIS", "personal_data": personal}, Actor.system("tests"))
    return {"Authorization": f"Bearer {key}"}


async def test_summary_figures_by_event_and_group(client, learned):
    response = await client.get("/api/v1/evaluation-summary?date_from=2026-01-01&date_to=2026-12-31",
                                headers=await _key(False))
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {"pre_takers": 2, "post_takers": 2, "paired": 2, "average_pre": 40.0,
                              "average_post": 70.0, "average_gain": 30.0, "increased": 1, "share_increased": 50.0}
    [event] = body["events"]
    assert event["event"] == learned["world"].event_id and event["knowledge"]["average_gain"] == 30.0
    # Three responses: content 5 and 3; overall 4, 2 and 5.
    assert event["feedback"] == {"responses": 3, "content": 4.0, "facilitators": None, "logistics": None,
                                 "overall": pytest.approx(11 / 3)}
    by_gender = {g["group"]: g for g in body["by_gender"]}
    assert by_gender["female"]["average_gain"] == 80.0 and by_gender["male"]["average_gain"] == -20.0
    assert {g["group"] for g in body["by_district"]} == {"khulna", "dhaka"}
    assert {g["group"]: g["increased"] for g in body["by_stakeholder_type"]} == {"cso": 1, "government": 0}
    outside = await client.get("/api/v1/evaluation-summary?date_from=2025-01-01&date_to=2025-12-31",
                               headers=await _key(False))
    assert outside.json()["events"] == [] and outside.json()["totals"]["paired"] == 0
    odd = await client.get("/api/v1/evaluation-summary?district=khulna", headers=await _key(False))
    assert odd.status_code == 400


async def test_attempts_are_pseudonymous_without_permission_and_filter_by_stage(client, learned):
    response = await client.get("/api/v1/test-attempts?stage=post", headers=await _key(False))
    rows = response.json()["data"]
    assert [r["stage"] for r in rows] == ["post", "post"]
    first = rows[0]
    assert first["participant"] == pseudonymise(learned["people"]["a"], SECRET)
    assert (first["score"], first["max_score"], first["percent"]) == (5, 5, 100.0)
    personal = (await client.get("/api/v1/test-attempts", headers=await _key(True))).json()["data"]
    assert len(personal) == 4 and personal[0]["participant"] == learned["people"]["a"]
    assert (await client.get("/api/v1/test-attempts?stage=mid", headers=await _key(True))).status_code == 400


async def test_feedback_keeps_anonymous_answers_anonymous_and_text_for_personal_keys(client, learned):
    rows = (await client.get("/api/v1/feedback-responses", headers=await _key(False))).json()["data"]
    assert [r["participant"] for r in rows[:2]] == [None, None]  # the anonymous form
    assert rows[2]["participant"] == pseudonymise(learned["people"]["a"], SECRET)
    assert "useful" not in rows[0] and "improve" not in rows[2]
    personal = (await client.get("/api/v1/feedback-responses", headers=await _key(True))).json()["data"]
    assert personal[0]["useful"] == "Role plays" and personal[2]["improve"] == "Longer breaks"
    assert personal[0]["participant"] is None


async def test_summary_page_and_workbook_show_knowledge(staff_client, learned, clock):
    clock.move_to(dt.datetime(2026, 12, 5, 6, tzinfo=dt.UTC))
    page = await staff_client.get("/manage/reports/summary?date_from=2026-01-01&date_to=2026-12-31")
    assert page.status_code == 200
    for text in ("Did people learn?", "<strong>50%</strong>", "<strong>+30</strong>", "Knowledge by gender",
                 "Female", "Civil society (CSO)"):
        assert text in page.text, text
    book = await staff_client.get("/manage/reports/summary/export?date_from=2026-01-01&date_to=2026-12-31")
    workbook = openpyxl.load_workbook(io.BytesIO(book.content))
    assert "Knowledge by event" in workbook.sheetnames and "Knowledge by group" in workbook.sheetnames
    groups = list(workbook["Knowledge by group"].iter_rows(values_only=True))
    header = groups[0]
    rows = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in groups[1:]}
    assert rows[("Gender", "Female")]["Average gain (points)"] == 80.0
    assert rows[("All participants", "All")]["Share with increased knowledge %"] == 50.0
    events = list(workbook["Knowledge by event"].iter_rows(values_only=True))
    assert events[1][events[0].index("Feedback responses")] == 3
