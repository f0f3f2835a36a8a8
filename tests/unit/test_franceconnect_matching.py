"""Matching a FranceConnect identity to exactly one beneficiary (franceconnect.md, our rule)."""

import pytest

from ameli.domain.franceconnect import (
    InvalidIdentityClaims,
    match_beneficiary,
    parse_identity_claims,
)
from tests.people import MARTIN, VENTURI, beneficiary

SUB = "a" * 64 + "v1"


def claims(**changes) -> dict:
    base = {
        "sub": SUB, "given_name": "Paul Jean", "given_name_array": ["Paul", "Jean"], "family_name": "VENTURI",
        "preferred_username": "", "birthdate": "1962-12-18", "gender": "male", "birthplace": "2B010",
        "birthcountry": "99100", "email": "paul@example.fr",
    }
    return {**base, **changes}


def identity(**changes):
    return parse_identity_claims(claims(**changes))


ABROAD = {**VENTURI, "nir": "195109912611190"[:13], "birth_date": "1995-10-03", "birth_place": None,
          "birth_country": "99126", "birth_name": "PAPADOPOULOS", "given_names": ["Nikos"]}
PRESUMED = {**VENTURI, "nir": "160992B010123", "birth_date": "1960-01-01", "birth_name": "INCONNU",
            "given_names": ["Marc"]}


def test_birth_name_first_given_name_date_gender_and_corsican_place_match():
    assert match_beneficiary(identity(family_name="Venturi", given_name="paul"), [beneficiary(VENTURI)]) is not None


def test_married_woman_matches_on_her_birth_name_not_her_usage_name():
    martin = beneficiary(MARTIN)
    woman = dict(given_name="Claire", birthdate="1984-05-12", gender="female", birthplace="2A321")
    assert match_beneficiary(identity(family_name="DURAND", preferred_username="MARTIN", **woman), [martin])
    assert match_beneficiary(identity(family_name="MARTIN", **woman), [martin]) is None


def test_person_born_abroad_matches_on_birth_country():
    person = beneficiary(ABROAD)
    born_abroad = dict(family_name="PAPADOPOULOS", given_name="Nikos", birthdate="1995-10-03", birthplace="",
                       birthcountry="99126")
    assert match_beneficiary(identity(**born_abroad), [person]) is not None
    assert match_beneficiary(identity(**{**born_abroad, "birthcountry": "99127"}), [person]) is None


def test_presumed_birth_date_matches_a_nir_with_unknown_month():
    person = beneficiary(PRESUMED)
    presumed = dict(family_name="INCONNU", given_name="Marc", birthdate="1960-01-01", idp_birthdate="1960-00-00")
    assert match_beneficiary(identity(**presumed), [person]) is not None
    # A known month that differs does not match.
    assert match_beneficiary(identity(**{**presumed, "birthdate": "1960-03-01", "idp_birthdate": "1960-03-01"}),
                             [person]) is None


def test_gender_and_birth_place_must_agree():
    assert match_beneficiary(identity(gender="female"), [beneficiary(VENTURI)]) is None
    assert match_beneficiary(identity(birthplace="2B011"), [beneficiary(VENTURI)]) is None
    assert match_beneficiary(identity(birthdate="1962-12-19"), [beneficiary(VENTURI)]) is None


def test_homonyms_matching_twice_are_refused():
    twin = beneficiary(VENTURI, nir="162122B010002")
    assert match_beneficiary(identity(), [beneficiary(VENTURI), twin]) is None


def test_nobody_matches_an_unknown_identity():
    assert match_beneficiary(identity(family_name="DUBOIS"), [beneficiary(VENTURI)]) is None


@pytest.mark.parametrize("changes", [
    {"sub": "short"}, {"birthdate": "1962-13-01"}, {"gender": "x"}, {"birthcountry": "France"},
    {"birthplace": ""}, {"birthcountry": "99126"}, {"family_name": ""},
])
def test_badly_formatted_claims_are_refused(changes):
    with pytest.raises(InvalidIdentityClaims):
        parse_identity_claims(claims(**changes))


def test_an_unmarked_first_of_january_is_an_exact_date():
    # Issue 12 defect 3: only a date FranceConnect marks as presumed (`idp_birthdate` with 00) is widened.
    born_in_march = beneficiary(PRESUMED, birth_date="1960-03-14")  # the NIR says its month is unknown
    assert match_beneficiary(identity(family_name="INCONNU", given_name="Marc", birthdate="1960-01-01"),
                             [born_in_march]) is None
    assert match_beneficiary(identity(family_name="INCONNU", given_name="Marc", birthdate="1960-01-01",
                                      idp_birthdate="1960-00-00"), [born_in_march]) is not None


def test_a_presumed_day_matches_within_its_month_only():
    presumed_day = dict(birthdate="1962-12-01", idp_birthdate="1962-12-00")
    assert match_beneficiary(identity(**presumed_day), [beneficiary(VENTURI)]) is not None  # born the 18th
    assert match_beneficiary(identity(birthdate="1962-11-01", idp_birthdate="1962-11-00"),
                             [beneficiary(VENTURI)]) is None


@pytest.mark.parametrize(("birthdate", "idp_birthdate", "prefix"), [
    ("1962-12-18", None, "1962-12-18"), ("1962-01-01", None, "1962-01-01"),
    ("1962-12-01", "1962-12-00", "1962-12-"), ("1962-01-01", "1962-00-00", "1962-"),
])
def test_the_registry_is_searched_by_the_exact_date_or_what_franceconnect_knows_of_it(birthdate, idp_birthdate,
                                                                                       prefix):
    from ameli.domain.franceconnect import registry_birth_date_prefix

    claims_changes = {"birthdate": birthdate, **({"idp_birthdate": idp_birthdate} if idp_birthdate else {})}
    assert registry_birth_date_prefix(identity(**claims_changes)) == prefix
