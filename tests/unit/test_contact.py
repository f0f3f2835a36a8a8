import pytest

from ameli.domain.contact import mask_email, mask_phone, parse_email, parse_french_phone
from ameli.domain.errors import FieldValidationError


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(FieldValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_email_is_trimmed_and_its_domain_normalised():
    email = parse_email("  Jean.DUPONT@Example.FR ")
    assert email.address == "Jean.DUPONT@example.fr"
    assert email.uniqueness_key == "jean.dupont@example.fr"


def test_uppercase_local_part_has_the_same_uniqueness_key():
    assert parse_email("VENTURI@example.fr").uniqueness_key == parse_email("venturi@EXAMPLE.fr").uniqueness_key


def test_internationalised_domain_key_is_in_ascii_form():
    email = parse_email("Paul@Exâmple.FR")
    assert email.address == "Paul@exâmple.fr"
    assert email.uniqueness_key == "paul@xn--exmple-xta.fr"
    assert email.ascii_address == "Paul@xn--exmple-xta.fr"
    assert parse_email("paul@xn--exmple-xta.fr").uniqueness_key == email.uniqueness_key


def test_empty_email_is_required():
    assert _code(parse_email, "   ") == "REQUIRED"


@pytest.mark.parametrize("raw", ["venturi", "venturi@", "@example.fr", "venturi@example", "ven turi@example.fr",
                                 "venturi@@example.fr", "Paul <venturi@example.fr>", "élodie@example.fr"])
def test_invalid_email_is_refused(raw):
    assert _code(parse_email, raw) == "INVALID_EMAIL"


def test_reserved_test_domain_is_accepted_only_in_test_environment():
    assert _code(parse_email, "angela.dubois@example.test") == "INVALID_EMAIL"
    assert parse_email("angela.dubois@example.test", test_environment=True).address == "angela.dubois@example.test"


def test_email_message_never_echoes_the_address():
    with pytest.raises(FieldValidationError) as caught:
        parse_email("venturi@example")
    assert "venturi" not in caught.value.message


def test_email_is_masked_for_display_and_logs():
    assert mask_email("venturi@example.fr") == "v***@example.fr"
    assert mask_email("not-an-address") == "***"
    assert "venturi" not in repr(parse_email("venturi@example.fr"))


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("07 56 12 34 56", "+33756123456"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("+590 690 12 34 56", "+590690123456"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0693 12 34 56", "+262693123456"),
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("0639 01 23 45", "+262639012345"),  # Mayotte
    ],
)
def test_french_mobiles_including_overseas_are_stored_in_e164(raw, e164):
    assert parse_french_phone(raw, "mobile") == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("01 23 45 67 89", "+33123456789"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("09 51 23 45 67", "+33951234567"),  # "box" number
        ("0590 27 12 34", "+590590271234"),  # Guadeloupe / Saint-Barthélemy
        ("0596 60 12 34", "+596596601234"),  # Martinique, not +33
        ("0594 30 12 34", "+594594301234"),  # Guyane
        ("0262 21 12 34", "+262262211234"),  # La Réunion
        ("0269 61 12 34", "+262269611234"),  # Mayotte, not +33
        ("+508 41 12 34", "+508411234"),  # Saint-Pierre-et-Miquelon
    ],
)
def test_french_landlines_including_overseas_are_stored_in_e164(raw, e164):
    assert parse_french_phone(raw, "landline") == e164


def test_mobile_field_refuses_a_landline():
    assert _code(parse_french_phone, "01 23 45 67 89", "mobile") == "INVALID_MOBILE"
    assert _code(parse_french_phone, "0590 27 12 34", "mobile") == "INVALID_MOBILE"


def test_landline_field_refuses_a_mobile():
    assert _code(parse_french_phone, "06 12 34 56 78", "landline") == "INVALID_LANDLINE"
    assert _code(parse_french_phone, "0690 12 34 56", "landline") == "INVALID_LANDLINE"


@pytest.mark.parametrize("raw", ["+32 470 12 34 56", "+44 7911 123456", "+1 202 555 0147"])
def test_foreign_numbers_are_refused(raw):
    assert _code(parse_french_phone, raw, "mobile") == "INVALID_MOBILE"


@pytest.mark.parametrize("raw", ["06 12 34 56", "06 12 34 56 78 90", "abcdef", "0800 12 34 56", "1" * 60])
def test_invalid_numbers_are_refused(raw):
    assert _code(parse_french_phone, raw, "mobile") == "INVALID_MOBILE"
    assert _code(parse_french_phone, raw, "landline") == "INVALID_LANDLINE"


def test_blank_phone_is_required_for_the_parser():
    assert _code(parse_french_phone, "  ", "mobile") == "REQUIRED"


def test_phone_message_never_echoes_the_number():
    with pytest.raises(FieldValidationError) as caught:
        parse_french_phone("06 98 76 54", "mobile")
    assert "98 76 54" not in caught.value.message


def test_phone_is_masked_for_display():
    assert mask_phone("+33612345678") == "+33 6 ** ** ** 78"
    assert mask_phone("+590690123456") == "+590 6 ** ** ** 56"
    assert mask_phone("garbage") == "***"
