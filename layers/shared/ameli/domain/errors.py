"""Every refusal the product can give, with its HTTP status, stable code and French wording.

The HTTP layer turns these into `application/problem+json` in one place
(`ameli.http.problems`). No message ever echoes a submitted value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldIssue:
    """One invalid field: `FieldIssue("nir", "INVALID_KEY", "La clé ... ")`."""

    field: str
    code: str
    message: str


class AppError(Exception):
    """A refusal the client can act on. Subclasses fix status, code and wording."""

    status: int = 400
    code: str = "BAD_REQUEST"
    title: str = "Requête refusée"
    detail: str = "La demande ne peut pas être traitée."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldIssue] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(self.code)
        if detail is not None:
            self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def __repr__(self) -> str:  # never include detail/extra values in logs by accident
        return f"{type(self).__name__}({self.code})"


class InvalidRequest(AppError):
    status = 422
    code = "INVALID_REQUEST"
    title = "Certaines informations sont incorrectes"
    detail = "Veuillez corriger les champs signalés."


class OnlineSignupUnavailable(AppError):
    """The uniform refusal: the same body whatever the reason (anti-enumeration)."""

    status = 403
    code = "ONLINE_SIGNUP_UNAVAILABLE"
    title = "Création de compte en ligne impossible"
    detail = (
        "Nous ne pouvons pas créer votre compte en ligne avec ces informations. "
        "Vérifiez votre saisie, ou créez votre compte avec FranceConnect, "
        "ou contactez votre caisse d'assurance maladie."
    )


class ProofMismatch(AppError):
    status = 422
    code = "PROOF_MISMATCH"
    title = "Informations de vérification incorrectes"
    detail = (
        "Les 7 derniers caractères de l'IBAN ou les 11 derniers chiffres du numéro de série "
        "de la carte Vitale ne correspondent pas à ceux que nous connaissons."
    )


class TooManyAttempts(AppError):
    status = 429
    code = "TOO_MANY_ATTEMPTS"
    title = "Trop de tentatives"
    detail = "Par sécurité, la création de compte en ligne est bloquée pour 24 heures. Réessayez plus tard."


class AccountAlreadyExists(AppError):
    status = 409
    code = "ACCOUNT_ALREADY_EXISTS"
    title = "Vous avez déjà un compte ameli"
    detail = "Un compte existe déjà pour ce numéro de sécurité sociale. Connectez-vous avec votre code personnel."


class SignupSessionInvalid(AppError):
    status = 401
    code = "SIGNUP_SESSION_INVALID"
    title = "Session de création de compte invalide"
    detail = "Cette création de compte n'est pas reconnue. Recommencez depuis le début."


class SignupExpired(AppError):
    status = 410
    code = "SIGNUP_EXPIRED"
    title = "Session de création de compte expirée"
    detail = "Le délai pour terminer la création de votre compte est dépassé. Recommencez depuis le début."


class StepNotAllowed(AppError):
    status = 409
    code = "STEP_NOT_ALLOWED"
    title = "Étape non disponible"
    detail = "Cette étape n'est pas celle attendue. Poursuivez à l'étape indiquée."


class TermsVersionOutdated(AppError):
    status = 409
    code = "TERMS_VERSION_OUTDATED"
    title = "Conditions d'utilisation mises à jour"
    detail = "Les conditions d'utilisation ont changé. Relisez-les avant de les accepter."


class PasswordRejected(AppError):
    status = 422
    code = "PASSWORD_REJECTED"
    title = "Code personnel refusé"
    detail = "Votre code personnel ne respecte pas les règles indiquées."


class EmailAlreadyUsed(AppError):
    status = 409
    code = "EMAIL_ALREADY_USED"
    title = "Adresse email déjà utilisée"
    detail = "Cette adresse email est déjà associée à un compte ameli. Choisissez-en une autre."


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"
    title = "Ressource introuvable"
    detail = "L'adresse demandée n'existe pas."


class MethodNotAllowed(AppError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    title = "Méthode non autorisée"
    detail = "Cette opération n'est pas possible à cette adresse."


@dataclass
class FieldErrors:
    """Collects field issues, then raises them together as one 422."""

    issues: list[FieldIssue] = field(default_factory=list)

    def add(self, field_name: str, code: str, message: str) -> None:
        self.issues.append(FieldIssue(field_name, code, message))

    def raise_if_any(self, error_type: type[AppError] = InvalidRequest) -> None:
        if self.issues:
            raise error_type(errors=list(self.issues))


class FieldValidationError(ValueError):
    """Raised by a single-value parser (NIR, phone, email); carries a field code and French message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
