"""Argon2id through argon2-cffi, at its defaults (RFC 9106 low-memory profile)."""

from __future__ import annotations


class Argon2PasswordHasher:
    def __init__(self) -> None:
        from argon2 import PasswordHasher  # imported here: only password functions pay for it

        self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
