"""`portal demo` loads data every page has something to show for, once."""

from __future__ import annotations

import pytest

from portal.auth.services import CurrentUser
from portal.auth.tables import User
from portal.certificates.tables import Certificate, PoolMember
from portal.certificates.trainer_access import trainer_course_ids
from portal.core.tables import AuditEntry
from portal.demo import load_demo
from portal.evaluation import results, setup
from portal.evaluation.tables import Attempt, FeedbackResponse, Question
from portal.events.tables import CheckIn, Event, Registration
from portal.messages.tables import Contact, OutboxMessage
from portal.trainings.tables import Course, MaterialVersion

pytestmark = pytest.mark.anyio


async def test_demo_data_has_attendance_certificates_pool_and_a_course(db, settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(settings.data_dir))
    message = await load_demo()
    assert "Demo data loaded" in message
    assert await Event.count() == 18
    assert await Registration.count() >= 10 * 14  # 14 to 25 people at each published or past event
    check_ins = await CheckIn.count()
    assert str(check_ins) in message and check_ins > 50
    assert await CheckIn.count().where(CheckIn.method == "paper") == 8  # the imported paper sign-in sheet
    certificates = await Certificate.count()
    # Some people missed a session: certified, but not all of those who attended.
    assert 0 < certificates < await Registration.count().where(Registration.event.status == "completed")
    assert await PoolMember.count() > 0  # master trainers from the past ToT
    assert await Course.count() == 1
    version = await MaterialVersion.select().first()
    assert version["size"] > 0
    # Tests and feedback: the past ToT's results page has real figures; the coming ToT is set up.
    assert await Question.count() == 10
    past_tot = await Event.select(Event.id).where((Event.kind == "tot") & (Event.status == "completed")).first()
    data = await results.event_results(past_tot["id"], await setup.event_quizzes(past_tot["id"]))
    assert data["figures"].paired >= 5 and data["figures"].average_gain > 0
    assert 0 < data["figures"].increased <= data["figures"].paired
    assert await FeedbackResponse.count() > 0 and data["forms"][0]["summary"]["responses"] > 0
    assert await Attempt.count().where(Attempt.via == "paper") > 0
    coming = await Event.select(Event.id).where((Event.kind == "tot") & (Event.status == "published")).first()
    assert set(await setup.event_quizzes(coming["id"])) == {"pre", "post"}
    trainer = await User.select().where(User.email == "trainer@demo.example").first()
    taught = await trainer_course_ids(CurrentUser(id=trainer["id"], name=trainer["name"], role="trainer",
                                                  email=trainer["email"]))
    assert taught == {(await Course.select(Course.id).first())["id"]}  # the demo trainer teaches the course
    # Issue 16: a moved and a cancelled session told people; a name corrected from a ticket; a STOP reply.
    for kind in ("session_moved", "session_cancelled"):
        assert await OutboxMessage.exists().where(OutboxMessage.kind == kind), kind
    assert await AuditEntry.exists().where(AuditEntry.action == "participant.self_correct")
    assert await Contact.exists().where(Contact.opt_out_via == "sms reply")
    assert await load_demo() == "Demo data is already loaded."
    assert await Event.count() == 18
