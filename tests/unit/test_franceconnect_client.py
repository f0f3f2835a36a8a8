"""The OIDC client against a FranceConnect faked at the HTTP level (tests/unit/fake_franceconnect.py):
each check of franceconnect.md ("Our client must check") and each misbehaviour of the provider ends
in its own `FranceConnectFailure` reason, never in another exception."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ameli.adapters.franceconnect import CACHE_LIFETIME_SECONDS, OidcFranceConnectClient
from ameli.ports import FranceConnectFailure
from tests.unit.fake_franceconnect import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    CODE,
    EC_KID,
    ISSUER,
    NONCE,
    NOW,
    POST_LOGOUT_REDIRECT_URI,
    REDIRECT_URI,
    SUB,
    Answer,
    FakeFranceConnect,
    ec_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider(clock, monkeypatch) -> FakeFranceConnect:
    fake = FakeFranceConnect(clock)
    # Every requests session, ours and authlib's, talks to the fake: nothing leaves the process.
    monkeypatch.setattr(requests.Session, "get_adapter", lambda session, url: fake)
    return fake


@pytest.fixture
def client(provider, clock) -> OidcFranceConnectClient:
    return OidcFranceConnectClient(
        issuer=ISSUER, client_id=CLIENT_ID, client_secret=lambda: CLIENT_SECRET, redirect_uri=REDIRECT_URI,
        post_logout_redirect_uri=POST_LOGOUT_REDIRECT_URI, clock=clock,
    )


def complete(client, *, code=CODE, nonce=NONCE, callback_issuer=ISSUER):
    return client.complete(code=code, nonce=nonce, callback_issuer=callback_issuer)


def failure_of(client, **arguments) -> str:
    with pytest.raises(FranceConnectFailure) as failed:
        complete(client, **arguments)
    return failed.value.reason


# -- a provider that behaves ------------------------------------------------------------------------

def test_a_well_behaved_provider_gives_the_identity(client, provider):
    login = complete(client)
    assert (login.identity.sub, login.identity.family_name, login.identity.birthplace) == (SUB, "DUBOIS", "75107")
    assert login.id_token.count(".") == 2
    form = provider.token_forms[0]  # client_secret_post, the only method FranceConnect takes
    assert (form["client_id"], form["client_secret"], form["grant_type"]) == (CLIENT_ID, CLIENT_SECRET,
                                                                              "authorization_code")


def test_rs256_tokens_are_accepted_too(client, provider):
    provider.id_token_alg = "RS256"
    assert complete(client).identity.sub == SUB


def test_authorization_url_carries_what_franceconnect_requires(client):
    url = urlsplit(client.authorization_url(state="S" * 64, nonce=NONCE))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/authorize"
    assert query == {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
                     "scope": "openid identite_pivot preferred_username email idp_birthdate",
                     "acr_values": "eidas1", "state": "S" * 64, "nonce": NONCE}


def test_logout_url_carries_the_id_token_the_state_and_the_registered_return(client):
    login = complete(client)
    url = urlsplit(client.logout_url(id_token=login.id_token, state="L" * 64))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/session/end"
    assert parse_qs(url.query) == {"id_token_hint": [login.id_token], "state": ["L" * 64],
                                   "post_logout_redirect_uri": [POST_LOGOUT_REDIRECT_URI]}


def test_an_audience_array_holding_only_our_client_is_accepted(client, provider):
    provider.id_token_changes["aud"] = [CLIENT_ID]
    assert complete(client).identity.sub == SUB


# -- every failure reason -----------------------------------------------------------------------------

def _wrong_key(kind):
    # Signed by a key absent from the JWKS, under the kid of a published one.
    return lambda provider: setattr(provider, f"{kind}_key", ec_key(EC_KID))


def _claims(kind, **changes):
    def change(provider):
        (provider.id_token_changes if kind == "id_token" else provider.userinfo_changes).update(changes)
    return change


def _header(kind, **changes):
    def change(provider):
        (provider.id_token_header if kind == "id_token" else provider.userinfo_header).update(changes)
    return change


def _answer(path, answer):
    return lambda provider: provider.answer(path, answer)


def _token_answer(value, status=200):
    return _answer("/token", Answer.json(value, status=status))


def _userinfo(status=200, body="", **headers):
    return _answer("/userinfo", Answer(status, headers, body))


def _hs256_token(provider, claims=None):
    from joserfc.jwk import OctKey

    key = OctKey.import_key(CLIENT_SECRET.encode() * 4)  # the client secret as an HMAC key: never accepted
    return provider.sign(claims or provider.id_token_claims(), alg="HS256", key=key)


DISCOVERY = "/.well-known/openid-configuration"
FAILURES = {
    # discovery
    "discovery_unreachable": _answer(DISCOVERY, requests.ConnectionError("refused")),
    "discovery_status": _answer(DISCOVERY, Answer.html(status=503)),
    "discovery_not_json": _answer(DISCOVERY, Answer.html()),
    "discovery_malformed": _answer(DISCOVERY, Answer.json(["issuer"])),
    "discovery_issuer": _answer(DISCOVERY, Answer.json({"issuer": "https://faux.invalid/api/v2"})),
    # keys
    "jwks_unreachable": _answer("/jwks", requests.Timeout("slow")),
    "jwks_status": _answer("/jwks", Answer.html(status=502)),
    "jwks_not_json": _answer("/jwks", Answer.html()),
    "jwks_malformed": _answer("/jwks", Answer.json({"keys": [{"kty": "EC", "kid": EC_KID}]})),
    # token endpoint
    "token_unreachable": _answer("/token", requests.ConnectionError("reset")),
    "token_status": _answer("/token", Answer.html(status=503)),
    "token_malformed": _answer("/token", Answer.html()),
    "token_error_invalid_grant": _token_answer({"error": "invalid_grant", "error_description": "code expired"}, 400),
    "token_error_other": _token_answer({"error": "Jean DUPONT n'est pas autorisé"}, 400),
    "token_response": _token_answer({"access_token": ACCESS_TOKEN, "token_type": "Bearer"}),
    # ID token
    "id_token_malformed": _token_answer({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "id_token": "a.b"}),
    "id_token_algorithm": lambda p: p.answer("/token", lambda: Answer.json(
        {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "id_token": _hs256_token(p)})),
    "id_token_unknown_kid": _header("id_token", kid="pkcs11:ES256:autre"),
    "id_token_signature": _wrong_key("id_token"),
    "id_token_iss": _claims("id_token", iss="https://faux.invalid/api/v2"),
    "id_token_aud": _claims("id_token", aud="un-autre-client"),
    "id_token_missing_claim": _claims("id_token", exp=None),
    "id_token_exp": _claims("id_token", exp=int(NOW) - 120, iat=int(NOW) - 180),
    "id_token_iat": _claims("id_token", iat=int(NOW) + 600, exp=int(NOW) + 660),
    "id_token_nbf": _claims("id_token", nbf=int(NOW) + 600),
    "id_token_sub": _claims("id_token", sub=12345),
    "id_token_nonce": _claims("id_token", nonce="M" * 64),
    "id_token_acr": _claims("id_token", acr="eidas0"),
    "id_token_at_hash": _claims("id_token", at_hash="AAAAAAAAAAAAAAAAAAAAAA"),
    # userinfo
    "userinfo_unreachable": _answer("/userinfo", requests.ConnectionError("reset")),
    "userinfo_status": _userinfo(503, "<html>maintenance</html>", **{"Content-Type": "text/html"}),
    "userinfo_error_invalid_token": _userinfo(401, **{"WWW-Authenticate": 'Bearer error="invalid_token"'}),
    "userinfo_not_jwt": _userinfo(200, '{"sub": "x"}', **{"Content-Type": "application/json"}),
    "userinfo_malformed": _userinfo(200, "<html>", **{"Content-Type": "application/jwt"}),
    "userinfo_algorithm": lambda p: p.answer("/userinfo", lambda: Answer(
        200, {"Content-Type": "application/jwt"}, _hs256_token(p, p.userinfo_claims()))),
    "userinfo_unknown_kid": _header("userinfo", kid=None),
    "userinfo_missing_claim": _claims("userinfo", iss=None),
    "userinfo_iat": _claims("userinfo", iat=int(NOW) + 600, exp=int(NOW) + 660),
    "userinfo_signature": _wrong_key("userinfo"),
    "userinfo_iss": _claims("userinfo", iss="https://faux.invalid/api/v2"),
    "userinfo_aud": _claims("userinfo", aud="un-autre-client"),
    "userinfo_exp": _claims("userinfo", exp=int(NOW) - 120, iat=int(NOW) - 180),
    "userinfo_sub": _claims("userinfo", sub="c" * 64 + "v1"),
    # identity claims
    "claim_format_sub": lambda p: (_claims("id_token", sub="DUBOIS")(p), _claims("userinfo", sub="DUBOIS")(p)),
    "claim_format_given_name": _claims("userinfo", given_name=" "),
    "claim_format_birthdate": _claims("userinfo", birthdate="24/08/1962"),
    "claim_format_idp_birthdate": _claims("userinfo", idp_birthdate="1962-8"),
    "claim_format_birthcountry": _claims("userinfo", birthcountry="France"),
    "claim_format_gender": _claims("userinfo", gender="F"),
    "claim_format_birthplace": _claims("userinfo", birthplace=""),
    "claim_format_family_name": _claims("userinfo", family_name=["DUBOIS"]),
}


@pytest.mark.parametrize("reason", sorted(FAILURES))
def test_each_failure_has_its_own_reason(client, provider, reason):
    FAILURES[reason](provider)
    assert failure_of(client) == reason


def test_callback_from_another_issuer_fails_before_anything_is_asked(client, provider):
    assert failure_of(client, callback_issuer="https://faux.invalid/api/v2") == "callback_iss"
    assert failure_of(client, callback_issuer=None) == "callback_iss"
    assert sum(provider.requests.values()) == 0  # the code was not spent at a provider we do not trust


def test_a_nonce_of_another_flow_fails(client):
    assert failure_of(client, nonce="O" * 64) == "id_token_nonce"


def test_the_none_algorithm_is_refused(client, provider):
    import base64
    import json

    def unsigned() -> Answer:
        def part(value) -> str:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
        token = f"{part({'alg': 'none', 'kid': EC_KID})}.{part(provider.id_token_claims())}."
        return Answer.json({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "id_token": token})
    provider.answer("/token", unsigned)
    assert failure_of(client) == "id_token_algorithm"


def test_reasons_never_carry_what_the_provider_wrote(client, provider):
    provider.answer("/token", Answer.json({"error": "Angela DUBOIS 2620875107001"}, status=400))
    reason = failure_of(client)
    assert "DUBOIS" not in reason and "2620875107001" not in reason


# -- issue 12, defect 10: key rotation, answers that are not JSON, audiences, provider error codes ------

def test_keys_rotated_under_the_same_kid_are_read_again(client, provider):
    complete(client)  # the keys are cached
    provider.rotate_keys_keeping_kids()  # FranceConnect's kids are names: `pkcs11:ES256:hsm` again
    assert complete(client).identity.sub == SUB
    assert provider.requests["/jwks"] == 2


def test_a_signature_that_fresh_keys_do_not_verify_either_fails_after_one_more_read(client, provider):
    complete(client)
    provider.id_token_key = ec_key(EC_KID)
    assert failure_of(client) == "id_token_signature"
    assert provider.requests["/jwks"] == 2  # once at the first login, once more for this token: no loop


def test_the_keys_are_read_again_once_their_lifetime_is_over(client, provider, clock):
    complete(client)
    complete(client)
    assert provider.requests["/jwks"] == 1  # cached
    clock.now += CACHE_LIFETIME_SECONDS + 1
    complete(client)
    assert provider.requests["/jwks"] == 2
    assert provider.requests["/.well-known/openid-configuration"] == 2


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/jwks", "/token", "/userinfo"])
@pytest.mark.parametrize("answer", [
    Answer.html(), Answer.html(status=503), Answer.html(status=302), Answer.json(["keys"]), Answer.json("ok"),
    Answer(200, {"Content-Type": "application/json"}, "{\"keys\": [" * 3000),
], ids=["maintenance-200", "maintenance-503", "redirect", "json-array", "json-string", "truncated-json"])
def test_an_answer_that_is_not_what_the_protocol_says_fails_closed(client, provider, path, answer):
    provider.answer(path, answer)
    step = {"/.well-known/openid-configuration": "discovery", "/jwks": "jwks"}.get(path, path[1:])
    assert failure_of(client).startswith(step)


def test_authorization_url_fails_closed_on_a_maintenance_page(client, provider):
    provider.answer("/.well-known/openid-configuration", Answer.html())
    with pytest.raises(FranceConnectFailure) as failed:
        client.authorization_url(state="S" * 64, nonce=NONCE)
    assert failed.value.reason == "discovery_not_json"


@pytest.mark.parametrize("kind", ["id_token", "userinfo"])
def test_an_audience_array_with_another_audience_is_refused(client, provider, kind):
    # OIDC Core 3.1.3.7: reject a token that holds audiences not trusted by the client.
    (provider.id_token_changes if kind == "id_token" else provider.userinfo_changes)["aud"] = [CLIENT_ID, "autre"]
    assert failure_of(client) == f"{kind}_aud"


def test_the_token_endpoint_error_code_is_the_reason(provider, clock):
    wrong_secret = OidcFranceConnectClient(
        issuer=ISSUER, client_id=CLIENT_ID, client_secret=lambda: "ancien-secret", redirect_uri=REDIRECT_URI,
        post_logout_redirect_uri=POST_LOGOUT_REDIRECT_URI, clock=clock,
    )
    assert failure_of(wrong_secret) == "token_error_invalid_client"


def test_a_bug_in_our_own_checks_still_fails_closed(client, monkeypatch):
    def broken(claims):
        raise KeyError("given_name")
    monkeypatch.setattr("ameli.adapters.franceconnect.parse_identity_claims", broken)
    assert failure_of(client) == "unexpected_KeyError"


def test_the_logout_url_needs_no_provider_once_the_login_is_done(client, provider, clock):
    login = complete(client)
    clock.now += CACHE_LIFETIME_SECONDS + 1
    provider.answer("/.well-known/openid-configuration", Answer.html(status=503))
    assert client.logout_url(id_token=login.id_token, state="L" * 64).startswith(f"{ISSUER}/session/end?")


def test_two_published_keys_under_the_same_kid_are_both_tried(client, provider):
    previous = provider.signing_keys["ES256"]
    provider.rotate_keys_keeping_kids()
    provider.published_keys = [previous, *provider.published_keys]  # the old key first, same kid
    assert complete(client).identity.sub == SUB
    assert provider.requests["/jwks"] == 1
