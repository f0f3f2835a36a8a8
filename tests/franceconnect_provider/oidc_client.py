"""A minimal OpenID Connect relying party (authlib + joserfc) and a tiny HTML form reader, to drive the
local FranceConnect over plain HTTP the way a browser without JavaScript would."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Callable
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet

ALPHANUMERIC = string.ascii_letters + string.digits


def random_alphanumeric(length: int = 64) -> str:
    return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


# --------------------------------------------------------------------------- HTML forms


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (text, name, value)
    labels: dict[str, str] = field(default_factory=dict)  # label text -> input id


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.title = ""
        self.text: list[str] = []
        self.html_lang: str | None = None
        self._in_title = False
        self._button: dict[str, Any] | None = None
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self.input_ids: dict[str, str] = {}  # id -> name

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            self.forms.append(Form(action=a.get("action") or "", method=(a.get("method") or "get").lower()))
        elif tag == "input" and self.forms:
            if a.get("name"):
                self.forms[-1].fields[a["name"]] = a.get("value") or ""
                if a.get("id"):
                    self.input_ids[a["id"]] = a["name"]
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value"), "text": []}
        elif tag == "label":
            self._label_for = a.get("for")
            self._label_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "button" and self._button is not None:
            if self.forms:
                text = " ".join("".join(self._button["text"]).split())
                self.forms[-1].buttons.append((text, self._button["name"], self._button["value"]))
            self._button = None
        elif tag == "label" and self._label_for is not None:
            if self.forms:
                self.forms[-1].labels[" ".join("".join(self._label_text).split())] = self._label_for
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._button is not None:
            self._button["text"].append(data)
        if self._label_for is not None:
            self._label_text.append(data)
        self.text.append(data)


@dataclass
class Page:
    url: str
    status: int
    html: str
    parser: _PageParser

    @classmethod
    def of(cls, response: requests.Response) -> "Page":
        parser = _PageParser()
        parser.feed(response.text)
        return cls(response.url, response.status_code, response.text, parser)

    @property
    def title(self) -> str:
        return self.parser.title.strip()

    @property
    def text(self) -> str:
        return " ".join("".join(self.parser.text).split())

    def button_texts(self) -> list[str]:
        return [text for form in self.parser.forms for text, _, _ in form.buttons]

    def submit(
        self, session: requests.Session, button_text: str, labelled: dict[str, str] | None = None
    ) -> requests.Response:
        """Clicks the button showing `button_text`, after filling the inputs named by their labels."""
        for form in self.parser.forms:
            for text, name, value in form.buttons:
                if text == button_text:
                    data = dict(form.fields)
                    for label, typed in (labelled or {}).items():
                        data[self.parser.input_ids[form.labels[label]]] = typed
                    if name:
                        data[name] = value or ""
                    assert form.method == "post"
                    return session.post(urljoin(self.url, form.action), data=data)
        raise AssertionError(f"no button {button_text!r} on the page {self.title!r}: {self.button_texts()}")


# --------------------------------------------------------------------------- relying party


@dataclass
class Authorization:
    url: str
    state: str
    nonce: str


class RelyingParty:
    """What our service does with FranceConnect, reduced to the protocol."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        clock: Callable[[], float],
        scope: str = "openid identite_pivot preferred_username email idp_birthdate",
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.clock = clock
        self.browser = requests.Session()
        self.metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        self.oauth = OAuth2Session(
            client_id,
            client_secret,
            scope=scope,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method="client_secret_post",
        )

    def authorization(self, **overrides: Any) -> Authorization:
        state = overrides.pop("state", random_alphanumeric())
        nonce = overrides.pop("nonce", random_alphanumeric())
        params = {"nonce": nonce, "acr_values": "eidas1", **overrides}
        url, _ = self.oauth.create_authorization_url(self.metadata["authorization_endpoint"], state=state, **params)
        return Authorization(url, state, nonce)

    def start(self, authorization: Authorization) -> requests.Response:
        return self.browser.get(authorization.url, timeout=10)

    def log_in(
        self,
        authorization: Authorization,
        *,
        login: str = "test",
        password: str = "123",
        identity_provider: str = "impots.gouv.fr",
        button: str | None = None,
    ) -> str:
        """Plays the whole browser part; returns the callback URL the provider redirected to."""
        choice = Page.of(self.start(authorization))
        assert choice.status == 200, choice.text
        login_page = Page.of(choice.submit(self.browser, identity_provider))
        confirm = Page.of(
            login_page.submit(self.browser, "Se connecter", {"Identifiant": login, "Mot de passe": password})
        )
        assert "Vous allez vous connecter en tant que" in confirm.text, confirm.text
        if button is None:  # "Continuer sur <the service>"
            button = next(text for text in confirm.button_texts() if text.startswith("Continuer sur "))
        return confirm.submit(self.browser, button).url

    @staticmethod
    def callback_params(callback_url: str) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(callback_url).query).items()}

    def exchange(self, callback_url: str, state: str) -> dict:
        params = self.callback_params(callback_url)
        assert params.get("iss") == self.issuer
        return dict(
            self.oauth.fetch_token(
                self.metadata["token_endpoint"],
                authorization_response=callback_url,
                state=state,
            )
        )

    def jwks(self) -> KeySet:
        return KeySet.import_key_set(requests.get(self.metadata["jwks_uri"], timeout=10).json())

    def verify_id_token(self, id_token: str, *, nonce: str, access_token: str) -> CodeIDToken:
        decoded = jwt.decode(id_token, self.jwks(), algorithms=["ES256", "RS256"])
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": self.client_id},
                "sub": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
                "acr": {"essential": True, "value": "eidas1"},
                "at_hash": {"essential": True},
                "auth_time": {"essential": True},
            },
            params={"nonce": nonce, "access_token": access_token, "client_id": self.client_id},
        )
        claims.validate(now=int(self.clock()), leeway=5)
        return claims

    def userinfo_response(self, access_token: str) -> requests.Response:
        return requests.get(
            self.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"}, timeout=10
        )

    def verify_userinfo(self, response: requests.Response, *, sub: str) -> dict:
        assert response.headers["Content-Type"].startswith("application/jwt")
        decoded = jwt.decode(response.text, self.jwks(), algorithms=["ES256", "RS256"])
        registry = jwt.JWTClaimsRegistry(
            now=int(self.clock()),
            leeway=5,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True, "value": sub},
            exp={"essential": True},
            iat={"essential": True},
        )
        registry.validate(decoded.claims)
        return dict(decoded.claims)
