"""At most 5 new links per account in 24 h beyond the signup's own (api.md "Rate limited"; issue 12,
defect 6), whatever asks for them: a resend from a link, another address from a link, a new
address after a login."""

from __future__ import annotations

from tests.functional.conftest import VENTURI_IDENTITY
from tests.people import PASSWORD


def _pending_token(api) -> str:
    answer = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD})
    assert answer.status == 403, answer.body
    return answer.body["pending_token"]


def test_the_sixth_new_link_in_a_day_is_refused_whatever_asks_for_it(api):
    api.sign_up()
    sent = []
    sent.append(api.post("/v1/email-confirmations/resend", {"token": api.last_link_token()}).status)
    sent.append(api.post("/v1/email-confirmations/resend", {
        "token": api.last_link_token(), "new_email": "autre.1@example.fr",
        "new_email_confirmation": "autre.1@example.fr", "password": PASSWORD}).status)
    pending = _pending_token(api)
    for n in (2, 3, 4):
        sent.append(api.call("POST", "/v1/account/email", {"email": f"autre.{n}@example.fr",
                                                         "email_confirmation": f"autre.{n}@example.fr"},
                             token=pending).status)
    assert sent == [202] * 5
    assert len(api.mailbox()) == 6  # the signup's own link and 5 new ones

    refusals = [
        api.post("/v1/email-confirmations/resend", {"token": api.last_link_token()}),
        api.post("/v1/email-confirmations/resend", {
            "token": api.last_link_token(), "new_email": "autre.9@example.fr",
            "new_email_confirmation": "autre.9@example.fr", "password": PASSWORD}),
        api.call("POST", "/v1/account/email", {}, token=_pending_token(api)),
    ]
    for refused in refusals:
        assert refused.status == 429, refused.body
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.body["code"] == "TOO_MANY_ATTEMPTS"
        assert 0 < refused.body["retry_after"] <= 24 * 3600
        assert refused.headers["Retry-After"] == str(refused.body["retry_after"])
        assert "lien" in refused.body["detail"]  # French, and about links, not the proof lock
    assert len(api.mailbox()) == 6
    # the last link sent still works
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200


def test_the_limit_is_documented_in_the_openapi_document():
    import json
    from pathlib import Path

    document = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
    for path in ("/v1/email-confirmations/resend", "/v1/account/email"):
        assert "429" in document["paths"][path]["post"]["responses"], path
