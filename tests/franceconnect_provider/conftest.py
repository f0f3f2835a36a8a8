"""Serves the local FranceConnect on 127.0.0.1 (free port) under `/_fc`, as the stack does, behind a
tiny dispatcher that also answers the relying party's callback and post-logout pages."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local.franceconnect import ClientRegistration, FranceConnectProvider, create_provider

from .oidc_client import RelyingParty

PREFIX = "/_fc"
CLIENT_ID = "fs-ameli-inscription"
CLIENT_SECRET = "secret-du-fs-local-" + "x" * 32
RSA_CLIENT_ID = "fs-rsa"
RSA_CLIENT_SECRET = "secret-rsa-" + "y" * 32

IDENTITIES = [
    {
        "login": "test",
        "password": "123",
        "identity_provider": "impots.gouv.fr",
        "given_name": "Angela Claire Louise",
        "family_name": "DUBOIS",
        "preferred_username": "LEROY",
        "gender": "female",
        "birthdate": "1962-08-24",
        "birthplace": "75107",
        "birthcountry": "99100",
        "email": "angela.dubois@example.test",
    },
    {
        "login": "eleni",
        "password": "mot-de-passe-eleni",
        "identity_provider": "L'Identité Numérique La Poste",
        "given_name": "Eleni",
        "family_name": "PAPADOPOULOS",
        "preferred_username": "",
        "gender": "female",
        "birthdate": "1983-06-12",
        "birthplace": "",
        "birthcountry": "99126",
        "email": "eleni.papadopoulos@example.test",
    },
    {
        "login": "ahmed",
        "password": "456",
        "identity_provider": "France Identité",
        "given_name": "Ahmed",
        "family_name": "BENALI",
        "preferred_username": "",
        "gender": "male",
        "birthdate": "1975-00-00",
        "birthplace": "",
        "birthcountry": "99350",
        "email": "ahmed.benali@example.test",
    },
]


class FakeClock:
    """Real time plus an offset that tests advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Dispatcher:
    """Mounts the provider under `/_fc` (prefix moved from PATH_INFO to SCRIPT_NAME)."""

    def __init__(self) -> None:
        self.provider: FranceConnectProvider | None = None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.provider is not None and (path == PREFIX or path.startswith(PREFIX + "/")):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX
            environ["PATH_INFO"] = path[len(PREFIX) :]
            return self.provider(environ, start_response)
        request = Request(environ)
        if request.path in ("/callback", "/logged-out"):
            return Response("page du service", content_type="text/plain")(environ, start_response)
        return Response("introuvable", status=404)(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # URLs carry codes and tokens: keep them out of logs
        pass


@pytest.fixture(scope="session")
def http_server() -> Iterator[tuple[str, Dispatcher]]:
    dispatcher = Dispatcher()
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", dispatcher
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def base_url(http_server) -> str:
    return http_server[0]


@pytest.fixture
def issuer(base_url) -> str:
    return f"{base_url}{PREFIX}/api/v2"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(http_server, issuer, base_url, clock) -> Iterator[FranceConnectProvider]:
    _, dispatcher = http_server
    clients = [
        ClientRegistration(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[f"{base_url}/callback"],
            post_logout_redirect_uris=[f"{base_url}/logged-out"],
        ),
        ClientRegistration(
            client_id=RSA_CLIENT_ID,
            client_secret=RSA_CLIENT_SECRET,
            redirect_uris=[f"{base_url}/callback"],
            post_logout_redirect_uris=[f"{base_url}/logged-out"],
            id_token_signed_response_alg="RS256",
            userinfo_signed_response_alg="RS256",
            client_name="Service RSA",
        ),
    ]
    dispatcher.provider = create_provider(issuer, clients, IDENTITIES, clock=clock)
    try:
        yield dispatcher.provider
    finally:
        dispatcher.provider = None


@pytest.fixture
def rp(provider, issuer, base_url, clock) -> RelyingParty:
    return RelyingParty(issuer, CLIENT_ID, CLIENT_SECRET, f"{base_url}/callback", clock)


@pytest.fixture
def rsa_rp(provider, issuer, base_url, clock) -> RelyingParty:
    return RelyingParty(issuer, RSA_CLIENT_ID, RSA_CLIENT_SECRET, f"{base_url}/callback", clock)
