"""Contact details are cleaned the same way for the API and the public form."""

import pytest

from booking.errors import InvalidInput
from booking.validation import email_clean, name_clean, phone_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("070-123 45 67", "+46701234567"),
        ("0701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("+358 40 123 4567", "+358401234567"),  # Finland
        ("+47 412 34 567", "+4741234567"),  # Norway
    ],
)
def test_it_stores_nordic_mobile_numbers_in_e164_also_for_sms(raw, expected):
    assert phone_normalize(raw) == expected
    assert phone_normalize(raw, sms_consent=True) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+49 151 23456789", "+4915123456789"),  # Germany
        ("+1 202 555 0143", "+12025550143"),  # US: mobile or landline cannot be told apart
    ],
)
def test_it_stores_mobile_numbers_of_any_country_as_a_contact_but_not_for_sms(raw, expected):
    # SMS_ALLOWED_COUNTRIES (default the Nordic countries): no SMS abroad, a contact still.
    assert phone_normalize(raw) == expected
    with pytest.raises(InvalidInput) as caught:
        phone_normalize(raw, sms_consent=True)
    [error] = caught.value.errors
    assert (error["pointer"], error["code"]) == ("/phone", "phone_country_not_allowed")


def test_it_refuses_a_swedish_landline_for_sms_with_a_clear_message():
    with pytest.raises(InvalidInput) as caught:
        phone_normalize("08-123 456 78")
    [error] = caught.value.errors
    assert error["pointer"] == "/phone"
    assert error["code"] == "phone_not_mobile"
    assert "mobilnummer" in error["detail"]


def test_it_accepts_a_landline_when_no_sms_is_sent():
    assert phone_normalize("08-123 456 78", for_sms=False) == "+46812345678"


@pytest.mark.parametrize("raw", ["abc", "+46 70 123 45 6", "12", "1" * 200, "070\x00123"])
def test_it_refuses_what_is_not_a_phone_number(raw):
    with pytest.raises(InvalidInput) as caught:
        phone_normalize(raw)
    assert caught.value.errors[0]["code"] == "phone_invalid"


def test_it_cleans_email_and_refuses_nonsense():
    assert email_clean("  Anna@Example.SE ") == "Anna@example.se"
    assert email_clean("") == ""
    for bad in ["anna", "anna@", "a b@example.se", "anna@exa\nmple.se", "x" * 250 + "@example.se"]:
        with pytest.raises(InvalidInput):
            email_clean(bad)


def test_it_trims_names_and_keeps_any_script_and_emoji():
    assert name_clean("  Åsa   Öberg ") == "Åsa Öberg"
    assert name_clean("Niilo Sámi 📚👩‍👧") == "Niilo Sámi 📚👩‍👧"
    assert name_clean("محمد") == "محمد"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "name_blank"),
        ("   ", "name_blank"),
        ("Anna\nDROP", "name_control"),
        ("A\x1b[31m", "name_control"),
        ("x" * 121, "name_too_long"),
    ],
)
def test_it_refuses_bad_names(raw, code):
    with pytest.raises(InvalidInput) as caught:
        name_clean(raw)
    assert caught.value.errors[0]["code"] == code


@pytest.mark.parametrize("name", ["Anna \u202eannA", "Anna\u2066 Berg", "Anna\r\nBerg"])
def test_direction_overrides_and_line_breaks_in_a_name_are_refused(name):
    from booking.errors import InvalidInput
    from booking.validation import name_clean

    with pytest.raises(InvalidInput) as refused:
        name_clean(name)
    assert refused.value.errors[0]["pointer"] == "/name"


def test_a_right_to_left_name_itself_is_welcome():
    from booking.validation import name_clean

    assert name_clean("  مريم   العلي ") == "مريم العلي"
