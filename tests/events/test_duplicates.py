"""Likely duplicates in the directory (issue 15): one name spelled two ways in one district."""

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
