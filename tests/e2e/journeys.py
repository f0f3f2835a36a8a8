"""Journeys over HTTP for the end-to-end tests, and a crowd of synthetic beneficiaries for the race tests.

    people = write_crowd(tmp_path / "crowd.json", 40)   # 40 eligible people, distinct NIRs
    contact = complete_signup(base, identity_of(people[0]), proof_of(people[0]), "a@example.test")
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import requests

from local.config import DEFAULT_FIXTURES
from local.fixtures import load_fixture_file

PASSWORD = "MotdePasse1"


def identity_of(beneficiary, postal_code: str | None = None) -> dict[str, str]:
    return {
        "last_name": beneficiary.usage_name or beneficiary.birth_name,
        "nir": beneficiary.nir,
        "birth_date": beneficiary.birth_date.isoformat(),
        "postal_code": postal_code or beneficiary.postal_code,
    }


def proof_of(beneficiary) -> dict[str, str]:
    return {"iban_last7": beneficiary.iban[-7:], "carte_vitale_serial_last11": beneficiary.carte_vitale.serial[-11:]}


def start(base: str, identity: dict) -> tuple[str, dict[str, str]]:
    """POST /v1/signups; returns the signup URL and its Authorization header."""
    started = requests.post(f"{base}/v1/signups", json=identity, timeout=30)
    assert started.status_code == 201, started.text
    signup = started.json()
    return f"{base}/v1/signups/{signup['signup_id']}", {"Authorization": f"Bearer {signup['signup_token']}"}


def until_contact(base: str, identity: dict, proof: dict) -> tuple[str, dict[str, str]]:
    """Option 1 from the identity to the contact step (not given yet)."""
    url, auth = start(base, identity)
    assert requests.post(f"{url}/proof", json=proof, headers=auth, timeout=30).json()["next_step"] == "terms"
    version = requests.get(f"{base}/v1/terms", timeout=30).json()["version"]
    accepted = requests.post(f"{url}/terms", json={"accepted": True, "version": version}, headers=auth, timeout=30)
    assert accepted.json()["next_step"] == "password"
    chosen = requests.post(
        f"{url}/password", json={"password": PASSWORD, "password_confirmation": PASSWORD}, headers=auth, timeout=30
    )
    assert chosen.json()["next_step"] == "contact", chosen.text
    return url, auth


def contact_body(email: str) -> dict[str, Any]:
    return {"email": email, "email_confirmation": email, "email_marketing_consent": False}


def complete_signup(base: str, identity: dict, proof: dict, email: str) -> requests.Response:
    """Option 1 from the identity to the contact step; returns the contact answer."""
    url, auth = until_contact(base, identity, proof)
    return requests.post(f"{url}/contact", json=contact_body(email), headers=auth, timeout=30)


def messages_to(base: str, email: str) -> list[dict[str, Any]]:
    return [m for m in requests.get(f"{base}/_local/mailbox", timeout=10).json()["messages"] if m["to"] == [email]]


def link_token(message: dict[str, Any]) -> str:
    return re.search(r"token=([^\s&]+)", message["text"]).group(1)


def active_account(base: str, beneficiary, email: str) -> None:
    """A signup completed and its link confirmed."""
    contact = complete_signup(base, identity_of(beneficiary), proof_of(beneficiary), email)
    assert contact.status_code == 201, contact.text
    token = link_token(messages_to(base, email)[-1])
    confirmed = requests.post(f"{base}/v1/email-confirmations", json={"token": token}, timeout=30)
    assert confirmed.status_code == 200, confirmed.text


def in_parallel(count: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    """`count` calls sent at once (each on its own connection), in the order of their index."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def write_crowd(path: Path, count: int) -> list[Any]:
    """A fixture file of `count` eligible people built on the demo's BERNARD (distinct NIRs, same proofs);
    returns them as the stack loads them."""
    demo = json.loads(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    model = next(entry for entry in demo["beneficiaries"] if entry["birth_name"] == "BERNARD")
    people = []
    for number in range(1, count + 1):
        people.append({**model, "nir": model["nir"][:10] + f"{number:03d}"})  # 13 characters, without key
    path.write_text(json.dumps({"beneficiaries": people, "franceconnect_identities": []}), encoding="utf-8")
    return load_fixture_file(path).beneficiaries
