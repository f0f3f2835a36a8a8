"""Validation happens once, in the request models: each bad field gets the API's French field code,
all of them in one answer, never quoting the typed value."""

import pytest
from pydantic import BaseModel, ValidationError

from ameli.domain.nir import Nir
from ameli.http.models import AccountEmailRequest, ContactRequest, LoginRequest, ResendRequest, StartSignupRequest
from ameli.http.problems import field_issue
from tests.people import VENTURI_IDENTITY


def issues(model: type[BaseModel], body: dict) -> list:
    with pytest.raises(ValidationError) as refused:
        model(**body)
    return [field_issue(detail) for detail in refused.value.errors()]


def codes(model: type[BaseModel], body: dict) -> set[tuple[str, str]]:
    return {(issue.field, issue.code) for issue in issues(model, body)}


def test_a_valid_identity_becomes_value_objects():
    request = StartSignupRequest(**{**VENTURI_IDENTITY, "nir": "1621 22B0 1000 103", "last_name": " venturi "})
    identity = request.identity()
    assert isinstance(identity.nir, Nir) and identity.nir.value == "162122B010001"
    assert identity.last_name == "venturi" and identity.birth_date.isoformat() == "1962-12-18"


def test_format_errors_are_field_errors_without_the_typed_values():
    found = issues(StartSignupRequest, {"last_name": "", "nir": "1 62 12 2B 010 001 99", "birth_date": "1990-02-31",
                                        "postal_code": "1234"})
    assert {(i.field, i.code) for i in found} == {("last_name", "REQUIRED"), ("nir", "INVALID_KEY"),
                                                  ("birth_date", "INVALID_DATE"), ("postal_code", "INVALID_POSTAL_CODE")}
    assert all("1234" not in i.message and "1990" not in i.message for i in found)


def test_birth_date_that_contradicts_the_nir_is_reported_with_the_other_fields():
    assert codes(StartSignupRequest, {**VENTURI_IDENTITY, "birth_date": "1963-12-18", "postal_code": "1"}) == {
        ("birth_date", "INCONSISTENT_WITH_NIR"), ("postal_code", "INVALID_POSTAL_CODE")}


def test_contact_field_errors():
    body = {"email": "paul@example.fr", "email_confirmation": "paul@exemple.fr",
            "mobile_phone": "01 23 45 67 89", "landline_phone": "06 12 34 56 78"}
    assert codes(ContactRequest, body) == {
        ("email_confirmation", "MISMATCH"), ("email_marketing_consent", "REQUIRED"),
        ("mobile_phone", "INVALID_MOBILE"), ("landline_phone", "INVALID_LANDLINE")}


def test_a_consent_needs_its_phone():
    body = {"email": "paul@example.fr", "email_confirmation": "PAUL@example.fr", "email_marketing_consent": True,
            "mobile_marketing_sms_consent": True, "landline_marketing_call_consent": True, "landline_phone": " "}
    assert codes(ContactRequest, body) == {("mobile_phone", "REQUIRED"), ("landline_phone", "REQUIRED")}


def test_contact_details_carry_the_e164_phone_and_the_normalised_address():
    details = ContactRequest(email="Paul@Example.FR", email_confirmation="paul@example.fr", email_marketing_consent=False,
                             mobile_phone="06 12 34 56 78", mobile_marketing_sms_consent=True).details()
    assert details.email.address == "Paul@example.fr" and details.email.uniqueness_key == "paul@example.fr"
    assert details.mobile_phone == "+33612345678" and details.mobile_marketing_sms_consent


def test_login_needs_a_well_formed_nir_and_a_password():
    assert codes(LoginRequest, {"nir": "1 62 12", "password": ""}) == {("nir", "INVALID_FORMAT"),
                                                                         ("password", "REQUIRED")}


def test_a_new_address_is_checked_only_when_given():
    assert ResendRequest(token="t", new_email="").new_email is None
    assert codes(ResendRequest, {"token": "t", "new_email": "a@b", "new_email_confirmation": "a@b"}) == {
        ("new_email", "INVALID_EMAIL")}
    assert codes(AccountEmailRequest, {"email": "a@example.fr", "email_confirmation": "b@example.fr"}) == {
        ("email_confirmation", "MISMATCH")}


def test_an_address_typed_twice_the_same_way_is_never_a_mismatch():
    for address in ("Paul@Example.FR", "paul.venturi@exämple.fr", "  paul@example.fr "):
        request = ContactRequest(email=address, email_confirmation=address, email_marketing_consent=False)
        assert request.details().email.address.endswith(".fr")
