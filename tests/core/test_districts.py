from portal.core.districts import BY_CODE, DISTRICTS, DIVISIONS, find_district


def test_sixty_four_districts_in_eight_divisions():
    assert len(DISTRICTS) == 64
    assert len(DIVISIONS) == 8
    assert len({d.code for d in DISTRICTS}) == 64


def test_the_ten_service_centre_districts_exist():
    for name in ["Sylhet", "Sirajganj", "Tangail", "Narsingdi", "Dhaka", "Cumilla", "Munshiganj", "Shariatpur",
                 "Noakhali", "Khulna"]:
        assert find_district(name) is not None, name


def test_old_spellings_bangla_names_and_codes_find_the_same_district():
    cumilla = BY_CODE["cumilla"]
    assert find_district("Comilla") == cumilla
    assert find_district("কুমিল্লা") == cumilla
    assert find_district(" cumilla ") == cumilla
    assert find_district("Cumilla District") == cumilla
    assert find_district("Cox's Bazar").code == "coxs-bazar"
    assert find_district("Chittagong").code == "chattogram"


def test_unknown_district_is_none():
    assert find_district("Atlantis") is None
    assert find_district("") is None
    assert find_district(None) is None
