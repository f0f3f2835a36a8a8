"""The one cookie of the API: binds a FranceConnect flow to the browser that started it."""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

BROWSER_BINDING_COOKIE = "fc_binding"
_PATH = "/v1/franceconnect"


def set_cookie(name: str, value: str, *, max_age: int, secure: bool) -> str:
    attributes = [f"{name}={value}", f"Path={_PATH}", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def read_cookie(headers: Mapping[str, str] | None, name: str) -> str | None:
    raw = next((value for key, value in (headers or {}).items() if key.lower() == "cookie"), None)
    if not raw:
        return None
    try:
        cookies = SimpleCookie(raw)
    except CookieError:
        return None
    return cookies[name].value if name in cookies else None
