"""The event staff guard's rule for trainers (portal/events/access.py), route by route: a trainer who runs
the event is served every organizers' tool of it; another trainer's event is hidden (404)."""

from __future__ import annotations

import re

import pytest

from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from portal.certificates.tables import ProgrammeSettings
from portal.events.tables import Event
from tests.test_access import ACCESS, EVENT_RUN, FORMS, fill, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.anyio

RUN_ROUTES = sorted(key for key, decision in ACCESS.items() if decision in (
    EVENT_RUN, {**EVENT_RUN, "organizer_in": "hidden", "coordinator": "hidden", "admin": "hidden"})
    and "/evaluation" not in key[1])  # tests and feedback have their own rule (portal/evaluation/access.py)
# Ids the shared world holds none of for this event (an upload, a facilitator place, an import job): 404 for
# everyone who may use the route, as in tests/test_access.py (UPLOAD_GONE).
UPLOAD_ROUTES = {key for key in ACCESS if "{upload_id:str}" in key[1] or "{facilitator_id:int}" in key[1]
                 or "/import/jobs/" in key[1]}


def test_the_matrix_names_the_trainer_routes():
    assert len(RUN_ROUTES) >= 25
    assert ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/scan") in RUN_ROUTES


@pytest.mark.parametrize(("method", "path"), RUN_ROUTES)
async def test_a_trainer_is_served_the_tools_of_the_event_they_run(client, world, method, path):  # noqa: F811
    users, params = world
    # a step-down training they run, where the programme lets trainers issue certificates
    await Event.update({Event.organizer: users["trainer"].id, Event.kind: "step_down"}).where(
        Event.id == params["event_id"])
    await ProgrammeSettings.insert(ProgrammeSettings(step_down_issuer="trainer"))
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["trainer"].id)
    csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    url = fill(path, params)
    if method == "POST":
        response = await client.post(url, data={**FORMS.get(path, {}), "_csrf_token": csrf})
    else:
        response = await client.request(method, url)
    assert response.status_code < 500, response.text
    assert response.status_code not in (401, 403), f"{method} {url}: {response.status_code}"
    if (method, path) not in UPLOAD_ROUTES:  # an upload id never stored is a 404 for everyone who may import
        assert response.status_code != 404, f"{method} {url}"


async def test_a_trainer_does_not_reach_another_trainers_event(client, world, create_user):  # noqa: F811
    users, params = world
    other = await create_user("trainer")
    await Event.update({Event.organizer: other.id}).where(Event.id == params["event_id"])
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["trainer"].id)
    for method, path in RUN_ROUTES:
        url = fill(path, params)
        csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
        response = await (client.post(url, data={"_csrf_token": csrf}) if method == "POST" else client.get(url))
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    listing = await client.get("/manage/events")
    assert listing.status_code == 200 and "Khulna workshop" not in listing.text
    # and the event list of the trainer who runs it shows it
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(other.id)
    assert "Khulna workshop" in (await client.get("/manage/events")).text


async def test_a_trainer_cannot_turn_their_training_into_another_kind_or_district(client, world):  # noqa: F811
    users, params = world
    await Event.update({Event.organizer: users["trainer"].id, Event.kind: "step_down"}).where(
        Event.id == params["event_id"])
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["trainer"].id)
    csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    url = f"/manage/events/{params['event_id']}/edit"
    base = {"title": "Renamed", "start_date": "2026-12-01", "end_date": "2026-12-02", "_csrf_token": csrf}
    moved = await client.post(url, data={**base, "kind": "tot", "district": "sylhet"})
    assert moved.status_code == 422
    kept = await client.post(url, data={**base, "kind": "tot", "district": "khulna"})
    assert kept.status_code == 303
    row = await Event.select(Event.kind, Event.title, Event.district).where(Event.id == params["event_id"]).first()
    assert row == {"kind": "step_down", "title": "Renamed", "district": "khulna"}


ISSUING = [("POST", "/manage/events/{event_id:int}/certificates/{registration_id:int}/issue"),
           ("POST", "/manage/events/{event_id:int}/certificates/{registration_id:int}/override"),
           ("POST", "/manage/events/{event_id:int}/certificates/issue-all")]


@pytest.mark.parametrize(("method", "path"), ISSUING)
async def test_where_organizers_issue_the_trainer_is_refused_issuing(client, world, method, path):  # noqa: F811
    users, params = world
    await Event.update({Event.organizer: users["trainer"].id, Event.kind: "step_down"}).where(
        Event.id == params["event_id"])
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["trainer"].id)
    csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    response = await client.post(fill(path, params), data={"_csrf_token": csrf, "choice": "yes", "reason": "x"})
    assert response.status_code == 403
    page = await client.get(fill("/manage/events/{event_id:int}/certificates", params))
    assert page.status_code == 200 and "An organizer issues the certificates" in page.text
    assert "Issue certificate" not in page.text and "Change eligibility" not in page.text


async def test_the_event_page_links_the_trainer_to_tools_they_may_open(client, world):  # noqa: F811
    users, params = world
    await Event.update({Event.organizer: users["trainer"].id, Event.kind: "step_down"}).where(
        Event.id == params["event_id"])
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["trainer"].id)
    base = f"/manage/events/{params['event_id']}"
    page = await client.get(base)
    assert page.status_code == 200
    links = {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', page.text)}
    expected = {f"{base}/registrations", f"{base}/import", f"{base}/certificates", f"{base}/facilitators",
                f"{base}/copy", f"{base}/attendance-export?format=csv", f"{base}/attendance-export?format=xlsx"}
    assert expected <= links, sorted(expected - links)
    assert not any(link.startswith(("/manage/reports", f"{base}/evaluation")) for link in links)
    for url in sorted(expected):
        assert (await client.get(url)).status_code == 200, url
