"""Reading a request body: JSON only, UTF-8, at most `MAX_BODY_BYTES`, one object at the top.

Whatever else a client sends is refused here with a French problem (415, 413, or the 422
`INVALID_REQUEST` whose field `body` says why), never a 5xx: invalid UTF-8, JSON nested thousands
deep, an integer beyond Python's 4,300 digits, a lone surrogate (`"\\ud800"`, valid JSON but not
text), an array or a string at the top. Powertools reads the body in its request validation
middleware; `JsonRequestValidation` replaces that one method.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ameli.domain.errors import BodyTooLarge, FieldIssue, InvalidRequest, UnsupportedMediaType
from ameli.http.powertools import OpenAPIRequestValidationMiddleware

# Our largest legitimate body (the contact step) is under 1 KiB; 16 KiB leaves room and keeps any
# parse cheap. API Gateway's own limit (10 MB) is far above it.
MAX_BODY_BYTES = 16 * 1024
# Our bodies are flat objects; a few levels leave room for a future nested member.
MAX_DEPTH = 8


def _unreadable(message: str) -> InvalidRequest:
    return InvalidRequest("Le contenu envoyé ne peut pas être lu.",
                          errors=[FieldIssue("body", "INVALID_JSON", message)])


def _ensure_json_content_type(content_type: str) -> None:
    """`application/json`, with at most a `charset=utf-8` parameter; no header at all is read as JSON."""
    if not content_type.strip():
        return
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    if media_type != "application/json":
        raise UnsupportedMediaType()
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise UnsupportedMediaType()


def _body_bytes(event: Any) -> bytes:
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _unreadable("Le contenu envoyé n'est pas lisible.") from None
    # API Gateway gives a text body as a string: encoding it back cannot fail but for lone surrogates.
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        raise _unreadable("Le contenu envoyé doit être du texte encodé en UTF-8.") from None


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """`raw` as one JSON object, or the French refusal of why it cannot be one."""
    if not raw.strip():
        return {}  # no body: each required field is then reported missing, by name
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"Le contenu envoyé dépasse la taille maximale de {MAX_BODY_BYTES // 1024} Kio.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable("Le contenu envoyé doit être du texte encodé en UTF-8.") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _unreadable("Le contenu envoyé est imbriqué trop profondément.") from None
    except json.JSONDecodeError:
        raise _unreadable("Le contenu envoyé n'est pas un JSON valide.") from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise _unreadable("Le contenu envoyé contient un nombre trop long.") from None
    if not isinstance(value, dict):
        raise _unreadable("Le contenu envoyé doit être un objet JSON, entre accolades.")
    if _depth(value) > MAX_DEPTH:  # whatever the interpreter's own recursion limit lets through
        raise _unreadable("Le contenu envoyé est imbriqué trop profondément.")
    try:  # "\ud800" is valid JSON, but no text: refused here rather than when a value is hashed or stored
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _unreadable("Le contenu envoyé contient des caractères invalides.") from None

    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (1 for a flat object), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json_body(event: Any) -> dict[str, Any]:
    _ensure_json_content_type(event.headers.get("content-type") or "")
    return parse_json_object(_body_bytes(event))


class JsonRequestValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, reading the body with `read_json_body` (JSON only)."""

    def _get_body(self, app: Any) -> dict[str, Any]:
        body = read_json_body(app.current_event)
        # The handler may read the body again (the contact step's replay key): parse it once.
        app.current_event.__dict__["json_body"] = body
        return body
