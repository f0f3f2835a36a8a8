"""The one mapping of refusals to HTTP: each domain error's status, stable code and French title,
and the `application/problem+json` body (api.md, "Errors").

Adding a refusal: a class in `ameli.domain.errors` (with its `detail`), a line in `PROBLEMS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ameli.domain import errors
from ameli.domain.errors import AppError, FieldIssue
from ameli.http.fields import API_FIELD_CODE
from ameli.http.powertools import Response

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://api.ameli.example/problemes/"


@dataclass(frozen=True)
class Problem:
    """How one kind of refusal is answered."""

    status: int
    code: str
    title: str


PROBLEMS: dict[type[AppError], Problem] = {
    errors.InvalidRequest: Problem(422, "INVALID_REQUEST", "Certaines informations sont incorrectes"),
    errors.OnlineSignupUnavailable: Problem(403, "ONLINE_SIGNUP_UNAVAILABLE", "Création de compte en ligne impossible"),
    errors.ProofMismatch: Problem(422, "PROOF_MISMATCH", "Informations de vérification incorrectes"),
    errors.TooManyAttempts: Problem(429, "TOO_MANY_ATTEMPTS", "Trop de tentatives"),
    errors.TooManyLinks: Problem(429, "TOO_MANY_ATTEMPTS", "Trop de nouveaux liens demandés"),
    errors.AccountAlreadyExists: Problem(409, "ACCOUNT_ALREADY_EXISTS", "Vous avez déjà un compte ameli"),
    errors.SignupSessionInvalid: Problem(401, "SIGNUP_SESSION_INVALID", "Session de création de compte invalide"),
    errors.SignupExpired: Problem(410, "SIGNUP_EXPIRED", "Session de création de compte expirée"),
    errors.StepNotAllowed: Problem(409, "STEP_NOT_ALLOWED", "Étape non disponible"),
    errors.TermsVersionOutdated: Problem(409, "TERMS_VERSION_OUTDATED", "Conditions d'utilisation mises à jour"),
    errors.PasswordRejected: Problem(422, "PASSWORD_REJECTED", "Code personnel refusé"),
    errors.EmailAlreadyUsed: Problem(409, "EMAIL_ALREADY_USED", "Adresse email déjà utilisée"),
    errors.LinkInvalid: Problem(404, "LINK_INVALID", "Lien non valide"),
    errors.LinkExpired: Problem(410, "LINK_EXPIRED", "Ce lien n'est plus actif"),
    errors.PendingEmailDeleted: Problem(410, "PENDING_EMAIL_DELETED", "Adresse email à renseigner de nouveau"),
    errors.AccountAlreadyActive: Problem(409, "ACCOUNT_ALREADY_ACTIVE", "Compte déjà activé"),
    errors.InvalidCredentials: Problem(401, "INVALID_CREDENTIALS", "Identifiants incorrects"),
    errors.AccountLocked: Problem(429, "ACCOUNT_LOCKED", "Connexion temporairement bloquée"),
    errors.AuthenticationRequired: Problem(401, "AUTHENTICATION_REQUIRED", "Connexion nécessaire"),
    errors.EmailConfirmationPending: Problem(403, "EMAIL_CONFIRMATION_PENDING", "Adresse email pas encore confirmée"),
    errors.LoginLinkExpired: Problem(403, "LINK_EXPIRED", "Ce lien n'est plus actif"),
    errors.EmailRequired: Problem(403, "EMAIL_REQUIRED", "Adresse email à renseigner"),
    errors.ServiceUnavailable: Problem(503, "SERVICE_UNAVAILABLE", "Service momentanément indisponible"),
    errors.UnsupportedMediaType: Problem(415, "UNSUPPORTED_MEDIA_TYPE", "Format de contenu non pris en charge"),
    errors.BodyTooLarge: Problem(413, "BODY_TOO_LARGE", "Contenu trop volumineux"),
    # Routing answers: their values stay on the classes, which the emulated API Gateway reads too.
    errors.NotFound: Problem(errors.NotFound.status, errors.NotFound.code, errors.NotFound.title),
    errors.MethodNotAllowed: Problem(errors.MethodNotAllowed.status, errors.MethodNotAllowed.code,
                                     errors.MethodNotAllowed.title),
}
_UNLISTED = Problem(400, "BAD_REQUEST", "Requête refusée")


@dataclass(frozen=True)
class Member:
    """An extra member of a problem (api.md: "extra members are allowed where listed")."""

    schema: dict[str, Any]
    example: Any
    always: bool = True  # present in every answer of that code


_RETRY_AFTER = Member({"type": "integer", "minimum": 1, "description": "Secondes à attendre avant de réessayer"}, 86400)
_NEXT_STEP = Member({"enum": ["proof", "terms", "password", "contact", "done", "login"],
                     "description": "L'étape à poursuivre (`login` : se connecter)"}, "terms")
_RESEND_OPTIONS = Member({"type": "array", "items": {"enum": ["same_address", "other_address"]},
                          "description": "Recevoir un nouveau lien : à la même adresse, ou à une autre"},
                         ["same_address", "other_address"])
_PENDING_TOKEN = {
    "pending_token": Member({"type": "string", "description": "Jeton de POST /v1/account/email (Bearer)"},
                            "q3Xk…"),
    "pending_token_expires_at": Member({"type": "string", "format": "date-time"}, "2026-04-01T10:15:00Z"),
}
_EMAIL_MASKED = Member({"type": "string", "description": "L'adresse en attente, masquée"}, "p***@example.fr")

# The extra members each refusal carries: the OpenAPI documents them per operation (ameli.http.docs).
PROBLEM_MEMBERS: dict[type[AppError], dict[str, Member]] = {
    errors.ProofMismatch: {"attempts_left": Member(
        {"type": "integer", "minimum": 1, "description": "Essais restants avant le blocage de 24 heures"}, 2)},
    errors.TooManyAttempts: {"retry_after": _RETRY_AFTER},
    errors.AccountLocked: {"retry_after": _RETRY_AFTER},
    errors.StepNotAllowed: {"next_step": _NEXT_STEP},
    errors.AccountAlreadyExists: {"next_step": Member(_NEXT_STEP.schema, "login")},
    errors.TermsVersionOutdated: {"current_version": Member({"type": "string"}, "2020-04")},
    errors.LinkExpired: {"resend_options": _RESEND_OPTIONS},
    errors.EmailConfirmationPending: {**_PENDING_TOKEN, "email_masked": _EMAIL_MASKED},
    errors.LoginLinkExpired: {**_PENDING_TOKEN, "email_masked": _EMAIL_MASKED, "resend_options": _RESEND_OPTIONS},
    errors.EmailRequired: _PENDING_TOKEN,
}


def problem_of(error: AppError) -> Problem:
    """The answer of `error`'s class, or of the nearest listed class it derives from."""
    for kind in type(error).__mro__:
        if kind in PROBLEMS:
            return PROBLEMS[kind]
    return _UNLISTED


def problem(error: AppError) -> Response[str]:
    answer = problem_of(error)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + answer.code.lower().replace("_", "-"),
        "title": answer.title,
        "status": answer.status,
        "code": answer.code,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = [{"field": i.field, "code": i.code, "message": i.message} for i in error.errors]
    body.update(error.extra)
    # Set here too: an answer built by an exception handler does not pass through the middlewares.
    headers = {"Cache-Control": "no-store"}
    if "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    return Response(status_code=answer.status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers)


# Pydantic error types, translated without ever quoting the submitted value.
_VALIDATION_MESSAGES = {
    "missing": ("REQUIRED", "Ce champ est obligatoire."),
    "bool_type": ("INVALID_TYPE", "Répondez par oui (true) ou non (false)."),
    "bool_parsing": ("INVALID_TYPE", "Répondez par oui (true) ou non (false)."),
    "string_type": ("INVALID_TYPE", "Ce champ doit être un texte."),
    "string_too_long": ("TOO_LONG", "Ce champ est trop long."),
    "json_invalid": ("INVALID_JSON", "Le contenu envoyé n'est pas un JSON valide."),
    "model_attributes_type": ("INVALID_JSON", "Le contenu envoyé doit être un objet JSON."),
    "dict_type": ("INVALID_JSON", "Le contenu envoyé doit être un objet JSON."),
}


_INVALID_VALUE = ("INVALID_VALUE", "Cette valeur n'est pas valide.")


def field_issue(detail: dict[str, Any]) -> FieldIssue:
    """One pydantic error as a field issue of the API: the field types' own codes pass through."""
    location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "query", "header", "path")]
    if (detail.get("ctx") or {}).get(API_FIELD_CODE):
        return FieldIssue(".".join(location) or "body", detail["type"], detail["msg"])
    code, message = _VALIDATION_MESSAGES.get(detail.get("type", ""), _INVALID_VALUE)
    return FieldIssue(".".join(location) or "body", code, message)
