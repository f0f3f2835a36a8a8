from datetime import date

import pytest

from ameli.domain.errors import FieldValidationError
from ameli.domain.nir import (
    Nir,
    nir_key,
    nir_matches_birth_date,
    normalize_nir,
    parse_birth_date,
    parse_nir,
    parse_postal_code,
)

TODAY = date(2020, 4, 30)


def _code(call, *args) -> str:
    with pytest.raises(FieldValidationError) as caught:
        call(*args)
    return caught.value.code


@pytest.mark.parametrize(
    ("nir13", "key"),
    [
        ("1 62 12 2B 010 001", "03"),
        ("2 84 05 2A 321 025", "52"),
        ("2 55 08 14 168 025", "38"),
        ("1 85 05 97 105 084", "03"),
        ("2 95 10 99 126 111", "93"),
    ],
)
def test_nir_key_is_97_minus_n_mod_97_with_corsica_substitution(nir13, key):
    assert nir_key(nir13) == key
    assert parse_nir(nir13).key == key


def test_nir_input_ignores_spaces_dots_hyphens_and_case():
    assert normalize_nir(" 1.62-12 2b 010\t001 ") == "162122B010001"
    assert parse_nir("1.62-12-2b-010-001").value == "162122B010001"


def test_thirteen_character_nir_is_accepted():
    nir = parse_nir("1 62 12 2B 010 001")
    assert nir == Nir("162122B010001")
    assert (nir.sex_digit, nir.year_digits, nir.month_field) == (1, 62, 12)
    assert (nir.place, nir.order) == ("2B010", "001")


def test_fifteen_character_nir_with_right_key_is_accepted():
    assert parse_nir("1 62 12 2B 010 001 03").value == "162122B010001"
    assert parse_nir("284052A32102552").value == "284052A321025"


def test_fifteen_character_nir_with_wrong_key_is_refused():
    assert _code(parse_nir, "1 62 12 2B 010 001 04") == "INVALID_KEY"


def test_empty_nir_is_required():
    assert _code(parse_nir, "  ") == "REQUIRED"


@pytest.mark.parametrize(
    "raw",
    ["16212", "1 62 12 2B 010 001 0", "16212201000", "16212 2C 010 001", "1 62 12 2B 01A 001", "162122B0100010", "1621A2B010001"],
)
def test_malformed_nir_is_refused(raw):
    assert _code(parse_nir, raw) == "INVALID_FORMAT"


@pytest.mark.parametrize("raw", ["7 62 12 99 010 001", "8 62 12 2B 010 001", "862122B01000103"])
def test_provisional_nir_starting_with_7_or_8_is_refused(raw):
    assert _code(parse_nir, raw) == "PROVISIONAL_NIR"


@pytest.mark.parametrize("first", ["0", "3", "4", "5", "6", "9"])
def test_sex_digit_other_than_1_or_2_is_refused(first):
    assert _code(parse_nir, f"{first}621275107001") == "INVALID_FORMAT"


@pytest.mark.parametrize("month", ["01", "12", "20", "30", "31", "42", "50", "99"])
def test_month_field_in_allowed_ranges_is_accepted(month):
    assert parse_nir(f"162{month}75107001").month_field == int(month)


@pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
def test_month_field_outside_allowed_ranges_is_refused(month):
    assert _code(parse_nir, f"162{month}75107001") == "INVALID_FORMAT"


def test_corsican_places_2a_and_2b_are_accepted():
    assert parse_nir("2 84 05 2A 321 025").place == "2A321"
    assert parse_nir("1 62 12 2B 010 001").place == "2B010"


def test_nir_repr_does_not_show_the_number():
    assert "162122" not in repr(parse_nir("162122B010001"))


def test_nir_and_birth_date_agree_on_year_and_month():
    nir = parse_nir("162122B010001")
    assert nir_matches_birth_date(nir, date(1962, 12, 18))
    assert not nir_matches_birth_date(nir, date(1962, 11, 18))
    assert not nir_matches_birth_date(nir, date(1963, 12, 18))
    assert nir_matches_birth_date(nir, date(1862, 12, 18))  # only year mod 100 is compared


def test_nir_month_31_to_42_means_month_plus_30():
    nir = parse_nir("16242 75 107 001")
    assert nir_matches_birth_date(nir, date(1962, 12, 1))
    assert not nir_matches_birth_date(nir, date(1962, 11, 1))
    assert nir_matches_birth_date(parse_nir("16231 75 107 001"), date(1962, 1, 1))


@pytest.mark.parametrize("month", ["20", "30", "50", "99"])
def test_nir_unknown_month_is_not_checked(month):
    nir = parse_nir(f"162{month}75107001")
    assert nir_matches_birth_date(nir, date(1962, 7, 14))
    assert not nir_matches_birth_date(nir, date(1961, 7, 14))


def test_birth_date_iso_format_is_parsed():
    assert parse_birth_date(" 1962-12-18 ", TODAY) == date(1962, 12, 18)
    assert parse_birth_date("2000-02-29", TODAY) == date(2000, 2, 29)


def test_empty_birth_date_is_required():
    assert _code(parse_birth_date, "", TODAY) == "REQUIRED"


@pytest.mark.parametrize("raw", ["1990-02-31", "1900-02-29", "1990-13-01", "1990-00-10"])
def test_impossible_birth_date_is_refused(raw):
    assert _code(parse_birth_date, raw, TODAY) == "INVALID_DATE"


@pytest.mark.parametrize("raw", ["18/12/1962", "1962-1-8", "abcd-ef-gh", "19621218"])
def test_a_birth_date_in_another_format_is_told_the_expected_format(raw):
    with pytest.raises(FieldValidationError) as refused:
        parse_birth_date(raw, TODAY)
    assert refused.value.code == "INVALID_FORMAT"
    assert "AAAA-MM-JJ" in refused.value.message and "n'existe pas" not in refused.value.message


def test_birth_date_in_the_future_is_refused():
    assert _code(parse_birth_date, "2020-05-01", TODAY) == "FUTURE_DATE"
    assert parse_birth_date("2020-04-30", TODAY) == TODAY


def test_postal_code_is_five_digits_once_spaces_removed():
    assert parse_postal_code(" 63 000 ") == "63000"
    assert parse_postal_code("97105") == "97105"


@pytest.mark.parametrize("raw", ["6300", "630000", "2A000", "63-000"])
def test_postal_code_other_than_five_digits_is_refused(raw):
    assert _code(parse_postal_code, raw) == "INVALID_POSTAL_CODE"


def test_empty_postal_code_is_required():
    assert _code(parse_postal_code, " ") == "REQUIRED"


def test_nir_messages_never_echo_the_value():
    for raw in ["1 62 12 2B 010 001 04", "862122B010001", "999"]:
        with pytest.raises(FieldValidationError) as caught:
            parse_nir(raw)
        assert raw not in caught.value.message and "862122" not in caught.value.message
