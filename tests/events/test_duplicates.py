"""Likely duplicates in the directory (issue 15): one name spelled two ways in one district."""

import json

import pytest

from portal.events.participants.duplicates import likely_duplicates, name_key
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("one", "other"), [
    ("Md. Karim Uddin", "Mohammad Karim Udin"),
    ("Muhammad Karim Uddin", "Karim Uddin, Md"),
    ("Rahima Begam", "RAHIMA BEGUM"),
    ("Nasima Akhter", "Nasima Akter"),
    ("Anwar Hussain", "Anwar Hossain"),
    ("মোঃ করিম উদ্দিন", "মোহাম্মদ করিম উদ্দিন"),
    ("Dr. Shirin Sultana", "Shirin Sultana"),
])
def test_spellings_of_one_name_meet(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), [("Rahima Begum", "Rahela Begum"), ("Karim Uddin", "Karim Uddin Khan")])
def test_different_names_stay_apart(one, other):
    assert name_key(one) != name_key(other)


async def test_groups_are_per_district_and_count_registrations(db, event_id):
    karim = await factories.make_person(name="Md. Karim Uddin", district="khulna")
    again = await factories.make_person(name="Mohammad Karim Udin", district="khulna")
    await factories.make_person(name="Muhammad Karim Uddin", district="sylhet")  # another district
    bangla = await factories.make_person(name="Rahima Begum", name_bn="রহিমা বেগম", district="khulna")
    bangla_again = await factories.make_person(name="Rohima Khatun", name_bn="রহিমা  বেগম", district="khulna")
    for n in range(30):
        await factories.make_person(name=f"Person {n}", district="khulna")
    await factories.make_registration(event_id, karim)
    groups = await likely_duplicates()
    found = {tuple(sorted(p["id"] for p in g.people)): g for g in groups}
    assert set(found) == {(karim, again), (bangla, bangla_again)}
    assert found[(bangla, bangla_again)].reason == "name_bn"
    assert {p["id"]: p["registrations"] for p in found[(karim, again)].people} == {karim: 1, again: 0}
    assert await likely_duplicates(("sylhet",)) == []


async def test_the_page_lists_the_groups_in_both_languages(staff_client, db):
    await factories.make_person(name="Nasima Akhter", district="jashore")
    await factories.make_person(name="Nasima Akter", district="jashore")
    page = await staff_client.get("/manage/participants/duplicates")
    assert page.status_code == 200 and "Nasima Akhter" in page.text and "Jashore · same name" in page.text
    staff_client.cookies["lang"] = "bn"
    page = await staff_client.get("/manage/participants/duplicates")
    assert page.status_code == 200 and "যশোর" in page.text and "সম্ভাব্য একই ব্যক্তি" in page.text


async def test_merge_moves_registrations_attendance_certificates_and_pool_and_is_audited(
        db, event_id, session_id, coordinator):
    from portal.certificates.tables import Certificate, PoolMember
    from portal.core.tables import AuditEntry
    from portal.events.participants import merge as merging
    from portal.events.tables import CheckIn, Event, Participant, Registration

    keep = await factories.make_person(name="Md. Karim Uddin", district="khulna", phone="+8801711000001")
    drop = await factories.make_person(name="Mohammad Karim Udin", district="khulna", phone="+8801811000002",
                                       email="karim@example.org", organisation="BMET")
    event = await Event.select().where(Event.id == event_id).first()
    other = Event(**{k: v for k, v in event.items() if k != "id"})
    await other.save()
    await factories.make_registration(other.id, keep)
    moved = await factories.make_registration(event_id, drop, attend=[session_id])
    certificate = Certificate(serial="TOT-2026-0001", code="c" * 20, kind="participation", registration=moved)
    await certificate.save()
    await PoolMember(participant=drop, district="khulna").save()
    before = {t.__name__: await t.count() for t in (Registration, CheckIn, Certificate, PoolMember)}
    result = await merging.merge(keep, drop, coordinator)
    assert result["moved"]["registrations"] == [moved] and result["filled"] == {
        "organisation": "BMET", "email": "karim@example.org"}
    assert {t.__name__: await t.count() for t in (Registration, CheckIn, Certificate, PoolMember)} == before
    assert await Registration.count().where(Registration.participant == keep) == 2
    assert await PoolMember.exists().where(PoolMember.participant == keep)
    assert not await Participant.exists().where(Participant.id == drop)
    kept = await Participant.select().where(Participant.id == keep).first()
    assert (kept["phone"], kept["email"]) == ("+8801711000001", "karim@example.org")
    entry = await AuditEntry.select().where(AuditEntry.action == "participant.merge").first()
    before_json = entry["before"] if isinstance(entry["before"], dict) else json.loads(entry["before"])
    assert entry["record_id"] == str(keep) and before_json["dropped"]["phone"] == "+8801811000002"


async def test_merge_of_two_registrations_for_one_event_keeps_one(db, event_id, coordinator):
    from portal.events.participants import merge as merging
    from portal.events.tables import Participant, Registration

    keep = await factories.make_person(name="Rahima Begum")
    drop = await factories.make_person(name="Rahima Begam")
    kept = await factories.make_registration(event_id, keep, status="invited")
    dropped = await factories.make_registration(event_id, drop)
    result = await merging.merge(keep, drop, coordinator)
    assert await Participant.count() == 1 and result["moved"]["registrations"] == []
    assert [(r["id"], r["status"]) for r in await Registration.select().where(Registration.event == event_id)] \
        == [(kept, "registered")]  # the kept person's row, with the better status of the two
    assert result["moved"]["shared"][0]["aside"]["registration"][0]["id"] == dropped


async def test_merge_through_the_pages(staff_client, db, event_id):
    from portal.events.tables import Participant, Registration

    keep = await factories.make_person(name="Nasima Akter", district="jashore")
    drop = await factories.make_person(name="Nasima Akhter", district="jashore")
    await factories.make_registration(event_id, drop)
    page = await staff_client.get("/manage/participants/duplicates")
    assert "Compare and merge" in page.text
    confirm = await staff_client.get(f"/manage/participants/duplicates/merge?keep={keep}&drop={drop}")
    assert confirm.status_code == 200 and "Nasima Akhter" in confirm.text
    same = await staff_client.post("/manage/participants/duplicates/merge", data={"keep": keep, "drop": keep})
    assert same.status_code == 409 and "Choose two different people." in same.text
    done = await staff_client.post("/manage/participants/duplicates/merge", data={"keep": keep, "drop": drop})
    assert done.status_code == 303 and done.headers["location"].endswith(f"/manage/participants/{keep}")
    assert await Participant.count() == 1 and await Registration.count().where(Registration.participant == keep) == 1
