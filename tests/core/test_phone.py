import pytest

from portal.core.phone import PhoneError, mask_phone, normalise_phone


@pytest.mark.parametrize("text", ["01711-234567", "+8801711234567", "8801711234567", "01711 234 567",
                                  "1711234567", "008801711234567"])
def test_bangladeshi_mobile_numbers_normalise_to_one_e164(text):
    assert normalise_phone(text) == "+8801711234567"


@pytest.mark.parametrize("text", ["12345", "hello", "0171123456789", "+88017"])
def test_invalid_numbers_are_refused(text):
    with pytest.raises(PhoneError):
        normalise_phone(text)


def test_blank_is_none():
    assert normalise_phone("  ") is None
    assert normalise_phone(None) is None


def test_mask_keeps_last_three_digits():
    assert mask_phone("+8801711234567") == "+8801711•••567"
    assert mask_phone(None) == ""
