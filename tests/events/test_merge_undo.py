"""Undoing a merge (issue 15): the removed person comes back with exactly the rows that moved; every table's rows
counted before the merge, after it and after the undo; refused with a message when rows changed since."""

import pytest

from portal.certificates.tables import Certificate, PoolMember
from portal.core.tables import AuditEntry
from portal.events.participants import merge as merging
from portal.events.participants import phones
from portal.events.tables import (
    CheckIn,
    Event,
    Participant,
    ParticipantMerge,
    ParticipantPhone,
    Registration,
    SessionFacilitator,
)
from portal.piccolo_conf import APP_REGISTRY
from tests import factories

pytestmark = pytest.mark.anyio


async def counts() -> dict[str, int]:
    """Rows of every table the portal has."""
    tables = {t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes}
    return {t._meta.tablename: await t.count() for t in sorted(tables, key=lambda t: t._meta.tablename)}


@pytest.fixture
async def two(db, event_id, session_id, coordinator):
    """Two rows of one person: the kept one registered for another event; the removed one registered and checked
    in here with a certificate, a pool place, a session led, two numbers and an email the kept one lacks."""
    keep = await factories.make_person(name="Md. Karim Uddin", district="khulna", phone="+8801711000001")
    drop = await factories.make_person(name="Mohammad Karim Udin", district="khulna", phone="+8801811000002",
                                       email="karim@example.org", organisation="BMET")
    await ParticipantPhone(participant=drop, phone="+8801911000003").save()
    await ParticipantPhone(participant=keep, phone="+8801311000004").save()
    event = await Event.select().where(Event.id == event_id).first()
    other = Event(**{k: v for k, v in event.items() if k != "id"})
    await other.save()
    await factories.make_registration(other.id, keep)
    moved = await factories.make_registration(event_id, drop, attend=[session_id])
    await Certificate(serial="TOT-2026-0001", code="c" * 20, kind="participation", registration=moved).save()
    await PoolMember(participant=drop, district="khulna").save()
    await SessionFacilitator(session=session_id, participant=drop, role="trainer").save()
    for n in range(5):  # bystanders the merge must not touch
        await factories.make_registration(event_id, attend=[session_id] if n % 2 else [])
    return keep, drop, moved


async def test_merge_then_undo_restores_every_row(two, coordinator):
    keep, drop, moved = two
    dropped_before = await Participant.select().where(Participant.id == drop).first()
    before = await counts()
    result = await merging.merge(keep, drop, coordinator)
    merged = await counts()
    assert merged == {**before, "participant": before["participant"] - 1,
                      "participant_phone": before["participant_phone"] + 1,  # the removed primary, now an other
                      "participant_merge": 1, "audit_entry": before["audit_entry"] + 2}
    assert sorted(await phones.others(keep)) == ["+8801311000004", "+8801811000002", "+8801911000003"]
    assert await Registration.count().where(Registration.participant == keep) == 2
    assert await SessionFacilitator.exists().where(SessionFacilitator.participant == keep)

    await merging.undo(result["merge_id"], coordinator)
    undone = await counts()
    assert undone == {**before, "participant_merge": 1, "audit_entry": before["audit_entry"] + 4}
    assert await Participant.select().where(Participant.id == drop).first() == dropped_before
    kept = await Participant.select().where(Participant.id == keep).first()
    assert (kept["email"], kept["organisation"]) == (None, "")  # the filled fields emptied again
    assert await phones.others(keep) == ["+8801311000004"] and await phones.others(drop) == ["+8801911000003"]
    assert [r["id"] for r in await Registration.select(Registration.id).where(Registration.participant == drop)] \
        == [moved]
    assert await CheckIn.count().where(CheckIn.registration == moved) == 1
    assert await Certificate.exists().where(Certificate.registration == moved)
    assert await PoolMember.exists().where(PoolMember.participant == drop)
    assert await SessionFacilitator.exists().where(SessionFacilitator.participant == drop)
    record = await ParticipantMerge.select().where(ParticipantMerge.id == result["merge_id"]).first()
    assert record["undone_at"] is not None and record["undone_by"] == coordinator.id
    assert await AuditEntry.exists().where(AuditEntry.action == "participant.merge_undo")
    with pytest.raises(merging.MergeRefused) as again:
        await merging.undo(result["merge_id"], coordinator)
    assert again.value.code == "undone"


async def test_the_kept_one_without_a_phone_takes_the_removed_primary_and_gives_it_back(db, coordinator):
    keep = await factories.make_person(name="Nasima Akter", district="jashore", phone=None)
    drop = await factories.make_person(name="Nasima Akhter", district="jashore", phone="+8801711999999")
    result = await merging.merge(keep, drop, coordinator)
    assert (await Participant.select().where(Participant.id == keep).first())["phone"] == "+8801711999999"
    await merging.undo(result["merge_id"], coordinator)
    assert (await Participant.select().where(Participant.id == keep).first())["phone"] is None
    assert (await Participant.select().where(Participant.id == drop).first())["phone"] == "+8801711999999"


@pytest.mark.parametrize("order", ["first_merge_first", "last_merge_first"])
async def test_a_chain_of_merges_undoes_in_any_order(db, event_id, session_id, coordinator, order):
    a = await factories.make_person(name="Rahima Begum")
    b = await factories.make_person(name="Rahima Begam")
    c = await factories.make_person(name="Rohima Begum")
    await ParticipantPhone(participant=c, phone="+8801911000009").save()
    c_registration = await factories.make_registration(event_id, c, attend=[session_id])
    before = await counts()
    people = await Participant.select().order_by(Participant.id)
    first = await merging.merge(b, c, coordinator)  # c into b
    second = await merging.merge(a, b, coordinator)  # b (holding c's merge and rows) into a
    assert (await ParticipantMerge.select().where(ParticipantMerge.id == first["merge_id"]).first())["kept"] == a
    assert await Registration.count().where(Registration.participant == a) == 1
    undo_order = [first, second] if order == "first_merge_first" else [second, first]
    for merge in undo_order:
        await merging.undo(merge["merge_id"], coordinator)
    assert await Participant.select().order_by(Participant.id) == people
    assert await counts() == {**before, "participant_merge": 2, "audit_entry": before["audit_entry"] + 8}
    assert await phones.others(c) == ["+8801911000009"] and await phones.others(a) == []
    assert (await Registration.select().where(Registration.id == c_registration).first())["participant"] == c


@pytest.mark.parametrize("change", ["registration_moved", "phone_removed", "number_taken", "pool_changed"])
async def test_undo_is_refused_when_rows_changed_since_and_changes_nothing(two, coordinator, change):
    keep, drop, moved = two
    result = await merging.merge(keep, drop, coordinator)
    if change == "registration_moved":
        someone = await factories.make_person(name="Someone Else")
        await Registration.update({Registration.participant: someone}).where(Registration.id == moved)
    elif change == "phone_removed":
        await ParticipantPhone.delete().where(ParticipantPhone.phone == "+8801911000003")
    elif change == "number_taken":  # the removed person's email went to someone else meanwhile
        await Participant.update({Participant.email: None}).where(Participant.id == keep)
        await factories.make_person(name="Another", email="karim@example.org")
    else:
        await PoolMember.update({PoolMember.status: "inactive"}).where(PoolMember.participant == keep)
        member = await PoolMember.select(PoolMember.id).where(PoolMember.participant == keep).first()
        await PoolMember.update({PoolMember.participant: await factories.make_person(name="New trainer")}).where(
            PoolMember.id == member["id"])
    before = await counts()
    with pytest.raises(merging.MergeRefused) as refused:
        await merging.undo(result["merge_id"], coordinator)
    assert refused.value.code == "undo_impossible" and "no longer be undone" in refused.value.message
    assert await counts() == before
    assert not await Participant.exists().where(Participant.id == drop)


async def test_merge_refuses_two_leaders_of_one_session(db, session_id, coordinator):
    keep = await factories.make_person(name="Karim")
    drop = await factories.make_person(name="Karim U")
    for person in (keep, drop):
        await SessionFacilitator(session=session_id, participant=person, role="trainer").save()
    with pytest.raises(merging.MergeRefused) as refused:
        await merging.merge(keep, drop, coordinator)
    assert refused.value.code == "same_session" and await Participant.count() == 2


async def test_undo_through_the_pages_and_the_audit_log(staff_client, db, event_id):
    keep = await factories.make_person(name="Nasima Akter", district="jashore")
    drop = await factories.make_person(name="Nasima Akhter", district="jashore")
    await ParticipantPhone(participant=drop, phone="+8801911000777").save()
    await factories.make_registration(event_id, drop)
    compare = await staff_client.get(f"/manage/participants/duplicates/merge?keep={keep}&drop={drop}")
    assert "+8801911000777" in compare.text  # every number of both, to decide
    done = await staff_client.post("/manage/participants/duplicates/merge", data={"keep": keep, "drop": drop})
    assert done.status_code == 303
    person = await staff_client.get(f"/manage/participants/{keep}")
    record = await ParticipantMerge.select().first()
    link = f"/manage/participants/merges/{record['id']}"
    assert person.status_code == 200 and link in person.text and "Merged into this person" in person.text
    log = await staff_client.get("/manage/audit/")
    assert log.status_code == 200 and link in log.text
    page = await staff_client.get(link)
    assert page.status_code == 200 and "Nasima Akhter" in page.text and "Undo this merge" in page.text
    staff_client.cookies["lang"] = "bn"
    assert "একত্র" in (await staff_client.get(link)).text
    staff_client.cookies["lang"] = "en"
    undone = await staff_client.post(f"{link}/undo")
    assert undone.status_code == 303 and undone.headers["location"].endswith(f"/manage/participants/{drop}")
    assert await Registration.count().where(Registration.participant == drop) == 1
    again = await staff_client.post(f"{link}/undo")
    assert again.status_code == 409 and "already undone" in again.text


async def test_an_organizer_of_another_district_may_not_see_or_undo(client, create_user, login, db, coordinator):
    keep = await factories.make_person(name="Nasima Akter", district="jashore")
    drop = await factories.make_person(name="Nasima Akhter", district="jashore")
    result = await merging.merge(keep, drop, coordinator)
    await login(client, await create_user("organizer", districts=("sylhet",)))
    link = f"/manage/participants/merges/{result['merge_id']}"
    assert (await client.get(link)).status_code == 404
    assert (await client.post(f"{link}/undo")).status_code == 404
    assert not await Participant.exists().where(Participant.id == drop)


async def test_a_trainer_may_not_reach_merges(client, create_user, login, db, coordinator):
    keep = await factories.make_person(name="Nasima Akter", district="jashore")
    drop = await factories.make_person(name="Nasima Akhter", district="jashore")
    result = await merging.merge(keep, drop, coordinator)
    await login(client, await create_user("trainer"))
    assert (await client.post(f"/manage/participants/merges/{result['merge_id']}/undo")).status_code in (403, 404)
    assert not await Participant.exists().where(Participant.id == drop)


async def test_a_removed_id_given_to_someone_new_brings_the_person_back_under_a_new_one(two, coordinator):
    keep, drop, moved = two
    result = await merging.merge(keep, drop, coordinator)
    await Participant.insert(Participant(id=drop, name="Someone New", district="khulna"))  # as SQLite may do
    record = await merging.undo(result["merge_id"], coordinator)
    restored = record["restored_id"]
    assert restored not in (drop, keep)
    back = await Participant.select().where(Participant.id == restored).first()
    assert (back["name"], back["phone"], back["email"]) == ("Mohammad Karim Udin", "+8801811000002",
                                                            "karim@example.org")
    assert (await Registration.select().where(Registration.id == moved).first())["participant"] == restored
    assert await phones.others(restored) == ["+8801911000003"]
    assert await PoolMember.exists().where(PoolMember.participant == restored)
    assert (await Participant.select().where(Participant.id == drop).first())["name"] == "Someone New"
