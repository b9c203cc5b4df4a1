"""Merging two people both registered for one event (issue 15): one registration kept, attendance combined
without losing a row (the rows that cannot stay are kept whole in the merge record), undone exactly."""

import datetime as dt

import pytest

from portal.certificates import eligibility
from portal.certificates.tables import Certificate, CertificateHistory, EligibilityOverride
from portal.events.participants import merge as merging
from portal.events.participants import shared_events
from portal.events.tables import CheckIn, Registration, Session, UndoneCheckIn
from tests import factories
from tests.events.test_merge_undo import counts

pytestmark = pytest.mark.anyio
ROWS = (Registration, CheckIn, UndoneCheckIn, Certificate, CertificateHistory, EligibilityOverride)


async def rows() -> dict[str, list[dict]]:
    """Every row, every value, of the tables a shared event's merge touches."""
    return {t._meta.tablename: await t.select().order_by(t.id) for t in ROWS}


@pytest.fixture
async def same_event(db, event_id, coordinator):
    """Both registered for one event of three sessions: at the first both checked in (the removed one earlier), at
    the second only the removed one, at the third both (the kept one earlier); one certificate each of one kind;
    the removed one has an eligibility decision and an undone check-in; five bystanders."""
    first, second = [r["id"] for r in await Session.select(Session.id).where(Session.event == event_id).order_by(
        Session.id)]
    start = (await Session.select(Session.starts_at).where(Session.id == second).first())["starts_at"]
    third = Session(event=event_id, title="Day 3", starts_at=start + dt.timedelta(days=1),
                    ends_at=start + dt.timedelta(days=1, hours=6))
    await third.save()
    sessions = [first, second, third.id]
    starts = {r["id"]: r["starts_at"] for r in await Session.select().where(Session.id.is_in(sessions))}
    keep = await factories.make_person(name="Md. Karim Uddin", district="khulna", phone="+8801711000001")
    drop = await factories.make_person(name="Mohammad Karim Udin", district="khulna", phone="+8801811000002")
    kept = await factories.make_registration(event_id, keep, status="waitlisted")
    dropped = await factories.make_registration(event_id, drop)
    late, early = dt.timedelta(minutes=40), dt.timedelta(minutes=3)
    await factories.make_checkin(kept, first, at=starts[first] + late, method="manual")
    await factories.make_checkin(dropped, first, at=starts[first] + early, method="ticket_scan")
    await factories.make_checkin(dropped, second, at=starts[second] + early, method="paper")
    await factories.make_checkin(kept, third.id, at=starts[third.id] + early, method="self_scan")
    await factories.make_checkin(dropped, third.id, at=starts[third.id] + late, method="manual")
    await UndoneCheckIn(registration=dropped, session=second, method="manual", at=starts[second],
                        undone_at=starts[second] + early).save()
    await factories.make_certificate(kept)
    aside = await factories.make_certificate(dropped)
    await CertificateHistory(certificate=aside, action="issued", at=starts[first]).save()
    await EligibilityOverride(registration=dropped, eligible=True, reason="Attended the make-up session").save()
    for n in range(5):
        await factories.make_registration(event_id, attend=sessions[: n % 3])
    return {"keep": keep, "drop": drop, "kept": kept, "dropped": dropped, "sessions": sessions,
            "starts": starts, "event": event_id}


async def test_one_registration_kept_every_row_counted_and_undone_exactly(same_event, coordinator):
    s = same_event
    before, values = await counts(), await rows()
    result = await merging.merge(s["keep"], s["drop"], coordinator)
    after = await counts()
    (part,) = result["moved"]["shared"]
    aside = shared_events.aside_counts([part])
    assert aside == {"registration": 1, "check_in": 2, "certificate": 1, "certificate_history": 1}
    # Nothing lost: every table's rows now plus the rows kept in the record are the rows before.
    expected = {**before, "participant": before["participant"] - 1, "participant_phone": before["participant_phone"]
                + 1, "participant_merge": 1, "audit_entry": before["audit_entry"] + 2}
    assert {t: n + aside.get(t, 0) for t, n in after.items()} == expected
    assert await Registration.count().where(Registration.participant == s["keep"]) == 1
    registration = await Registration.select().where(Registration.id == s["kept"]).first()
    assert registration["status"] == "registered"  # the better of waitlisted and registered
    first, second, third = s["sessions"]
    checkins = {r["session"]: r for r in await CheckIn.select().where(CheckIn.registration == s["kept"])}
    assert sorted(checkins) == sorted(s["sessions"])
    assert (checkins[first]["at"], checkins[first]["method"]) == (s["starts"][first] + dt.timedelta(minutes=3),
                                                                  "ticket_scan")  # the earlier of the two
    assert checkins[second]["method"] == "paper" and checkins[third]["method"] == "self_scan"
    assert await UndoneCheckIn.count().where(UndoneCheckIn.registration == s["kept"]) == 1
    assert await EligibilityOverride.exists().where(EligibilityOverride.registration == s["kept"])
    assert await Certificate.count().where(Certificate.registration == s["kept"]) == 1
    # The kept person's attendance counts each session once.
    event = await eligibility.load_event(None, s["event"])
    standing = await eligibility.standing(event, s["kept"])
    assert (standing.attended, standing.total, standing.missed) == (3, 3, ())

    await merging.undo(result["merge_id"], coordinator)
    assert await counts() == {**before, "participant_merge": 1, "audit_entry": before["audit_entry"] + 4}
    assert await rows() == values  # ids, times, methods, statuses, certificate owners, history: as before


async def test_the_confirmation_page_says_what_happens_to_the_shared_event(same_event, staff_client):
    s = same_event
    page = await staff_client.get(f"/manage/participants/duplicates/merge?keep={s['keep']}&drop={s['drop']}")
    assert page.status_code == 200
    assert "one registration kept. Check-ins moved to it: 2; duplicate check-ins kept aside: 2." in page.text
    assert "Certificates moved: 0; kept aside: 1." in page.text
    staff_client.cookies["lang"] = "bn"
    bangla = await staff_client.get(f"/manage/participants/duplicates/merge?keep={s['keep']}&drop={s['drop']}")
    assert "একটি নিবন্ধন রাখা হবে" in bangla.text and "আলাদা করে রাখা হবে: ২" in bangla.text
    staff_client.cookies["lang"] = "en"
    assert await CheckIn.count().where(CheckIn.registration == s["dropped"]) == 3  # the page changed nothing
    done = await staff_client.post("/manage/participants/duplicates/merge", data={"keep": s["keep"],
                                                                                  "drop": s["drop"]})
    assert done.status_code == 303
    landed = await staff_client.get(done.headers["location"])  # the flash says what happened to the shared event
    assert ("Merged: 0 registrations moved to this person. 1 event both were registered for now has one "
            "registration. The merge can be undone from this page.") in landed.text
    record = (await merging.merges_into(s["keep"]))[0]
    shown = await staff_client.get(f"/manage/participants/merges/{record['id']}")
    assert "duplicate check-ins kept aside in this record: 2." in shown.text


@pytest.mark.parametrize("change", ["status", "checkin", "certificate"])
async def test_undo_refused_with_409_when_the_kept_registration_changed(same_event, coordinator, staff_client,
                                                                       change):
    s = same_event
    result = await merging.merge(s["keep"], s["drop"], coordinator)
    first = s["sessions"][0]
    if change == "status":
        await Registration.update({Registration.status: "cancelled"}).where(Registration.id == s["kept"])
    elif change == "checkin":  # the check-in that moved was undone at the desk since
        await CheckIn.delete().where((CheckIn.registration == s["kept"]) & (CheckIn.session == first))
    else:
        moved = (await merging.get_merge(result["merge_id"]))["moved"]["shared"][0]["moved"]
        assert moved["certificate"] == []
        other = await factories.make_registration(s["event"])
        await EligibilityOverride.update({EligibilityOverride.registration: other}).where(
            EligibilityOverride.registration == s["kept"])
    before, values = await counts(), await rows()
    response = await staff_client.post(f"/manage/participants/merges/{result['merge_id']}/undo")
    assert response.status_code == 409 and "can no longer be undone" in response.text
    assert await counts() == before and await rows() == values


async def test_a_registration_with_records_the_merge_cannot_combine_is_refused(same_event, coordinator,
                                                                                monkeypatch):
    s = same_event
    monkeypatch.setattr(shared_events, "HANDLED", {"check_in"})  # as if undone check-ins were a later feature's
    before = await counts()
    with pytest.raises(merging.MergeRefused) as refused:
        await merging.merge(s["keep"], s["drop"], coordinator)
    assert refused.value.code == "same_event" and "check_in_undone" in refused.value.message
    assert await counts() == before
    assert (await merging.plan(s["keep"], s["drop"]))[0]["refused"] == refused.value.message


async def test_tests_and_feedback_of_the_removed_registration_move_and_come_back(db, coordinator):
    from portal.evaluation.tables import Answer, Attempt, FeedbackForm, FeedbackResponse, FeedbackRoll
    from tests.evaluation import worlds

    world = await worlds.make_world()
    keep = await factories.make_person(name="Rahima Begum")
    drop = await factories.make_person(name="Rahima Begam")
    kept = await factories.make_registration(world.event_id, keep)
    dropped = await factories.make_registration(world.event_id, drop)
    await worlds.take(world, dropped, "pre", [True, False, True, True])
    await worlds.take(world, kept, "post", [True, True, True, True])
    form = FeedbackForm(event=world.event_id, anonymous=True, state="open")
    await form.save()
    for registration in (kept, dropped):  # both answered the one form (anonymous: the roll names them, not this)
        await FeedbackRoll(form=form.id, registration=registration).save()
        await FeedbackResponse(form=form.id, overall=4).save()
    tables = (Attempt, Answer, FeedbackRoll, FeedbackResponse, Registration)
    before, values = await counts(), {t._meta.tablename: await t.select().order_by(t.id) for t in tables}
    result = await merging.merge(keep, drop, coordinator)
    (part,) = result["moved"]["shared"]
    assert shared_events.aside_counts([part]) == {"registration": 1, "eval_feedback_roll": 1}
    assert {t: n + shared_events.aside_counts([part]).get(t, 0) for t, n in (await counts()).items()} == {
        **before, "participant": before["participant"] - 1, "participant_merge": 1,
        "participant_phone": before["participant_phone"] + 1, "audit_entry": before["audit_entry"] + 2}
    assert sorted(r["number"] for r in await Attempt.select().where(Attempt.registration == kept)) == [1, 1]
    assert await FeedbackRoll.count().where(FeedbackRoll.registration == kept) == 1
    await merging.undo(result["merge_id"], coordinator)
    assert await counts() == {**before, "participant_merge": 1, "audit_entry": before["audit_entry"] + 4}
    assert {t._meta.tablename: await t.select().order_by(t.id) for t in tables} == values


async def test_both_attempts_at_one_test_refuse_the_merge_and_say_so(db, coordinator, staff_client):
    from tests.evaluation import worlds

    world = await worlds.make_world()
    keep = await factories.make_person(name="Rahima Begum")
    drop = await factories.make_person(name="Rahima Begam")
    for person in (keep, drop):
        await worlds.take(world, await factories.make_registration(world.event_id, person), "pre", [True] * 4)
    before = await counts()
    with pytest.raises(merging.MergeRefused) as refused:
        await merging.merge(keep, drop, coordinator)
    assert refused.value.code == "same_event" and await counts() == before
    page = await staff_client.get(f"/manage/participants/duplicates/merge?keep={keep}&drop={drop}")
    assert page.status_code == 200 and "Both took the same test" in page.text
    done = await staff_client.post("/manage/participants/duplicates/merge", data={"keep": keep, "drop": drop})
    assert done.status_code == 409 and await counts() == before


async def test_a_removed_registration_id_taken_since_comes_back_under_a_new_one_with_its_rows(same_event,
                                                                                             coordinator):
    s = same_event
    moved_checkins = await CheckIn.select(CheckIn.id, CheckIn.session).where(CheckIn.registration == s["dropped"])
    result = await merging.merge(s["keep"], s["drop"], coordinator)
    someone = await factories.make_person(name="Someone New")
    await Registration.insert(Registration(id=s["dropped"], event=s["event"], participant=someone,
                                           ticket_token="fresh-token"))  # as SQLite may reuse a freed id
    await merging.undo(result["merge_id"], coordinator)
    (back,) = await Registration.select().where(Registration.participant == s["drop"])
    assert back["id"] not in (s["dropped"], s["kept"]) and back["status"] == "registered"
    assert {r["session"] for r in await CheckIn.select().where(CheckIn.registration == back["id"])} == {
        r["session"] for r in moved_checkins}
    assert await Certificate.count().where(Certificate.registration == back["id"]) == 1
    assert (await Registration.select().where(Registration.id == s["kept"]).first())["status"] == "waitlisted"
    assert await CheckIn.count().where(CheckIn.registration == s["kept"]) == 2  # its own two, back as they were


async def test_two_events_shared_at_once(db, plan_event, coordinator):
    keep = await factories.make_person(name="Rahima Begum")
    drop = await factories.make_person(name="Rahima Begam")
    events = [await plan_event(title="Khulna workshop"), await plan_event(title="Khulna follow-up")]
    for event in events:
        first = (await Session.select(Session.id).where(Session.event == event).order_by(Session.id).first())["id"]
        await factories.make_registration(event, keep, attend=[first])
        await factories.make_registration(event, drop, attend=[first])
    before, values = await counts(), await rows()
    result = await merging.merge(keep, drop, coordinator)
    assert [p["title"] for p in result["moved"]["shared"]] == ["Khulna workshop", "Khulna follow-up"]
    assert shared_events.aside_counts(result["moved"]["shared"]) == {"registration": 2, "check_in": 2}
    assert await Registration.count().where(Registration.participant == keep) == 2
    await merging.undo(result["merge_id"], coordinator)
    assert await counts() == {**before, "participant_merge": 1, "audit_entry": before["audit_entry"] + 4}
    assert await rows() == values
