"""Organizers work in their districts: the forms offer only those, and an organizer left without a
district (an account saved before a district was required) sees nothing rather than everything."""

from __future__ import annotations

import re

import pytest

from portal.auth.tables import User
from portal.core.audit import Actor
from portal.core.districts import DISTRICTS
from portal.events.checkin import services as checkin
from portal.events.tables import Participant, Session
from portal.reports import attendance
from portal.reports.attendance import AttendanceFilter

pytestmark = pytest.mark.anyio


def district_options(html: str, name: str = "district") -> list[str]:
    select = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, re.S)
    assert select, f"no {name} select"
    return [code for code in re.findall(r'<option value="([^"]*)"', select.group(0)) if code]


@pytest.fixture
async def cumilla_client(client, create_user, login):
    return await login(client, await create_user("organizer", districts=("cumilla",)))


async def test_event_form_offers_an_organizer_their_districts_only(cumilla_client):
    response = await cumilla_client.get("/manage/events/new")
    assert district_options(response.text) == ["cumilla"]


async def test_event_form_offers_a_coordinator_every_district(staff_client):
    response = await staff_client.get("/manage/events/new")
    assert len(district_options(response.text)) == len(DISTRICTS) == 64


async def test_event_list_filter_offers_an_organizer_their_districts(client, create_user, login):
    await login(client, await create_user("organizer", districts=("cumilla", "sylhet")))
    response = await client.get("/manage/events")
    assert sorted(district_options(response.text)) == ["cumilla", "sylhet"]


async def test_export_form_offers_an_organizer_their_districts(cumilla_client):
    response = await cumilla_client.get("/manage/reports/attendance")
    assert district_options(response.text) == ["cumilla"]


async def test_participant_form_of_their_own_person_offers_their_districts(cumilla_client):
    person = Participant(name="Rahima Begum", district="cumilla", phone="+8801711000111")
    await person.save()
    response = await cumilla_client.get(f"/manage/participants/{person.id}")
    assert district_options(response.text) == ["cumilla"]


async def test_participant_seen_from_outside_still_shows_their_district(cumilla_client):
    person = Participant(name="Karim Sheikh", district="khulna", phone="+8801711000112")
    await person.save()
    response = await cumilla_client.get(f"/manage/participants/{person.id}")
    assert "<fieldset disabled>" in response.text
    assert '<option value="khulna" selected>' in response.text


@pytest.fixture
async def districtless_client(client, create_user, login):
    """An organizer whose account has no district (saved before one was required)."""
    organizer = await create_user("organizer", districts=("khulna",))
    await User.update({User.districts: []}).where(User.id == organizer.id)
    return await login(client, organizer)


async def test_organizer_without_a_district_sees_no_events(districtless_client, plan_event):
    event_id = await plan_event(district="khulna")
    listing = await districtless_client.get("/manage/events")
    assert listing.status_code == 200 and "Khulna workshop" not in listing.text
    assert (await districtless_client.get(f"/manage/events/{event_id}")).status_code == 404
    home = await districtless_client.get("/manage")
    assert "Your account has no district yet" in home.text and "Khulna workshop" not in home.text


async def test_organizer_without_a_district_schedules_nowhere(districtless_client):
    form = await districtless_client.get("/manage/events/new")
    assert district_options(form.text) == []
    response = await districtless_client.post("/manage/events", data={
        "kind": "district_workshop", "title": "Anywhere", "district": "dhaka", "start_date": "2026-12-10",
        "end_date": "2026-12-10"})
    assert response.status_code == 422
    assert "your own districts" in response.text


async def test_organizer_without_a_district_exports_nothing(districtless_client, plan_event, register_person):
    event_id = await plan_event(district="khulna")
    registration = await register_person(event_id)
    [session] = await Session.select(Session.id).where(Session.event == event_id).order_by(Session.id).limit(1)
    await checkin.check_in(session["id"], Actor.system("tests"), registration_id=registration["id"], method="manual")
    assert await attendance.count_rows(AttendanceFilter(), "long") == 1
    response = await districtless_client.get("/manage/reports/attendance/export?format=csv")
    assert response.status_code == 200
    assert len(response.text.strip().splitlines()) == 1  # the header row only
