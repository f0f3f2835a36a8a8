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
