"""`local.fixtures.load_fixture_file`: strict validation, precise messages without personal values,
and a bundled demo file that holds every case `fixtures.md` asks for."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from ameli.domain.beneficiary import ELIGIBLE_REGIMES, option1_refusal
from ameli.domain.nir import parse_nir
from local.config import DEFAULT_FIXTURES
from local.fixtures import FixtureError, iban_is_valid, load_fixture_file, parse_fixtures
from tests.people import VENTURI

DUBOIS_IDENTITY = {
    "login": "test",
    "password": "123",
    "identity_provider": "impots.gouv.fr",
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "preferred_username": "",
    "gender": "female",
    "birthdate": "1962-08-24",
    "birthplace": "75107",
    "birthcountry": "99100",
    "email": "angela.dubois@example.test",
}


def write(tmp_path, document, name="fixtures.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def problems_of(tmp_path, beneficiaries=(), identities=()) -> list[str]:
    path = write(tmp_path, {"beneficiaries": list(beneficiaries), "franceconnect_identities": list(identities)})
    with pytest.raises(FixtureError) as raised:
        load_fixture_file(path)
    return raised.value.problems


def with_changes(**changes):
    entry = copy.deepcopy(VENTURI)
    for key, value in changes.items():
        if value is KeyError:
            del entry[key]
        else:
            entry[key] = value
    return entry


# -- a valid file ---------------------------------------------------------------------------------

def test_a_valid_file_gives_beneficiaries_and_identities(tmp_path):
    fixtures = load_fixture_file(write(tmp_path, {"beneficiaries": [VENTURI], "franceconnect_identities": [DUBOIS_IDENTITY]}))

    assert fixtures.beneficiaries[0].to_dict() == VENTURI
    assert fixtures.franceconnect_identities == [DUBOIS_IDENTITY]


def test_optional_fields_may_be_left_out(tmp_path):
    entry = with_changes(usage_name=KeyError, previous_postal_codes=KeyError)

    fixtures = load_fixture_file(write(tmp_path, {"beneficiaries": [entry], "franceconnect_identities": []}))

    assert fixtures.beneficiaries[0].usage_name is None
    assert fixtures.beneficiaries[0].previous_postal_codes == ()


def test_a_provisional_number_is_accepted_only_as_uncertified(tmp_path):
    provisional = with_changes(nir="762122B010001", nir_certified=False)
    assert load_fixture_file(write(tmp_path, {"beneficiaries": [provisional], "franceconnect_identities": []}))

    problems = problems_of(tmp_path, [with_changes(nir="762122B010001")])
    assert problems == [
        'fixtures.json: beneficiaries[0]: field "nir": a provisional number (starting with 7 or 8) '
        'must have "nir_certified": false'
    ]


def test_a_corsican_birth_before_1976_may_say_department_20(tmp_path):
    old_nir = with_changes(nir="1621220010001")

    assert load_fixture_file(write(tmp_path, {"beneficiaries": [old_nir], "franceconnect_identities": []}))


# -- each kind of error names the entry and the field, never the value ------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"birth_date": "1990-02-31"}, "birth_date", "not a valid date YYYY-MM-DD"),
    ({"birth_date": "18/12/1962"}, "birth_date", "not a valid date YYYY-MM-DD"),
    ({"birth_date": "2999-01-01", "nir": "199012B010001"}, "birth_date", "is in the future"),
    ({"nir": "1 62 12 2B 010 001"}, "nir", "must be a string of 13 characters"),
    ({"nir": "16212 2B01000"}, "nir", "not a valid NIR"),
    ({"nir": "162122B01000115"}, "nir", "must be a string of 13 characters"),
    ({"nir": 162122010001}, "nir", "must be a string of 13 characters"),
    ({"nir": "162122b010001"}, "nir", "must be stored without separators, in upper case"),
    ({"nir": "163122B010001"}, "nir", "year/month digits do not agree with \"birth_date\""),
    ({"nir": "262122B010001"}, "nir", "sex digit does not agree with \"gender\""),
    ({"nir": "162122A010001"}, "nir", "place digits do not agree with \"birth_place\""),
    ({"nir_certified": "yes"}, "nir_certified", "must be true or false"),
    ({"rights_holder": 1}, "rights_holder", "must be true or false"),
    ({"birth_name": ""}, "birth_name", "must be a non-empty string"),
    ({"usage_name": ""}, "usage_name", "must be null or a non-empty string"),
    ({"given_names": "Paul"}, "given_names", "must be a non-empty list of non-empty strings"),
    ({"given_names": []}, "given_names", "must be a non-empty list of non-empty strings"),
    ({"gender": "M"}, "gender", "must be \"male\" or \"female\""),
    ({"birth_place": "2C010"}, "birth_place", "must be null (born abroad) or an INSEE commune code"),
    ({"birth_place": None}, "birth_place", "null means born abroad, but \"birth_country\" is 99100"),
    ({"birth_country": "99126"}, "birth_country", "must be 99100 when \"birth_place\" is a French commune"),
    ({"birth_country": "Grèce"}, "birth_country", "must be an INSEE country code 99XXX"),
    ({"postal_code": "6300"}, "postal_code", "must be 5 digits"),
    ({"previous_postal_codes": ["75011", "7501"]}, "previous_postal_codes[1]", "must be 5 digits"),
    ({"previous_postal_codes": "75011"}, "previous_postal_codes", "must be a list of postal codes"),
    ({"regime": ""}, "regime", "must be a non-empty string"),
    ({"iban": "FR76 3000 4000 0312 3456 7890 143"}, "iban", "must be null or an IBAN in compact upper-case form"),
    ({"iban": "FR7630004000031234567890144"}, "iban", "wrong IBAN check digits (mod 97)"),
    ({"carte_vitale": "802500000204671322630"}, "carte_vitale", "must be null or an object"),
    ({"carte_vitale": {"serial": "80250000020467132263", "status": "active"}}, "carte_vitale.serial",
     "must be a string of 21 digits"),
    ({"carte_vitale": {"serial": "802500000204671322630", "status": "lost"}}, "carte_vitale.status",
     "must be one of active, inactive, mutation_failed"),
    ({"carte_vitale": {"serial": "802500000204671322630"}}, "carte_vitale.status", "missing"),
    ({"carte_vitale": {"serial": "802500000204671322630", "status": "active", "pin": "1234"}},
     "carte_vitale.pin", "unknown field"),
    ({"iban": KeyError}, "iban", "missing"),
    ({"birth_place": KeyError}, "birth_place", "missing"),
    ({"nickname": "Paulo"}, "nickname", "unknown field"),
])
def test_each_beneficiary_error_names_the_entry_and_the_field(tmp_path, changes, field, message):
    entry = with_changes(**changes)

    problems = problems_of(tmp_path, [VENTURI | {"nir": "1621263000001", "birth_place": "63000"}, entry])

    assert len(problems) == 1, problems
    assert problems[0].startswith(f'fixtures.json: beneficiaries[1]: field "{field}": {message}')
    for value in changes.values():
        if isinstance(value, str) and len(value) > 5:
            assert value not in problems[0]
    assert VENTURI["nir"] not in problems[0]


def test_every_problem_of_a_file_is_reported(tmp_path):
    problems = problems_of(tmp_path, [
        with_changes(birth_date="1990-02-31"),
        with_changes(gender="x", postal_code="1"),
        "not an object",
    ])

    assert problems == [
        'fixtures.json: beneficiaries[0]: field "birth_date": not a valid date YYYY-MM-DD',
        'fixtures.json: beneficiaries[1]: field "gender": must be "male" or "female"',
        'fixtures.json: beneficiaries[1]: field "postal_code": must be 5 digits',
        "fixtures.json: beneficiaries[2]: must be an object",
    ]
    assert str(FixtureError(problems)) == "\n".join(problems)


def test_a_nir_given_twice_is_refused(tmp_path):
    problems = problems_of(tmp_path, [VENTURI, with_changes(birth_name="VENTURA")])

    assert problems == ['fixtures.json: beneficiaries[1]: field "nir": same NIR as beneficiaries[0]']


def test_a_key_given_twice_in_an_entry_is_refused(tmp_path):
    text = json.dumps({"beneficiaries": [VENTURI], "franceconnect_identities": []})
    text = text.replace('"regime": "general"', '"regime": "general", "regime": "MSA"')

    with pytest.raises(FixtureError) as raised:
        load_fixture_file(write(tmp_path, text))

    assert raised.value.problems == ['fixtures.json: beneficiaries[0]: field "regime": given more than once']


def test_a_born_abroad_nir_carries_the_country_code(tmp_path):
    abroad = with_changes(nir="1621299126001", birth_place=None, birth_country="99126")
    assert load_fixture_file(write(tmp_path, {"beneficiaries": [abroad], "franceconnect_identities": []}))

    problems = problems_of(tmp_path, [with_changes(nir="1621299134001", birth_place=None, birth_country="99126")])
    assert problems == [
        'fixtures.json: beneficiaries[0]: field "nir": place digits must be the "birth_country" code (99XXX) '
        "for a birth abroad"
    ]


@pytest.mark.parametrize("changes, field, message", [
    ({"login": ""}, "login", "must be a non-empty string"),
    ({"password": None}, "password", "must be a non-empty string"),
    ({"identity_provider": "google"}, "identity_provider", "must be one of impots.gouv.fr"),
    ({"given_name": " "}, "given_name", "must be a non-empty string"),
    ({"family_name": 12}, "family_name", "must be a non-empty string"),
    ({"preferred_username": None}, "preferred_username", "must be a string"),
    ({"gender": "F"}, "gender", "must be \"male\" or \"female\""),
    ({"birthdate": "1962-02-30"}, "birthdate", "not a valid date YYYY-MM-DD"),
    ({"birthdate": "1962-00-24"}, "birthdate", "not a valid date YYYY-MM-DD"),
    ({"birthplace": "Paris"}, "birthplace", "must be \"\" (born abroad) or an INSEE commune code"),
    ({"birthplace": ""}, "birthplace", "\"\" means born abroad, but \"birthcountry\" is 99100"),
    ({"birthcountry": "99126"}, "birthcountry", "must be 99100 when \"birthplace\" is a French commune"),
    ({"email": "angela.dubois"}, "email", "not an email address"),
    ({"email": KeyError}, "email", "missing"),
    ({"sub": "abc"}, "sub", "unknown field"),
])
def test_each_identity_error_names_the_entry_and_the_field(tmp_path, changes, field, message):
    identity = dict(DUBOIS_IDENTITY)
    for key, value in changes.items():
        if value is KeyError:
            del identity[key]
        else:
            identity[key] = value

    problems = problems_of(tmp_path, [VENTURI], [identity])

    assert len(problems) == 1, problems
    assert problems[0].startswith(f'fixtures.json: franceconnect_identities[0]: field "{field}": {message}')


@pytest.mark.parametrize("raw", ["1962-08-00", "1962-00-00"])
def test_an_identity_may_have_an_unknown_birth_day_or_month(tmp_path, raw):
    identity = {**DUBOIS_IDENTITY, "birthdate": raw}

    fixtures = load_fixture_file(write(tmp_path, {"beneficiaries": [], "franceconnect_identities": [identity]}))

    assert fixtures.franceconnect_identities[0]["birthdate"] == raw


def test_a_login_given_twice_is_refused(tmp_path):
    problems = problems_of(tmp_path, [], [DUBOIS_IDENTITY, {**DUBOIS_IDENTITY, "login": "TEST", "password": "456"}])

    assert problems == [
        'fixtures.json: franceconnect_identities[1]: field "login": same login as franceconnect_identities[0]'
    ]


@pytest.mark.parametrize("document, message", [
    ('{"beneficiaries": [}', "fixtures.json: not valid JSON at line 1, column 20: Expecting value"),
    ("[]", "fixtures.json: the top level must be an object"),
    ('{"beneficiaries": []}', 'fixtures.json: top-level key "franceconnect_identities" is missing'),
    ('{"beneficiaries": {}, "franceconnect_identities": []}', 'fixtures.json: "beneficiaries" must be a list'),
    ('{"beneficiaries": [], "franceconnect_identities": [], "_comment": "x"}',
     'fixtures.json: unknown top-level key "_comment"'),
])
def test_file_level_errors(tmp_path, document, message):
    with pytest.raises(FixtureError) as raised:
        load_fixture_file(write(tmp_path, document))

    assert str(raised.value).startswith(message)


def test_json_syntax_errors_give_line_and_column():
    with pytest.raises(FixtureError) as raised:
        parse_fixtures('{\n  "beneficiaries": [\n    {"nir": "1"}\n    {"nir": "2"}\n  ]\n}', source="demo.json")

    assert str(raised.value) == "demo.json: not valid JSON at line 4, column 5: Expecting ',' delimiter"


def test_a_missing_or_binary_file_is_a_fixture_error(tmp_path):
    with pytest.raises(FixtureError, match="cannot read the fixture file"):
        load_fixture_file(tmp_path / "absent.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FixtureError, match="binary.json: not UTF-8 text"):
        load_fixture_file(binary)


def test_iban_check_digits():
    assert iban_is_valid("FR7630004000031234567890143")
    assert iban_is_valid("FR1420041010050500013M02606")
    assert not iban_is_valid("FR1420041010050500013M02605")
    assert not iban_is_valid("fr7630004000031234567890143")


# -- the bundled demo file ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return load_fixture_file(DEFAULT_FIXTURES)


def _refusal(b):
    return option1_refusal(b, b.birth_name, parse_nir(b.nir), b.birth_date, b.postal_code)


def test_the_demo_file_keeps_exactly_the_two_top_level_keys():
    assert list(json.loads(DEFAULT_FIXTURES.read_text(encoding="utf-8"))) == [
        "beneficiaries", "franceconnect_identities"
    ]


def test_the_demo_file_holds_the_guides_example_as_in_fixtures_md(demo):
    venturi = next(b for b in demo.beneficiaries if b.nir == "162122B010001")

    assert venturi.to_dict() == VENTURI
    assert _refusal(venturi) is None


def test_the_demo_file_holds_every_case_fixtures_md_asks_for(demo):
    people = demo.beneficiaries
    eligible = [b for b in people if _refusal(b) is None]

    assert any(b.usage_name and b.gender == "female" for b in eligible), "a married woman"
    assert any(b.previous_postal_codes for b in eligible), "a former postal code"
    assert any(not b.nir_certified for b in people)
    assert any(b.nir_certified and not b.rights_holder for b in people)
    assert any(b.regime not in ELIGIBLE_REGIMES for b in people)
    assert any(b.iban is None for b in people)
    assert any(b.carte_vitale is None for b in people)
    assert any(b.carte_vitale is not None and b.carte_vitale.status == "inactive" for b in people)
    assert any(b.carte_vitale is not None and b.carte_vitale.status == "mutation_failed" for b in people)
    assert any((b.birth_place or "").startswith("2A") for b in people), "a Corsican birth (2A)"
    assert any((b.birth_place or "").startswith("97") for b in people), "an overseas birth"
    assert any(b.birth_place is None and b.birth_country != "99100" for b in people), "a birth abroad"
    assert any(b.iban and any(c.isalpha() for c in b.iban[-7:]) for b in eligible), "an IBAN tail with a letter"


def test_each_exclusion_case_is_refused_for_one_reason_only(demo):
    reasons = [_refusal(b) for b in demo.beneficiaries if _refusal(b) is not None]

    assert sorted(r.value for r in reasons) == sorted([
        "NIR_NOT_CERTIFIED", "NOT_RIGHTS_HOLDER", "INELIGIBLE_REGIME", "NO_BANK_DETAILS",
        "NO_ACTIVE_CARTE_VITALE", "NO_ACTIVE_CARTE_VITALE", "CARTE_VITALE_MUTATION_FAILED",
    ])


def test_the_demo_ibans_have_varied_tails(demo):
    tails = [b.iban[-7:] for b in demo.beneficiaries if b.iban]

    assert len(set(tails)) == len(tails)


def _matches(identity, b) -> bool:
    """fixtures.md / franceconnect.md: birth name, first given name, birth date, gender, place or country."""
    place_ok = (
        identity["birthplace"] == (b.birth_place or "")
        if identity["birthcountry"] == "99100"
        else b.birth_place is None and identity["birthcountry"] == b.birth_country
    )
    return (
        identity["family_name"].upper() == b.birth_name.upper()
        and identity["given_name"].split()[0] == b.given_names[0]
        and date.fromisoformat(identity["birthdate"]) == b.birth_date
        and identity["gender"] == b.gender
        and place_ok
    )


def test_the_demo_franceconnect_identities_match_the_cases_fixtures_md_asks_for(demo):
    matched = {
        identity["login"]: [b for b in demo.beneficiaries if _matches(identity, b)]
        for identity in demo.franceconnect_identities
    }

    assert all(len(found) <= 1 for found in matched.values())
    happy = matched["test"]
    assert len(happy) == 1 and _refusal(happy[0]) is None, "test/123 is an eligible person"
    test_identity = next(i for i in demo.franceconnect_identities if i["login"] == "test")
    assert (test_identity["password"], test_identity["identity_provider"]) == ("123", "impots.gouv.fr")
    assert happy[0].usage_name and test_identity["preferred_username"] == happy[0].usage_name, "a married woman"
    assert any(found and found[0].birth_place is None for found in matched.values()), "one born abroad"
    assert any(not found for found in matched.values()), "one matching nobody"
