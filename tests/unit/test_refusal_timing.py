"""Refusals do the same work whether the NIR exists or not (issue 12, defect 5): the unknown-NIR login
verifies against a hash that exists before the first request, made with the current parameters."""

import pytest

from ameli.adapters.passwords import UNKNOWN_ACCOUNT_HASH, Argon2PasswordHasher
from ameli.domain import errors
from tests import values
from tests.fakes import FakeWorld


def test_the_unknown_account_hash_has_the_current_argon2_parameters():
    hasher = Argon2PasswordHasher()
    assert hasher.unknown_account_hash() == UNKNOWN_ACCOUNT_HASH
    # if argon2-cffi's defaults change, regenerate it: a cheaper hash would make unknown NIRs faster
    assert not hasher.needs_rehash(UNKNOWN_ACCOUNT_HASH)
    assert not hasher.verify(UNKNOWN_ACCOUNT_HASH, "MotdePasse1")


def test_an_unknown_nir_login_verifies_once_and_hashes_nothing():
    world = FakeWorld([])
    calls = []
    hasher = world.hasher
    original_hash, original_verify = hasher.hash, hasher.verify
    hasher.hash = lambda password: calls.append("hash") or original_hash(password)
    hasher.verify = lambda stored, password: calls.append("verify") or original_verify(stored, password)
    with pytest.raises(errors.InvalidCredentials):
        world.login.login(values.nir("2 55 08 14 168 025"), "MotdePasse1")
    assert calls == ["verify"]  # the first unknown NIR of a container costs what a wrong password costs


def test_an_absent_nir_is_compared_like_a_present_one_before_the_uniform_refusal(monkeypatch):
    from ameli.service import option1
    from tests.people import VENTURI, VENTURI_IDENTITY, beneficiary

    compared = []
    original = option1.option1_refusal
    monkeypatch.setattr(option1, "option1_refusal", lambda b, *args: compared.append(b) or original(b, *args))
    world = FakeWorld([beneficiary(VENTURI)])
    for nir in (VENTURI_IDENTITY["nir"], "1 62 12 75 999 999"):  # present (wrong postal code), absent
        with pytest.raises(errors.OnlineSignupUnavailable):
            world.option1.start(values.identity({**VENTURI_IDENTITY, "nir": nir, "postal_code": "75001"}))
    assert len(compared) == 2 and all(b is not None for b in compared)
