"""Bearer secrets: 256 random bits given to the client, only their SHA-256 kept server-side."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def derived_token(secret: str, purpose: str) -> str:
    """A second bearer secret computed from `secret`: whoever holds `secret` (and only them) can compute
    it again, so a replayed answer can carry it without the server ever storing it in clear."""
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, expected_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), expected_hash)
