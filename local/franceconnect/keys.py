"""Signing keys of the local FranceConnect: one ES256 (P-256) and one RS256 (RSA 2048) key, generated
at start, published in the JWKS with their RFC 7638 thumbprint as `kid`, and rotatable for tests."""

from __future__ import annotations

import secrets

from joserfc.jwk import ECKey, KeySet, RSAKey

Key = ECKey | RSAKey


def _generate(alg: str) -> Key:
    if alg == "ES256":
        key: Key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"}, private=True)
    elif alg == "RS256":
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True)
    else:  # pragma: no cover - guarded by ClientRegistration
        raise ValueError(f"unsupported algorithm {alg}")
    key.ensure_kid()  # RFC 7638 thumbprint
    return key


def _with_kid(key: Key, kid: str | None) -> Key:
    return type(key).import_key(key.as_dict(private=True), parameters={"kid": kid})  # type: ignore[return-value]


class SigningKeys:
    ALGS = ("ES256", "RS256")

    def __init__(self) -> None:
        self._current: dict[str, Key] = {}
        self._published: list[Key] = []
        self._issued: list[Key] = []  # every key this provider ever signed with (id_token_hint checks)
        self._rogue: dict[str, Key] = {}
        self.rotate()

    def rotate(self, keep_previous: bool = False, keep_kids: bool = False) -> list[str]:
        """New ES256 and RS256 keys; the JWKS then publishes them (and the previous ones only when
        `keep_previous`). With `keep_kids` the new keys take the previous kids, as FranceConnect's
        HSM-named keys do (`pkcs11:ES256:hsm`). Returns the new kids."""
        previous = list(self._current.values())
        current = {alg: _generate(alg) for alg in self.ALGS}
        if keep_kids and self._current:
            current = {alg: _with_kid(key, self._current[alg].kid) for alg, key in current.items()}
        self._current = current
        self._published = list(self._current.values()) + (previous if keep_previous else [])
        self._issued.extend(self._current.values())
        return [key.kid for key in self._current.values()]  # type: ignore[misc]

    def signing_key(self, alg: str) -> Key:
        return self._current[alg]

    def rogue_key(self, alg: str) -> Key:
        """A key of the same type that is never published (for `wrong_signature`)."""
        if alg not in self._rogue:
            self._rogue[alg] = _generate(alg)
        return self._rogue[alg]

    @staticmethod
    def unknown_kid() -> str:
        """A kid that is not in the JWKS and never will be."""
        return "inconnu-" + secrets.token_hex(16)

    def jwks(self) -> dict:
        return {"keys": [key.as_dict(private=False) for key in self._published]}

    def verification_keys(self) -> KeySet:
        """Public keys of every key this provider signed with, for checking its own id_token_hint."""
        return KeySet.import_key_set({"keys": [key.as_dict(private=False) for key in self._issued]})
