"""Every route of the app against every role; a route without a decision here fails the suite.

Outcomes: "ok" (served: any status below 500 that is not a refusal), "login" (sent to the
login page), "deny" (403), "hidden" (404: the record exists but is outside the user's reach).
"""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.routes import HTTPRoute

from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from portal.events.management import services
from portal.events.participants import services as participants
from portal.events.registrations import services as registrations
from portal.events.tables import Session
from portal.messages import outbox
from tests.certificates.worlds import certificate_world
from tests.evaluation.worlds import access_world
from tests.trainings.uploads import make_course_with_material

pytestmark = pytest.mark.anyio

ROLES = ("anonymous", "trainer", "organizer_in", "organizer_out", "coordinator", "admin")
PUBLIC = dict.fromkeys(ROLES, "ok")
STAFF = {"anonymous": "login", **dict.fromkeys(ROLES[1:], "ok")}
ADMIN = {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], "deny"), "admin": "ok"}
EVENT_LIST = {"anonymous": "login", "trainer": "deny", "organizer_in": "ok", "organizer_out": "ok",
              "coordinator": "ok", "admin": "ok"}
EVENT_RECORD = {**EVENT_LIST, "organizer_out": "hidden"}
# The organizers' tools of one event (portal/events/access.py): a trainer reaches those of the events they run
# only; the world's event is run by its coordinator, so it is hidden from the trainer (tests/stepdown checks the
# trainer who runs it is served every one of these).
EVENT_RUN = {**EVENT_RECORD, "trainer": "hidden"}
# The event list: a trainer sees the events they run (none in the world).
EVENT_LIST_RUN = {**EVENT_LIST, "trainer": "ok"}
# Opening a step-down training: trainers (and admins, who have every role).
TRAINER_ONLY = {"anonymous": "login", "trainer": "ok", "organizer_in": "deny", "organizer_out": "deny",
                "coordinator": "deny", "admin": "ok"}
# Any event staff may read a person (people travel to events outside their district);
# organizers limited to other districts may not change them.
PERSON_READ = EVENT_LIST
PERSON_WRITE = EVENT_RECORD
# Courses and uploads: coordinators (and admins). The world's trainer teaches no course, so the
# course and its trainer-only material are hidden from them like from anyone else.
COURSE_ADMIN = {"anonymous": "login", **dict.fromkeys(ROLES[1:-2], "deny"), "coordinator": "ok", "admin": "ok"}
TRAINER_COURSE = {"anonymous": "login", **dict.fromkeys(ROLES[1:-2], "hidden"), "coordinator": "ok", "admin": "ok"}
TRAINER_FILE = {**dict.fromkeys(ROLES[:-2], "hidden"), "coordinator": "ok", "admin": "ok"}
# Certificates: revoking and the pool's changes are for coordinators; the pool is read programme-wide.
COORDINATOR_WRITE = {"anonymous": "login", **dict.fromkeys(ROLES[1:-2], "deny"), "coordinator": "ok", "admin": "ok"}
UNKNOWN_TICKET = dict.fromkeys(ROLES, "hidden")  # the sweep's token is not a ticket
# Tests and feedback of an event: its organizers and coordinators, and the trainers who teach it (the
# world's trainer teaches nothing, so the event is hidden from them as from an organizer elsewhere).
EVALUATION_EVENT = {**EVENT_RECORD, "trainer": "hidden"}
UPLOAD_GONE = dict.fromkeys(("organizer_in", "coordinator", "admin"), "hidden")
NO_PAIR = dict.fromkeys(("organizer_in", "organizer_out", "coordinator", "admin"), "hidden")

ACCESS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/lang/{code:str}"): PUBLIC,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    ("HEAD", "/static/{file_path:path}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): dict.fromkeys(ROLES, "login"),  # everyone lands on the login page
    ("GET", "/link/{token:str}"): PUBLIC,
    ("POST", "/link/{token:str}"): PUBLIC,
    ("GET", "/forgot"): PUBLIC,
    ("POST", "/forgot"): PUBLIC,  # the same answer for every address (tests/messages/test_staff_links.py)
    ("GET", "/manage"): STAFF,
    ("GET", "/manage/today"): EVENT_LIST,  # today's sessions in the user's districts (issue 18)
    ("GET", "/manage/users"): ADMIN,
    ("POST", "/manage/users"): ADMIN,
    ("GET", "/manage/users/new"): ADMIN,
    ("GET", "/manage/users/{user_id:int}"): ADMIN,
    ("POST", "/manage/users/{user_id:int}"): ADMIN,
    ("POST", "/manage/users/{user_id:int}/reset-link"): ADMIN,
    ("GET", "/manage/events"): EVENT_LIST_RUN,
    ("GET", "/manage/step-down/new"): TRAINER_ONLY,
    ("POST", "/manage/step-down"): TRAINER_ONLY,
    ("GET", "/manage/events/{event_id:int}/attendance-export"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/copy"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/facilitators"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/facilitators"): EVENT_RUN,
    # A facilitator id never assigned is a 404 for those who may change the event.
    ("POST", "/manage/events/{event_id:int}/facilitators/{facilitator_id:int}/remove"): {
        **EVENT_RUN, "organizer_in": "hidden", "coordinator": "hidden", "admin": "hidden"},
    ("POST", "/manage/events/{event_id:int}/copy"): EVENT_RUN,
    ("POST", "/manage/events"): EVENT_LIST,
    ("GET", "/manage/events/new"): EVENT_LIST,
    ("GET", "/manage/events/{event_id:int}"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/edit"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/edit"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/status"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/new"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions/{session_id:int}"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions/{session_id:int}/delete"): EVENT_RUN,
    ("GET", "/manage/participants"): EVENT_LIST,
    ("POST", "/manage/participants"): EVENT_LIST,
    ("GET", "/manage/participants/new"): EVENT_LIST,
    ("GET", "/manage/participants/{participant_id:int}"): PERSON_READ,
    ("POST", "/manage/participants/{participant_id:int}"): PERSON_WRITE,
    **{(method, path): COURSE_ADMIN for method, path in (
        ("GET", "/manage/courses"), ("POST", "/manage/courses"), ("GET", "/manage/courses/new"),
        ("GET", "/manage/courses/{course_id:int}"), ("GET", "/manage/courses/{course_id:int}/edit"),
        ("POST", "/manage/courses/{course_id:int}/edit"), ("POST", "/manage/courses/{course_id:int}/modules"),
        ("GET", "/manage/courses/{course_id:int}/modules/{module_id:int}"),
        ("POST", "/manage/courses/{course_id:int}/modules/{module_id:int}"),
        ("POST", "/manage/courses/{course_id:int}/materials"), ("GET", "/manage/materials/{material_id:int}"),
        ("POST", "/manage/materials/{material_id:int}/versions"), ("POST", "/manage/courses/{course_id:int}/events"),
        ("POST", "/manage/courses/{course_id:int}/events/{event_id:int}/unlink"),
    )},
    ("GET", "/courses"): STAFF,
    ("GET", "/courses/{course_id:int}"): TRAINER_COURSE,
    ("GET", "/courses/{course_id:int}/pack"): TRAINER_COURSE,
    ("GET", "/materials/{material_id:int}"): TRAINER_FILE,
    ("GET", "/materials/versions/{version_id:int}"): TRAINER_FILE,
    ("GET", "/t/{token:str}/materials"): dict.fromkeys(ROLES, "hidden"),  # the world's token is unknown
    ("GET", "/t/{token:str}/materials/{version_id:int}"): dict.fromkeys(ROLES, "hidden"),
    ("GET", "/manage/events/{event_id:int}/certificates"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/certificates/{registration_id:int}/issue"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/certificates/{registration_id:int}/override"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/certificates/issue-all"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/certificates/jobs/{job_id:int}"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/certificates/zip"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/certificates/print"): EVENT_RUN,
    ("GET", "/manage/certificates/{certificate_id:int}"): EVENT_RECORD,
    ("GET", "/manage/certificates/{certificate_id:int}/pdf"): EVENT_RECORD,
    ("POST", "/manage/certificates/{certificate_id:int}/revoke"): COORDINATOR_WRITE,
    ("POST", "/manage/certificates/{certificate_id:int}/reinstate"): COORDINATOR_WRITE,
    ("GET", "/manage/certificate-settings"): ADMIN,
    ("POST", "/manage/certificate-settings"): ADMIN,
    ("GET", "/manage/certificate-settings/sample"): ADMIN,
    ("GET", "/manage/pool"): EVENT_LIST,
    # Served to all event staff, but an organizer limited to districts gets the phones and emails of
    # members in those districts only (POOL_EXPORT_CONTACTS below, test_pool_export_contacts_follow_the_districts).
    ("GET", "/manage/pool/export"): EVENT_LIST,
    ("GET", "/manage/pool/{member_id:int}"): EVENT_LIST,
    ("POST", "/manage/pool/{member_id:int}/status"): COORDINATOR_WRITE,
    ("POST", "/manage/pool/{member_id:int}/invite"): COORDINATOR_WRITE,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/{code:str}"): PUBLIC,
    ("GET", "/t/{token:str}/certificate/{serial:str}"): UNKNOWN_TICKET,
    # Registrations and check-in (events feature)
    ("GET", "/manage/events/{event_id:int}/registrations"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/registrations"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/registrations/new-person"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/registrations/{registration_id:int}/role"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/registrations/{registration_id:int}/cancel"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/registrations/{registration_id:int}/promote"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/attendance"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions/{session_id:int}/attendance/{registration_id:int}"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions/{session_id:int}/attendance/{registration_id:int}/undo"):
        EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/scan"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/sessions/{session_id:int}/scan"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/tickets"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/count"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/display"): EVENT_RUN,
    ("GET", "/manage/events/{event_id:int}/sessions/{session_id:int}/sheet.pdf"): EVENT_RUN,
    # A ticket is reached only with its secret token: an unknown token is 404 for everyone.
    ("GET", "/t/{token:str}"): dict.fromkeys(ROLES, "hidden"),
    ("GET", "/t/{token:str}/ticket.pdf"): dict.fromkeys(ROLES, "hidden"),
    ("GET", "/manage/events/{event_id:int}/import"): EVENT_RUN,
    ("POST", "/manage/events/{event_id:int}/import"): EVENT_RUN,
    # An upload id that was never stored is a 404 for those who may import into the event.
    ("POST", "/manage/events/{event_id:int}/import/{upload_id:str}"): {**EVENT_RUN, **UPLOAD_GONE},
    ("POST", "/manage/events/{event_id:int}/import/{upload_id:str}/commit"): {**EVENT_RUN, **UPLOAD_GONE},
    ("POST", "/manage/events/{event_id:int}/import/{upload_id:str}/errors.xlsx"): {**EVENT_RUN, **UPLOAD_GONE},
    ("GET", "/manage/events/{event_id:int}/import/template.xlsx"): EVENT_RUN,
    ("GET", "/manage/participants/duplicates"): EVENT_LIST,
    # Without the two people's ids there is nothing to compare: a 404 for those who may merge.
    ("GET", "/manage/participants/duplicates/merge"): {**EVENT_LIST, **NO_PAIR},
    ("POST", "/manage/participants/duplicates/merge"): {**EVENT_LIST, **NO_PAIR},
    # A merge of two Khulna people: seen and undone by those who may change both.
    ("GET", "/manage/participants/merges/{merge_id:int}"): PERSON_WRITE,
    ("POST", "/manage/participants/merges/{merge_id:int}/undo"): PERSON_WRITE,
    ("GET", "/manage/events/{event_id:int}/import/sample.xlsx"): EVENT_RUN,
    # An import job that does not exist (the world has none) is a 404 for those who may import (issue 15).
    ("GET", "/manage/events/{event_id:int}/import/jobs/{job_id:int}"): {**EVENT_RUN, **UPLOAD_GONE},
    ("POST", "/manage/events/{event_id:int}/import/jobs/{job_id:int}/restart"): {**EVENT_RUN, **UPLOAD_GONE},
    # Importing into the directory alone: those who may add a person (coordinators and organizers).
    ("GET", "/manage/participants/import"): EVENT_LIST,
    ("POST", "/manage/participants/import"): EVENT_LIST,
    ("GET", "/manage/participants/import/template.xlsx"): EVENT_LIST,
    ("GET", "/manage/participants/import/sample.xlsx"): EVENT_LIST,
    ("POST", "/manage/participants/import/{upload_id:str}"): {**EVENT_LIST, **NO_PAIR},
    ("POST", "/manage/participants/import/{upload_id:str}/commit"): {**EVENT_LIST, **NO_PAIR},
    ("POST", "/manage/participants/import/{upload_id:str}/errors.xlsx"): {**EVENT_LIST, **NO_PAIR},
    ("GET", "/manage/participants/import/jobs/{job_id:int}"): {**EVENT_LIST, **NO_PAIR},
    ("POST", "/manage/participants/import/jobs/{job_id:int}/restart"): {**EVENT_LIST, **NO_PAIR},
    ("GET", "/ping"): PUBLIC,
    ("GET", "/c"): PUBLIC,
    ("POST", "/c"): PUBLIC,
    ("GET", "/c/{session_id:int}/{code:str}"): PUBLIC,
    ("POST", "/c/{session_id:int}/{code:str}"): PUBLIC,
    ("GET", "/manage/reports/attendance"): EVENT_LIST,
    ("GET", "/manage/reports/attendance/export"): EVENT_LIST,
    ("GET", "/manage/reports/attendance/events"): EVENT_LIST,  # the picker lists only the user's events
    ("GET", "/manage/audit"): EVENT_LIST,  # organizers see their districts' entries (tests/reports/test_audit_log.py)
    ("GET", "/manage/audit/export"): EVENT_LIST,
    ("GET", "/manage/profile"): STAFF,
    ("POST", "/manage/profile/language"): STAFF,
    ("POST", "/manage/reports/jobs"): EVENT_LIST,
    ("GET", "/manage/reports/jobs/{job_id:int}"): {**EVENT_LIST, **dict.fromkeys(ROLES[2:], "hidden")},
    ("GET", "/manage/reports/jobs/{job_id:int}/download"): {**EVENT_LIST, **dict.fromkeys(ROLES[2:], "hidden")},
    ("GET", "/manage/reports/summary"): {**ADMIN, "coordinator": "ok"},
    ("GET", "/manage/reports/summary/export"): {**ADMIN, "coordinator": "ok"},
    ("GET", "/manage/reports/dashboard"): {**ADMIN, "coordinator": "ok"},
    ("GET", "/manage/reports/cascade"): {**ADMIN, "coordinator": "ok"},
    ("GET", "/manage/reports/cascade/export"): {**ADMIN, "coordinator": "ok"},
    ("GET", "/manage/api-keys"): ADMIN,
    ("POST", "/manage/api-keys"): ADMIN,
    ("POST", "/manage/api-keys/{key_id:int}/revoke"): {**ADMIN, "admin": "hidden"},
    # The JSON API answers everyone without a key with a JSON 401 (not a refusal page); its key checks
    # are in tests/reports/test_api.py. The schema and docs are public.
    ("GET", "/api/v1/events"): PUBLIC,
    ("GET", "/api/v1/sessions"): PUBLIC,
    ("GET", "/api/v1/participants"): PUBLIC,
    ("GET", "/api/v1/registrations"): PUBLIC,
    ("GET", "/api/v1/check-ins"): PUBLIC,
    ("GET", "/api/v1/certificates"): PUBLIC,
    ("GET", "/api/v1/test-attempts"): PUBLIC,
    ("GET", "/api/v1/feedback-responses"): PUBLIC,
    ("GET", "/api/v1/evaluation-summary"): PUBLIC,
    ("GET", "/api/v1/cascade"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/api/v1/schema"): PUBLIC,
    ("GET", "/api/v1/schema/openapi.json"): PUBLIC,
    ("GET", "/api/v1/schema/{path:str}"): PUBLIC,
    # Tests and feedback (evaluation feature): banks like a course's trainer files, an event's tests like
    # its records; participants' links are unknown to the sweep (404 for everyone); the venue code is public.
    ("GET", "/manage/evaluation"): STAFF,
    **{(method, path): TRAINER_COURSE for method, path in (
        ("GET", "/manage/evaluation/courses/{course_id:int}"),
        ("GET", "/manage/evaluation/courses/{course_id:int}/questions/new"),
        ("POST", "/manage/evaluation/courses/{course_id:int}/questions"),
        ("GET", "/manage/evaluation/questions/{question_id:int}"),
        ("POST", "/manage/evaluation/questions/{question_id:int}"),
        ("POST", "/manage/evaluation/questions/{question_id:int}/archive"),
        ("GET", "/manage/evaluation/courses/{course_id:int}/tests/new"),
        ("POST", "/manage/evaluation/courses/{course_id:int}/tests"),
        ("GET", "/manage/evaluation/tests/{quiz_id:int}"),
        ("POST", "/manage/evaluation/tests/{quiz_id:int}"),
    )},
    **{(method, "/manage/events/{event_id:int}/evaluation" + path): EVALUATION_EVENT for method, path in (
        ("GET", ""), ("POST", "/tests"), ("POST", "/tests/{stage:str}"), ("GET", "/results"),
        ("POST", "/tests/{stage:str}/extra/{registration_id:int}"), ("GET", "/tests/{stage:str}/paper.pdf"),
        ("GET", "/tests/{stage:str}/entry"), ("POST", "/tests/{stage:str}/entry"), ("POST", "/feedback"),
        ("POST", "/feedback/{form_id:int}"), ("GET", "/sessions/{session_id:int}/venue"),
    )},
    ("GET", "/t/{token:str}/tests/{event_quiz_id:int}"): UNKNOWN_TICKET,
    ("POST", "/t/{token:str}/tests/{event_quiz_id:int}"): UNKNOWN_TICKET,
    ("GET", "/t/{token:str}/feedback/{form_id:int}"): UNKNOWN_TICKET,
    ("GET", "/a/{attempt_key:str}"): UNKNOWN_TICKET,
    ("POST", "/a/{attempt_key:str}"): UNKNOWN_TICKET,
    ("GET", "/f/{feedback_pass:str}"): UNKNOWN_TICKET,
    ("POST", "/f/{feedback_pass:str}"): UNKNOWN_TICKET,
    ("GET", "/q/{session_id:int}/{code:str}"): PUBLIC,
    ("POST", "/q/{session_id:int}/{code:str}"): PUBLIC,
    ("GET", "/calendar.ics"): PUBLIC,
    ("GET", "/calendar/{filename:str}"): PUBLIC,
    # Messages: the outbox is the programme office's (coordinators); the wording is the admins'; a STOP link
    # the sweep does not know is not found for anyone.
    ("GET", "/manage/messages"): COORDINATOR_WRITE,
    ("GET", "/manage/messages/{message_id:int}"): COORDINATOR_WRITE,
    ("POST", "/manage/messages/{message_id:int}/retry"): COORDINATOR_WRITE,
    ("POST", "/manage/messages/{message_id:int}/stop"): COORDINATOR_WRITE,
    ("GET", "/manage/message-templates"): ADMIN,
    ("POST", "/manage/message-templates"): ADMIN,
    ("GET", "/m/stop/{token:str}"): UNKNOWN_TICKET,
    ("POST", "/m/stop/{token:str}"): UNKNOWN_TICKET,
    ("GET", "/manage/events/{event_id:int}/messages"): EVENT_RECORD,
    ("POST", "/manage/events/{event_id:int}/messages"): EVENT_RECORD,
    ("POST", "/manage/events/{event_id:int}/public-registration"): EVENT_RECORD,
    # The world's event is not open for public registration: its page says so (404) to everyone.
    ("GET", "/r/{event_id:int}"): UNKNOWN_TICKET,
    ("POST", "/r/{event_id:int}"): UNKNOWN_TICKET,
    ("GET", "/t/{token:str}/rsvp"): UNKNOWN_TICKET,
    ("POST", "/t/{token:str}/rsvp"): UNKNOWN_TICKET,
    ("GET", "/t/{token:str}/details"): UNKNOWN_TICKET,
    ("POST", "/t/{token:str}/details"): UNKNOWN_TICKET,
    # The SMS gateway's callbacks: no session, no CSRF; only the shared secret, which the sweep does not have.
    ("GET", "/m/sms/inbound"): dict.fromkeys(ROLES, "deny"),
    ("POST", "/m/sms/inbound"): dict.fromkeys(ROLES, "deny"),
}
# Unsafe routes a machine calls, with a secret instead of a CSRF token (tests/messages/test_inbound.py).
CSRF_FREE = {("POST", "/m/sms/inbound")}


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) for every HTTP route the app serves, OPTIONS excepted."""
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method in route.methods:
                if method != "OPTIONS":
                    found.add((method, route.path))
    return found


async def test_every_route_has_an_access_decision(app):
    routes = app_routes(app)
    missing = sorted(routes - ACCESS.keys())
    stale = sorted(ACCESS.keys() - routes)
    assert not missing, f"routes without an access decision in tests/test_access.py: {missing}"
    assert not stale, f"decisions for routes that no longer exist: {stale}"


@pytest.fixture
async def world(create_user, settings):
    """A Khulna event with sessions, a Khulna person, and one user per role."""
    coordinator = await create_user("coordinator")
    event_id = await services.create_event(
        {"kind": "district_workshop", "title": "Khulna workshop", "district": "khulna",
         "start_date": dt.date(2026, 12, 1).isoformat(), "end_date": "2026-12-02"},
        coordinator, services.ZoneInfo("Asia/Dhaka"),
    )
    session_id = (await Session.select(Session.id).where(Session.event == event_id).first())["id"]
    person_id = await participants.create_participant(
        {"name": "Karim Sheikh", "district": "khulna", "phone": "01712-000000"}, coordinator)
    users = {
        "trainer": await create_user("trainer"),
        "organizer_in": await create_user("organizer", districts=("khulna",)),
        "organizer_out": await create_user("organizer", districts=("sylhet",)),
        "coordinator": coordinator,
        "admin": await create_user("admin"),
    }
    registration_id = (await registrations.register(event_id, person_id, coordinator.actor()))["id"]
    course = await make_course_with_material(coordinator, settings, event_id)
    params = {"event_id": event_id, "session_id": session_id, "participant_id": person_id,
              "registration_id": registration_id, "code": "not-a-code", "upload_id": "A" * 22,
              "user_id": users["trainer"].id, "token": "no-such-token", "file_path": "css/portal.css", **course}
    # reports: no such export job or API key; the schema file; a district calendar
    params.update(job_id=999_999, key_id=999_999, facilitator_id=999_999, path="openapi.json", filename="khulna.ics")
    params.update(await certificate_world(coordinator, event_id))  # a real certificate job id
    params.update(await access_world(coordinator, event_id, course["course_id"]))
    params["merge_id"] = await _a_merge(coordinator)
    params["message_id"] = await outbox.enqueue("ticket", channel="sms", to="+8801712000000", language="en",
                                                values={"event": "Khulna workshop"}, consent_source="access sweep")
    return users, params


async def _a_merge(coordinator) -> int:
    from portal.events.participants import merge as merging

    people = [await participants.create_participant({"name": name, "district": "khulna"}, coordinator)
              for name in ("Nasima Akter", "Nasima Akhter")]
    return (await merging.merge(*people, coordinator))["merge_id"]


def fill(path: str, params: dict) -> str:
    for key, value in params.items():
        for kind in ("int", "str", "path"):
            path = path.replace(f"{{{key}:{kind}}}", str(value))
    return path


FORMS = {
    "/login": {"identifier": "x@example.org", "password": "wrong password"},
    "/manage/events/{event_id:int}/status": {"status": "published"},
    "/manage/certificates/{certificate_id:int}/revoke": {"reason": "access sweep"},
    "/manage/pool/{member_id:int}/status": {"status": "inactive"},
    "/manage/certificate-settings": {"programme_name": "Programme"},
    "/manage/profile/language": {"language": "en"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(ACCESS))
async def test_route_access(client, world, method, path, role):
    users, params = world
    if role != "anonymous":
        token = await auth_services.start_session(users[role].id)
        client.cookies[SESSION_COOKIE] = token
    csrf = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    url = fill(path, params)
    if method == "POST":
        response = await client.post(url, data={**FORMS.get(path, {}), "_csrf_token": csrf})
    else:
        response = await client.request(method, url)
    status = response.status_code
    location = response.headers.get("location", "")
    outcome = ("login" if status == 303 and location.startswith("/login") else
               "deny" if status == 403 else "hidden" if status == 404 else "ok")
    assert status < 500, response.text
    assert outcome == ACCESS[(method, path)][role], f"{role} {method} {url}: {status} {location}"


# Which roles the pool export gives the contacts of the world's Khulna member to (names go to every role served).
POOL_EXPORT_CONTACTS = {"organizer_in": True, "organizer_out": False, "coordinator": True, "admin": True}


@pytest.mark.parametrize("role", sorted(POOL_EXPORT_CONTACTS))
async def test_pool_export_contacts_follow_the_districts(client, world, role):
    from portal.certificates.tables import PoolMember
    from portal.events.tables import Participant

    users, params = world
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users[role].id)
    member = await PoolMember.select(PoolMember.district, PoolMember.participant, PoolMember.participant.name.as_alias(
        "name"), PoolMember.participant.phone.as_alias("phone")).first()
    await Participant.update({Participant.email: "master.trainer@example.org"}).where(
        Participant.id == member["participant"])
    assert member["district"] == "khulna" and member["phone"]
    response = await client.get("/manage/pool/export")
    assert response.status_code == 200
    assert member["name"] in response.text
    assert (member["phone"] in response.text) == POOL_EXPORT_CONTACTS[role], response.text
    assert ("master.trainer@example.org" in response.text) == POOL_EXPORT_CONTACTS[role]


UNSAFE = sorted(key for key in ACCESS if key[0] not in {"GET", "HEAD"} and key not in CSRF_FREE)


@pytest.mark.parametrize(("method", "path"), UNSAFE)
async def test_unsafe_routes_refuse_requests_without_csrf_token(client, world, method, path):
    users, params = world
    client.cookies[SESSION_COOKIE] = await auth_services.start_session(users["admin"].id)
    await client.get("/login")  # the CSRF cookie is set, but the token is not sent back
    response = await client.request(method, fill(path, params), data=FORMS.get(path, {}))
    assert response.status_code == 403
    assert "form has expired" in response.text


async def test_every_unsafe_route_is_in_the_csrf_sweep(app):
    unsafe_in_app = {key for key in app_routes(app) if key[0] not in {"GET", "HEAD"}}
    assert unsafe_in_app == set(UNSAFE) | CSRF_FREE
