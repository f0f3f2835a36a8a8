"""The nominal authorization code flow, browser part included, verified like our service verifies it."""

from __future__ import annotations

import re

import requests
from joserfc import jwt

from local.franceconnect import ClientRegistration, create_provider

from .conftest import CLIENT_ID, IDENTITIES, RSA_CLIENT_ID
from .oidc_client import Page

SUB = re.compile(r"^[0-9a-f]{64}v1$")


def test_full_flow_gives_a_verified_id_token_and_userinfo(rp, provider, issuer):
    authorization = rp.authorization()
    callback = rp.log_in(authorization)

    params = rp.callback_params(callback)
    assert callback.startswith(rp.redirect_uri + "?")
    assert set(params) == {"code", "state", "iss"}
    assert params["state"] == authorization.state
    assert params["iss"] == issuer

    token = rp.exchange(callback, authorization.state)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 60
    assert token["scope"] == "openid identite_pivot preferred_username email idp_birthdate"
    assert "refresh_token" not in token

    claims = rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])
    header = jwt.decode(token["id_token"], rp.jwks()).header
    assert header["alg"] == "ES256"
    assert header["kid"] in {key["kid"] for key in provider.jwks()["keys"]}
    assert SUB.match(claims["sub"])
    assert claims["sub"] == provider.sub_for(CLIENT_ID, "test")
    assert claims["aud"] == CLIENT_ID
    assert claims["acr"] == "eidas1"
    assert claims["amr"] == ["pwd"]
    assert claims["exp"] == claims["iat"] + 60
    assert claims["auth_time"] <= claims["iat"]
    assert "given_name" not in claims  # identity claims come from userinfo

    response = rp.userinfo_response(token["access_token"])
    assert response.status_code == 200
    info = rp.verify_userinfo(response, sub=claims["sub"])
    assert jwt.decode(response.text, rp.jwks()).header["kid"] == header["kid"]
    assert info["exp"] == info["iat"] + 60
    assert {key: value for key, value in info.items() if key not in ("iss", "aud", "iat", "exp")} == {
        "sub": claims["sub"],
        "given_name": "Angela Claire Louise",
        "given_name_array": ["Angela", "Claire", "Louise"],
        "family_name": "DUBOIS",
        "preferred_username": "LEROY",
        "birthdate": "1962-08-24",
        "gender": "female",
        "birthplace": "75107",
        "birthcountry": "99100",
        "email": "angela.dubois@example.test",
        "idp_birthdate": "1962-08-24",
    }


def test_rs256_client_gets_rs256_tokens(rsa_rp, provider):
    authorization = rsa_rp.authorization()
    token = rsa_rp.exchange(rsa_rp.log_in(authorization), authorization.state)
    claims = rsa_rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])
    assert claims.header["alg"] == "RS256"
    assert claims["sub"] == provider.sub_for(RSA_CLIENT_ID, "test")
    response = rsa_rp.userinfo_response(token["access_token"])
    assert jwt.decode(response.text, rsa_rp.jwks()).header["alg"] == "RS256"
    rsa_rp.verify_userinfo(response, sub=claims["sub"])


def test_sub_is_pairwise_and_independent_of_the_identity_provider(rp, rsa_rp, provider):
    subs = set()
    for identity_provider in ("impots.gouv.fr", "ameli.fr", "MSA"):
        authorization = rp.authorization()
        token = rp.exchange(rp.log_in(authorization, identity_provider=identity_provider), authorization.state)
        claims = rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])
        subs.add(claims["sub"])
    assert len(subs) == 1
    assert provider.sub_for(RSA_CLIENT_ID, "test") not in subs


def test_sub_is_stable_across_restarts(provider, issuer):
    again = create_provider(issuer, [ClientRegistration(CLIENT_ID, "s", ["http://x/cb"])], IDENTITIES)
    assert again.sub_for(CLIENT_ID, "eleni") == provider.sub_for(CLIENT_ID, "eleni")


def test_born_abroad_with_unknown_day_and_month(rp):
    authorization = rp.authorization()
    callback = rp.log_in(authorization, login="ahmed", password="456", identity_provider="France Identité")
    token = rp.exchange(callback, authorization.state)
    sub = rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])["sub"]
    info = rp.verify_userinfo(rp.userinfo_response(token["access_token"]), sub=sub)
    assert info["birthdate"] == "1975-01-01"
    assert info["idp_birthdate"] == "1975-00-00"
    assert info["birthplace"] == ""
    assert info["birthcountry"] == "99350"
    assert info["preferred_username"] == ""


def test_userinfo_holds_only_the_claims_of_the_granted_scopes(rp):
    authorization = rp.authorization(scope="openid given_name email")
    token = rp.exchange(rp.log_in(authorization), authorization.state)
    sub = rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])["sub"]
    info = rp.verify_userinfo(rp.userinfo_response(token["access_token"]), sub=sub)
    assert set(info) == {"sub", "iss", "aud", "iat", "exp", "given_name", "given_name_array", "email"}


def test_pages_are_french_accessible_and_show_the_chosen_provider(rp):
    authorization = rp.authorization()
    choice = Page.of(rp.start(authorization))
    assert choice.parser.html_lang == "fr"
    assert choice.title
    assert choice.button_texts()[:5] == [
        "impots.gouv.fr",
        "ameli.fr",
        "L'Identité Numérique La Poste",
        "MSA",
        "France Identité",
    ]
    for needle in ("<script", "http://", "https://", "src="):
        assert needle not in choice.html.replace(rp.issuer, "")

    login = Page.of(choice.submit(rp.browser, "MSA"))
    assert login.parser.html_lang == "fr"
    assert "MSA" in login.title
    form = login.parser.forms[0]
    assert set(form.labels) == {"Identifiant", "Mot de passe"}
    assert 'type="password"' in login.html

    wrong = Page.of(login.submit(rp.browser, "Se connecter", {"Identifiant": "test", "Mot de passe": "faux"}))
    assert wrong.status == 200
    assert "Identifiant ou mot de passe incorrect." in wrong.text
    assert 'role="alert"' in wrong.html
    assert "faux" not in wrong.html

    confirm = Page.of(wrong.submit(rp.browser, "Se connecter", {"Identifiant": "test", "Mot de passe": "123"}))
    assert confirm.parser.html_lang == "fr"
    assert "Vous allez vous connecter en tant que Angela Claire Louise DUBOIS" in confirm.text
    for shown in ("Angela Claire Louise", "DUBOIS", "24/08/1962", "75107", "MSA"):
        assert shown in confirm.text
    assert confirm.button_texts() == ["Continuer sur L'Assurance Maladie", "Revenir"]


def test_revenir_returns_access_denied(rp):
    authorization = rp.authorization()
    callback = rp.log_in(authorization, button="Revenir")
    params = rp.callback_params(callback)
    assert params["error"] == "access_denied"
    assert params["error_description"]
    assert params["state"] == authorization.state
    assert "code" not in params


def test_leaving_from_the_choice_page_returns_access_denied(rp):
    authorization = rp.authorization()
    choice = Page.of(rp.start(authorization))
    params = rp.callback_params(choice.submit(rp.browser, "Revenir sur L'Assurance Maladie").url)
    assert params["error"] == "access_denied"
    assert params["state"] == authorization.state


def test_interaction_is_bound_to_the_browser(rp):
    authorization = rp.authorization()
    choice = Page.of(rp.start(authorization))
    stranger = requests.Session()
    stolen = Page.of(stranger.get(choice.url))
    assert stolen.status == 400
    assert stolen.parser.html_lang == "fr"
    # the legitimate browser still gets through
    login = Page.of(choice.submit(rp.browser, "ameli.fr"))
    assert login.status == 200


def test_interaction_cannot_be_replayed_after_the_callback(rp):
    authorization = rp.authorization()
    choice = Page.of(rp.start(authorization))
    login = Page.of(choice.submit(rp.browser, "ameli.fr"))
    confirm = Page.of(login.submit(rp.browser, "Se connecter", {"Identifiant": "test", "Mot de passe": "123"}))
    confirm.submit(rp.browser, "Continuer sur L'Assurance Maladie")
    again = confirm.submit(rp.browser, "Continuer sur L'Assurance Maladie")
    assert again.status_code == 400
    assert again.url.startswith(rp.issuer)
