"""Argon2id through argon2-cffi, at its defaults (RFC 9106 low-memory profile)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher


# What an unknown NIR's login is verified against, so that it costs what a wrong password costs. A
# constant, so it exists before the first request (no container pays for hashing it): the hash of a
# random password nobody kept, at argon2-cffi's default parameters (a unit test checks they still are).
UNKNOWN_ACCOUNT_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$h1QeQbWQoRe7wtox8o0HvA$WBE0ljtKEae9dy7FCssn/ETZ1UQQsKpoxXAomKaJQ/c"
)


class Argon2PasswordHasher:
    @cached_property
    def _hasher(self) -> PasswordHasher:
        from argon2 import PasswordHasher  # imported at first use: only password functions pay for it

        return PasswordHasher()

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def unknown_account_hash(self) -> str:
        return UNKNOWN_ACCOUNT_HASH

    def needs_rehash(self, password_hash: str) -> bool:
        return bool(self._hasher.check_needs_rehash(password_hash))
