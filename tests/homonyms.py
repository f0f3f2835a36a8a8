"""FranceConnect matching among homonyms: MARTINs born the same year in a registry table created
from template.yaml's definition, and the FranceConnect callback run over it with the real DynamoDB
registry adapter (issue 12 defect 3's test and the benchmark use them)."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import yaml
from moto import mock_aws

from ameli.bootstrap import Container
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.franceconnect import parse_identity_claims
from ameli.ports import FranceConnectLogin
from tests.fakes import (
    CountingTelemetry,
    FakePseudonymizer,
    FrozenClock,
    InMemorySignupRepository,
    InMemoryTables,
    settings_for_tests,
)

ROOT = Path(__file__).resolve().parents[1]
WEB = "https://compte.ameli.example"
HOMONYMS = 1_000
YEAR = 1962
GIVEN_NAMES = ["Jean", "Marie", "Pierre", "Anne", "Michel", "Françoise", "Claire", "Paul", "Nathalie", "Alain"]
PLACES = ["75056", "69123", "13055", "31555", "33063", "59350", "2B033", "97105"]


@contextmanager
def moto_dynamodb() -> Iterator[Any]:
    """A DynamoDB client on moto, whatever endpoint a local stack in this process has put in the
    environment (`AWS_ENDPOINT_URL` would send the client there instead)."""
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("AWS_ENDPOINT_URL")}
    try:
        with mock_aws():
            yield boto3.client("dynamodb", region_name="eu-west-3")
    finally:
        os.environ.update(saved)


def registry_table_definition() -> dict[str, Any]:
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # intrinsic functions: unused here
    resources = yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=Loader)["Resources"]
    properties = resources["RegistryTable"]["Properties"]
    return {name: properties[name] for name in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                                                "BillingMode")}


def martin(order: int, born: date, gender: str, given_name: str, place: str, *,
           nir_month: int | None = None) -> Beneficiary:
    """A MARTIN born in France; `nir_month` 20-30 for a NIR that does not know the month."""
    sex = "1" if gender == "male" else "2"
    return Beneficiary.from_dict({
        "nir": f"{sex}{born.year % 100:02d}{nir_month or born.month:02d}{place}{order:03d}",
        "nir_certified": True, "birth_name": "MARTIN", "usage_name": None, "given_names": [given_name, "Louis"],
        "gender": gender, "birth_date": born.isoformat(), "birth_place": place, "birth_country": "99100",
        "postal_code": "75011", "previous_postal_codes": [], "regime": "general", "rights_holder": True,
        "iban": None, "carte_vitale": None,
    })


def homonyms(count: int) -> list[Beneficiary]:
    """`count` MARTINs born in YEAR, on every day of it, with common first names (none is the person);
    the NIR's order number counts births per commune and month, so each NIR is unique."""
    rng = random.Random(YEAR)
    births: Counter[tuple[int, str]] = Counter()
    people = []
    for _ in range(count):
        born = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        gender, place = rng.choice(["male", "female"]), rng.choice(PLACES)
        births[born.month, place] += 1
        people.append(martin(births[born.month, place], born, gender, rng.choice(GIVEN_NAMES), place))
    return people


class FranceConnectSaying:
    """The client port, as if FranceConnect had verified these identity claims."""

    def __init__(self) -> None:
        self.claims: dict[str, Any] = {}

    def authorization_url(self, *, state: str, nonce: str) -> str:
        return f"https://fc.test/api/v2/authorize?state={state}"

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None) -> FranceConnectLogin:
        return FranceConnectLogin(identity=parse_identity_claims(self.claims), id_token="id-token")

    def logout_url(self, *, id_token: str, state: str) -> str:
        return "https://fc.test/api/v2/session/end"


class HomonymRegistry:
    """The registry table on (moto's) DynamoDB, and the FranceConnect service reading it."""

    def __init__(self, dynamodb: Any) -> None:
        dynamodb.create_table(TableName="registry", **registry_table_definition())
        self.pages: list[list[dict[str, Any]]] = []  # the items of each Query page the adapter read
        dynamodb.meta.events.register("after-call.dynamodb.Query",
                                      lambda parsed, **_: self.pages.append(parsed.get("Items", [])))
        self.franceconnect = FranceConnectSaying()
        self.container = Container(settings_for_tests(franceconnect_return_to_allowed=(WEB,))).override(
            dynamodb=dynamodb, clock=FrozenClock(), signup_repository=InMemorySignupRepository(InMemoryTables()),
            franceconnect_client=self.franceconnect, pseudonymizer=FakePseudonymizer(), telemetry=CountingTelemetry(),
        )

    def load(self, beneficiaries: list[Beneficiary]) -> None:
        self.container.registry.put_all(beneficiaries)
        self.pages.clear()

    def sign_in(self, person: Beneficiary, birthdate: str, idp_birthdate: str | None = None) -> dict[str, str]:
        """The whole callback, FranceConnect vouching for this person; the fragment we send back."""
        self.franceconnect.claims = {
            "sub": "d" * 64 + "v1", "given_name": " ".join(person.given_names), "family_name": "Martin",
            "preferred_username": "", "birthdate": birthdate, "idp_birthdate": idp_birthdate or birthdate,
            "gender": person.gender, "birthplace": person.birth_place, "birthcountry": "99100", "email": "",
        }
        service = self.container.franceconnect
        started = service.begin(f"{WEB}/franceconnect/retour")
        state = parse_qs(urlsplit(started.location).query)["state"][0]
        back = service.complete({"state": state, "code": "c", "iss": "x"}, started.browser_binding)
        return {k: v[0] for k, v in parse_qs(urlsplit(back.location).fragment).items()}
