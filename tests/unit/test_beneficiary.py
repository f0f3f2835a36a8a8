from dataclasses import replace
from datetime import date

import pytest

from ameli.domain.beneficiary import (
    ELIGIBLE_REGIMES,
    Beneficiary,
    CarteVitale,
    RefusalReason,
    common_refusal,
    identity_matches,
    option1_refusal,
)
from ameli.domain.nir import parse_nir
from tests.people import VENTURI as VENTURI_JSON

VENTURI = Beneficiary.from_dict(VENTURI_JSON)
NIR = parse_nir("1 62 12 2B 010 001")
BORN = date(1962, 12, 18)


def refusal(b, last_name="venturi", nir=NIR, birth_date=BORN, postal_code="63000"):
    return option1_refusal(b, last_name, nir, birth_date, postal_code)


def test_fixture_json_round_trips():
    assert VENTURI.given_names == ("Paul", "Jean")
    assert VENTURI.birth_date == BORN
    assert VENTURI.carte_vitale == CarteVitale("802500000204671322630", "active")
    assert VENTURI.to_dict() == VENTURI_JSON
    assert Beneficiary.from_dict(VENTURI.to_dict()) == VENTURI


def test_beneficiary_without_card_or_bank_details_round_trips():
    b = replace(VENTURI, iban=None, carte_vitale=None, usage_name="DUPONT", birth_place=None)
    assert Beneficiary.from_dict(b.to_dict()) == b


def test_repr_hides_nir_iban_and_serial():
    text = repr(VENTURI) + repr(VENTURI.carte_vitale)
    assert "162122" not in text and "FR76" not in text and "8025" not in text


def test_guide_example_is_eligible():
    assert refusal(VENTURI) is None


def test_former_postal_code_matches():
    assert identity_matches(VENTURI, "Venturi", NIR, BORN, "75011")
    assert refusal(VENTURI, postal_code="75011") is None


def test_married_woman_matches_by_birth_or_usage_name():
    b = replace(VENTURI, birth_name="de la Tour-d'Auvergne", usage_name="Martin-Lévêque")
    assert refusal(b, last_name="DE LA TOUR D AUVERGNE") is None
    assert refusal(b, last_name="martin leveque") is None
    assert refusal(b, last_name="Venturi") is RefusalReason.NO_MATCH


@pytest.mark.parametrize(
    "changes",
    [
        {"last_name": "Ventura"},
        {"birth_date": date(1962, 12, 19)},
        {"postal_code": "63100"},
        {"nir": parse_nir("2 84 05 2A 321 025")},
    ],
)
def test_any_identity_difference_is_no_match(changes):
    assert refusal(VENTURI, **changes) is RefusalReason.NO_MATCH


def test_unknown_beneficiary_is_no_match():
    assert refusal(None) is RefusalReason.NO_MATCH


def test_uncertified_nir_is_excluded():
    assert refusal(replace(VENTURI, nir_certified=False)) is RefusalReason.NIR_NOT_CERTIFIED


def test_person_who_is_not_rights_holder_is_excluded():
    assert refusal(replace(VENTURI, rights_holder=False)) is RefusalReason.NOT_RIGHTS_HOLDER


@pytest.mark.parametrize("regime", ["MSA", "SNCF", "RATP", "GENERAL"])
def test_regime_outside_general_and_partners_is_excluded(regime):
    assert refusal(replace(VENTURI, regime=regime)) is RefusalReason.INELIGIBLE_REGIME


@pytest.mark.parametrize("regime", sorted(ELIGIBLE_REGIMES))
def test_general_and_partner_regimes_are_eligible(regime):
    assert refusal(replace(VENTURI, regime=regime)) is None


def test_missing_bank_details_are_excluded():
    assert refusal(replace(VENTURI, iban=None)) is RefusalReason.NO_BANK_DETAILS


def test_missing_or_inactive_carte_vitale_is_excluded():
    assert refusal(replace(VENTURI, carte_vitale=None)) is RefusalReason.NO_ACTIVE_CARTE_VITALE
    inactive = CarteVitale("802500000204671322630", "inactive")
    assert refusal(replace(VENTURI, carte_vitale=inactive)) is RefusalReason.NO_ACTIVE_CARTE_VITALE


def test_failed_carte_vitale_mutation_is_excluded():
    failed = CarteVitale("802500000204671322630", "mutation_failed")
    assert refusal(replace(VENTURI, carte_vitale=failed)) is RefusalReason.CARTE_VITALE_MUTATION_FAILED


def test_common_exclusions_ignore_card_and_bank_details():
    assert common_refusal(replace(VENTURI, iban=None, carte_vitale=None)) is None
    assert common_refusal(replace(VENTURI, rights_holder=False)) is RefusalReason.NOT_RIGHTS_HOLDER


def test_refusal_reason_values_are_stable_strings():
    assert RefusalReason.NO_MATCH.value == "NO_MATCH"
    assert RefusalReason("CARTE_VITALE_MUTATION_FAILED") is RefusalReason.CARTE_VITALE_MUTATION_FAILED
