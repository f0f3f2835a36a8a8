"""Bodies a handler cannot read (issue 12, defect 7): each gets a French problem+json, never a 5xx.

Through the real handlers behind the emulated API Gateway (invalid UTF-8 reaches the function
base64-encoded, as API Gateway sends a body it cannot pass as text).
"""

import pytest

from ameli.http.bodies import MAX_BODY_BYTES
from tests.functional.conftest import VENTURI_IDENTITY

JSON = {"Content-Type": "application/json"}


def post_raw(api, path: str, data: bytes, headers=None):
    return api.call("POST", path, headers=headers or JSON, data=data)


def assert_unreadable_body(answer, message_part: str) -> None:
    assert answer.status == 422, (answer.status, answer.raw[:200])
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.body["code"] == "INVALID_REQUEST"
    assert answer.body["detail"] == "Le contenu envoyé ne peut pas être lu."
    [issue] = answer.body["errors"]
    assert issue["field"] == "body" and issue["code"] == "INVALID_JSON" and message_part in issue["message"]


@pytest.mark.parametrize(("data", "message_part"), [
    (b'{"last_name": "\xff\xfe"}', "UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "imbriqué"),
    (b'{"a":' * 2000 + b"1" + b"}" * 2000, "imbriqué"),
    (b'{"last_name": ' + b"9" * 4301 + b"}", "nombre trop long"),
    (b'{"last_name": "\\ud800"}', "caractères invalides"),
    (b"[1, 2]", "objet JSON"),
    (b'{"a": ' + b"[" * 9 + b"]" * 9 + b"}", "imbriqué"),
    (b'"venturi"', "objet JSON"),
    (b"42", "objet JSON"),
    (b"null", "objet JSON"),
    (b'{"last_name": ', "JSON valide"),
])
def test_a_body_that_cannot_be_read_is_a_french_422_never_a_5xx(api, data, message_part):
    assert_unreadable_body(post_raw(api, "/v1/signups", data), message_part)


def test_malformed_json_never_reports_a_field_named_after_a_position(api):
    answer = post_raw(api, "/v1/signups", b'{"nir": "1 62", oops}')
    assert [issue["field"] for issue in answer.body["errors"]] == ["body"]


def test_every_route_with_a_body_reads_it_the_same_way(api):
    for path in ("/v1/signups/x/proof", "/v1/signups/x/contact", "/v1/email-confirmations",
                 "/v1/email-confirmations/resend", "/v1/sessions", "/v1/account/email"):
        assert_unreadable_body(post_raw(api, path, b"[" * 5000), "imbriqué")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/json; charset=latin-1", "application/xml"])
def test_an_unsupported_content_type_is_a_french_415(api, content_type):
    answer = post_raw(api, "/v1/signups", b'{"last_name": "venturi"}', {"Content-Type": content_type})
    assert answer.status == 415
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.body["code"] == "UNSUPPORTED_MEDIA_TYPE" and "application/json" in answer.body["detail"]
    assert answer.body["title"] == "Format de contenu non pris en charge"


def test_json_with_its_charset_and_json_without_a_content_type_are_read(api):
    import json

    body = json.dumps(VENTURI_IDENTITY).encode()
    assert post_raw(api, "/v1/signups", body, {"Content-Type": "application/json; charset=UTF-8"}).status == 201
    assert api.call("POST", "/v1/signups", data=body).status == 201


def test_the_body_size_limit_is_enforced_with_a_french_413(api):
    at_limit = b'{"last_name": "' + b"a" * (MAX_BODY_BYTES - 17) + b'"}'
    assert len(at_limit) == MAX_BODY_BYTES
    assert post_raw(api, "/v1/signups", at_limit).status == 422  # read, then refused field by field
    over = post_raw(api, "/v1/signups", at_limit + b" ")
    assert over.status == 413 and over.body["code"] == "BODY_TOO_LARGE" and "16 Kio" in over.body["detail"]


def test_an_empty_body_reports_each_required_field(api):
    answer = post_raw(api, "/v1/signups", b"")
    assert answer.status == 422
    assert {(e["field"], e["code"]) for e in answer.body["errors"]} == {
        ("last_name", "REQUIRED"), ("nir", "REQUIRED"), ("birth_date", "REQUIRED"), ("postal_code", "REQUIRED")}


def test_a_birth_date_in_the_french_format_is_told_the_expected_one(api):
    answer = api.post("/v1/signups", {**VENTURI_IDENTITY, "birth_date": "18/12/1962"})
    [issue] = answer.body["errors"]
    assert (issue["field"], issue["code"]) == ("birth_date", "INVALID_FORMAT")
    assert "AAAA-MM-JJ" in issue["message"] and "n'existe pas" not in issue["message"]
