"""FranceConnect matching among homonyms (issue 12, defect 3): the FranceConnect service with the
real DynamoDB registry adapter over moto, its table created from template.yaml's definition.

France has about 230,000 MARTINs. The registry is searched by the exact birth date FranceConnect
gives, by its month or its year only when FranceConnect marks the day or the month as unknown
(`idp_birthdate` with `00`), and every page of the answer is read."""

from __future__ import annotations

from datetime import date

import pytest

from tests.homonyms import HOMONYMS, YEAR, HomonymRegistry, homonyms, martin, moto_dynamodb


@pytest.fixture
def registry():
    with moto_dynamodb() as dynamodb:
        yield HomonymRegistry(dynamodb)


def read(registry) -> tuple[int, int]:
    """Query pages and items the callback read."""
    return len(registry.pages), sum(len(page) for page in registry.pages)


def test_the_person_is_found_among_a_thousand_martins_born_the_same_year(registry):
    person = martin(901, date(YEAR, 12, 30), "female", "Ondine", "75056")  # late in the year, far in the index
    registry.load([*homonyms(HOMONYMS), person])
    assert registry.sign_in(person, f"{YEAR}-12-30")["next_step"] == "terms"
    pages, items = read(registry)
    assert pages == 1 and items < 10  # the exact date: only that day's MARTINs are read


def test_a_presumed_month_reads_every_martin_of_the_year_page_by_page(registry, monkeypatch):
    # DynamoDB answers a Query in pages of 1 MB; moto's page is made 100 kB so that 1,000 MARTINs
    # (about 0.45 MB) take several pages, as a whole birth year of them (about 2,300) does on AWS.
    monkeypatch.setattr("moto.dynamodb.models.table.RESULT_SIZE_LIMIT", 100_000)
    # FranceConnect only knows the year (raw 1962-00-00, sent as 1962-01-01); the NIR says the month
    # is unknown too (month 20-30); the registry has a date late in the year.
    person = martin(902, date(YEAR, 11, 7), "male", "Ulysse", "2B033", nir_month=20)
    registry.load([*homonyms(HOMONYMS), person])
    assert registry.sign_in(person, f"{YEAR}-01-01", idp_birthdate=f"{YEAR}-00-00")["next_step"] == "terms"
    pages, items = read(registry)
    assert items == HOMONYMS + 1 and pages > 1  # several pages, every one read


def test_a_presumed_day_reads_that_month_only(registry):
    person = martin(903, date(YEAR, 7, 19), "female", "Ondine", "75056")
    registry.load([*homonyms(HOMONYMS), person])
    assert registry.sign_in(person, f"{YEAR}-07-01", idp_birthdate=f"{YEAR}-07-00")["next_step"] == "terms"
    assert read(registry)[1] < HOMONYMS / 6  # about one twelfth of the year


def test_a_first_of_january_that_franceconnect_does_not_mark_as_presumed_is_an_exact_date(registry):
    person = martin(904, date(YEAR, 3, 14), "male", "Ulysse", "2B033", nir_month=23)  # month unknown to the NIR
    registry.load([*homonyms(10), person])  # few: the person is within any first page
    assert registry.sign_in(person, f"{YEAR}-01-01") == {"error": "ONLINE_SIGNUP_UNAVAILABLE"}


def test_two_martins_of_the_same_day_first_name_and_place_are_still_refused(registry):
    person = martin(905, date(YEAR, 5, 5), "female", "Ondine", "75056")
    twin = martin(906, date(YEAR, 5, 5), "female", "Ondine", "75056")
    registry.load([*homonyms(HOMONYMS), person, twin])
    assert registry.sign_in(person, f"{YEAR}-05-05") == {"error": "ONLINE_SIGNUP_UNAVAILABLE"}
