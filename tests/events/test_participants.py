import pytest

from portal.core.errors import NotFound, ValidationFailed
from portal.events.participants import services as participants
from portal.events.participants.services import DuplicatePerson
from portal.events.tables import Participant

pytestmark = pytest.mark.anyio


def person(**changes):
    return {"name": "Rahima Begum", "name_bn": "রহিমা বেগম", "gender": "female", "organisation": "WARBE",
            "stakeholder_type": "returnee", "district": "Sylhet", "phone": "01711-234567",
            "email": "rahima@example.org", **changes}


async def test_phone_is_stored_in_e164_and_bangla_name_kept(create_user):
    user = await create_user("coordinator")
    person_id = await participants.create_participant(person(), user)
    row = await participants.get_participant(person_id)
    assert row["phone"] == "+8801711234567"
    assert row["name_bn"] == "রহিমা বেগম"
    assert row["district"] == "sylhet"


@pytest.mark.parametrize("same", [{"phone": "+8801711234567", "email": ""}, {"phone": "8801711234567", "email": ""},
                                  {"phone": "", "email": "RAHIMA@example.org"}])
async def test_the_same_person_is_matched_not_duplicated(create_user, same):
    user = await create_user("coordinator")
    first = await participants.create_participant(person(), user)
    with pytest.raises(DuplicatePerson) as excinfo:
        await participants.create_participant(person(name="R. Begum", **same), user)
    assert excinfo.value.code == "duplicate" and excinfo.value.existing["id"] == first
    assert await Participant.count() == 1


@pytest.mark.parametrize(("changes", "field"), [({"name": ""}, "name"), ({"phone": "12345"}, "phone"),
                                                 ({"email": "nope"}, "email"), ({"district": "Mars"}, "district"),
                                                 ({"gender": "x"}, "gender"), ({"stakeholder_type": "x"},
                                                                               "stakeholder_type")])
async def test_bad_participant_input(create_user, changes, field):
    user = await create_user("coordinator")
    with pytest.raises(ValidationFailed) as excinfo:
        await participants.create_participant(person(**changes), user)
    assert field in excinfo.value.errors
    assert await Participant.count() == 0


async def test_search_by_name_bangla_name_organisation_and_any_phone_form(create_user):
    user = await create_user("coordinator")
    await participants.create_participant(person(), user)
    await participants.create_participant(person(name="Mizanur Rahman", name_bn="", phone="01819-000111",
                                                 email="", organisation="UNO office"), user)
    for q in ("rahima", "রহিমা", "warbe", "01711-234567", "+8801711234567", "234567"):
        rows, total = await participants.list_participants(q)
        assert total == 1 and rows[0]["name"] == "Rahima Begum", q
    assert (await participants.list_participants(district="sylhet"))[1] == 2


async def test_organizer_edits_only_people_of_their_districts(create_user):
    coordinator = await create_user("coordinator")
    person_id = await participants.create_participant(person(district="khulna"), coordinator)
    organizer = await create_user("organizer", districts=("sylhet",))
    with pytest.raises(NotFound):
        await participants.update_participant(person_id, person(name="Changed"), organizer)
    mine = await participants.create_participant(person(phone="01911-111222", email="", district="sylhet"),
                                                 coordinator)
    with pytest.raises(ValidationFailed):
        await participants.update_participant(mine, person(phone="01911-111222", email="", district="khulna"),
                                              organizer)
    await participants.update_participant(mine, person(name="Rahima B.", phone="01911-111222", email="",
                                                       district="sylhet"), organizer)
    assert (await participants.get_participant(mine))["name"] == "Rahima B."


async def test_update_refuses_someone_elses_phone(create_user):
    user = await create_user("coordinator")
    await participants.create_participant(person(), user)
    other = await participants.create_participant(person(phone="01911-111222", email=""), user)
    with pytest.raises(DuplicatePerson):
        await participants.update_participant(other, person(email=""), user)
