"""Reads that decide on something another request just wrote are strongly consistent (issue 12): a
link just sent must be known, a session just closed must be refused. moto is always consistent, so
the test checks what DynamoDB is asked."""

from __future__ import annotations

from botocore.client import BaseClient

from tests.functional.conftest import VENTURI_IDENTITY
from tests.people import PASSWORD


def test_link_session_and_account_reads_are_strongly_consistent(api, monkeypatch):
    reads: list[tuple[str, bool]] = []
    original = BaseClient._make_api_call

    def spy(client, operation, params):
        if operation == "GetItem" and "pk" in params.get("Key", {}):
            reads.append((params["Key"]["pk"]["S"].split("#", 1)[0], bool(params.get("ConsistentRead"))))
        return original(client, operation, params)

    api.sign_up()
    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200
    session = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}).body["session_token"]
    assert api.call("DELETE", "/v1/sessions/current", token=session).status == 204
    assert api.get("/v1/account", session).status == 401
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    api.post(f"/v1/signups/{started['signup_id']}/proof", {"iban_last7": "7890143",
                                                           "carte_vitale_serial_last11": "04671322630"},
             started["signup_token"])

    kinds = {kind for kind, _ in reads}
    assert {"LINK", "SESSION", "ACCOUNT"} <= kinds, reads
    assert [read for read in reads if not read[1]] == []
