"""How the operations are documented (docs/openapi.json, built by scripts/openapi.py): the bearer
schemes, the tags in journey order, and each operation's problem answers with their codes, extra
members and examples, taken from the one mapping of refusals (`ameli.http.problems`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ameli.domain import errors
from ameli.domain.errors import AppError
from ameli.http.problems import PROBLEM_JSON, PROBLEM_MEMBERS, PROBLEM_TYPE_BASE, problem_of

# -- bearer schemes: which token authorises which call (api.md)
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "signupToken": {
        "description": "Le `signup_token` reçu au début de la création de compte (POST /v1/signups, ou le retour "
                       "de FranceConnect). Il ne sert plus après l'étape contact.",
    },
    "correctionToken": {
        "description": "Le `correction_token` de la réponse à l'étape contact : corriger l'adresse email tant que "
                       "le lien n'a pas servi, pendant 30 minutes, sans redemander le code personnel.",
    },
    "pendingToken": {
        "description": "Le `pending_token` d'une connexion refusée en 403 (email pas encore confirmé) : recevoir "
                       "un nouveau lien, à la même adresse ou à une autre. Valable 15 minutes.",
    },
    "sessionToken": {
        "description": "Le `session_token` d'une connexion réussie (POST /v1/sessions).",
    },
}


Security = list[dict[str, list[str]]]


def security_schemes() -> dict[str, Any]:
    """The bearer schemes, for Powertools (each resolver checks its routes' `security=` against them).

    Plain OpenAPI objects, not Powertools' `HTTPBearer` models: importing those models builds the
    whole OpenAPI object model, about a fifth of a handler's import; Powertools validates these into
    `HTTPBearer` when it writes the document, and only then."""
    return {name: {"type": "http", "scheme": "bearer", "description": scheme["description"]}
            for name, scheme in SECURITY_SCHEMES.items()}


SIGNUP_TOKEN: Security = [{"signupToken": []}]
CORRECTION_TOKEN: Security = [{"correctionToken": []}]
PENDING_TOKEN: Security = [{"pendingToken": []}]
SESSION_TOKEN: Security = [{"sessionToken": []}]
PENDING_OR_CORRECTION_TOKEN: Security = [{"pendingToken": []}, {"correctionToken": []}]

# -- tags, in the order a person meets them
OPTION1 = "1a. Option 1 : carte Vitale et IBAN"
FRANCECONNECT = "1b. Option 2 : FranceConnect"
COMMON_STEPS = "2. Conditions, code personnel, contact"
EMAIL_CONFIRMATION = "3. Confirmation de l'email"
LOGIN_AND_ACCOUNT = "4. Connexion et compte"
OPERATIONS = "5. Exploitation"
TAGS: list[tuple[str, str]] = [
    (OPTION1, "Option 1 : identité, puis preuve de possession de la carte Vitale et du RIB."),
    (FRANCECONNECT, "Option 2 : l'identité reçue de FranceConnect remplace l'option 1."),
    (COMMON_STEPS, "Étapes communes aux deux options, autorisées par le `signup_token`."),
    (EMAIL_CONFIRMATION, "Le lien reçu par email active le compte ; un lien expiré peut être renvoyé."),
    (LOGIN_AND_ACCOUNT, "Connexion par NIR et code personnel, compte en attente, mon compte."),
    (OPERATIONS, "Supervision."),
]

# -- problem answers shared by families of operations
BODY_REFUSALS = (errors.InvalidRequest, errors.UnsupportedMediaType, errors.BodyTooLarge)
SIGNUP_REFUSALS = (errors.SignupSessionInvalid, errors.SignupExpired, errors.StepNotAllowed)

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_EXAMPLE_FIELD_ERRORS = [{"field": "nir", "code": "INVALID_KEY",
                          "message": "La clé de votre numéro de sécurité sociale ne correspond pas."}]


def _example(refusal: type[AppError]) -> dict[str, Any]:
    answer = problem_of(refusal())
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + answer.code.lower().replace("_", "-"), "title": answer.title,
                            "status": answer.status, "code": answer.code, "detail": refusal.detail}
    if refusal is errors.InvalidRequest:
        body["errors"] = _EXAMPLE_FIELD_ERRORS
    body.update({name: member.example for name, member in PROBLEM_MEMBERS.get(refusal, {}).items()})
    return body


def _schema(refusal: type[AppError]) -> dict[str, Any]:
    members = PROBLEM_MEMBERS.get(refusal, {})
    schema: dict[str, Any] = {
        "allOf": [_PROBLEM_REF],
        "properties": {"code": {"const": problem_of(refusal()).code},
                       **{name: member.schema for name, member in members.items()}},
    }
    required = [name for name, member in members.items() if member.always]
    if required:
        schema["required"] = required
    return schema


def documented(success: int, model: type[BaseModel] | None, *refusals: type[AppError],
               description: str = "Succès") -> dict[int, Any]:
    """The `responses=` of a route: its success body, then per status the problems it may answer
    (each code as one alternative of the schema, with its extra members and an example)."""
    responses: dict[int, Any] = {
        success: {"description": description, **({"content": {"application/json": {"model": model}}} if model else {})}
    }
    by_status: dict[int, list[type[AppError]]] = {}
    # Any call may meet a failing dependency: 503 with `retry_after`, and the same request may be retried.
    for refusal in dict.fromkeys((*refusals, errors.ServiceUnavailable)):
        by_status.setdefault(problem_of(refusal()).status, []).append(refusal)
    for status, kinds in sorted(by_status.items()):
        codes = list(dict.fromkeys(problem_of(kind()).code for kind in kinds))
        schemas = list({problem_of(kind()).code: _schema(kind) for kind in kinds}.values())
        answer: dict[str, Any] = {
            "description": " ; ".join(f"`{code}`" for code in codes),
            "content": {PROBLEM_JSON: {
                "schema": schemas[0] if len(schemas) == 1 else {"oneOf": schemas},
                "examples": {problem_of(kind()).code: {"summary": problem_of(kind()).title, "value": _example(kind)}
                             for kind in kinds},
            }},
        }
        if any("retry_after" in PROBLEM_MEMBERS.get(kind, {}) for kind in kinds):
            answer["headers"] = {"Retry-After": {"description": "Secondes à attendre avant de réessayer",
                                                 "schema": {"type": "integer"}}}
        responses[status] = answer
    return responses
