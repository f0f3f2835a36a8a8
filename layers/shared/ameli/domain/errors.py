"""Every refusal the product can give, as plain exceptions with their French explanation.

The HTTP layer gives each its status, stable code and title, and turns it into
`application/problem+json`, in one place (`ameli.http.problems`). No message ever echoes a
submitted value.
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
    """A refusal the person can act on: `detail` says what to do; `extra` members go to the answer."""

    detail: str = "La demande ne peut pas être traitée."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldIssue] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(type(self).__name__)
        if detail is not None:
            self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def __repr__(self) -> str:  # never include detail/extra values in logs by accident
        return f"{type(self).__name__}()"


class InvalidRequest(AppError):
    detail = "Veuillez corriger les champs signalés."


class OnlineSignupUnavailable(AppError):
    """The uniform refusal: the same body whatever the reason (anti-enumeration)."""

    detail = (
        "Nous ne pouvons pas créer votre compte en ligne avec ces informations. "
        "Vérifiez votre saisie, ou créez votre compte avec FranceConnect, "
        "ou contactez votre caisse d'assurance maladie."
    )


class ProofMismatch(AppError):
    detail = (
        "Les 7 derniers caractères de l'IBAN ou les 11 derniers chiffres du numéro de série "
        "de la carte Vitale ne correspondent pas à ceux que nous connaissons."
    )


class TooManyAttempts(AppError):
    detail = "Par sécurité, la création de compte en ligne est bloquée pour 24 heures. Réessayez plus tard."


class TooManyLinks(TooManyAttempts):
    detail = (
        "Vous avez demandé trop de nouveaux liens de confirmation en 24 heures. Utilisez le dernier "
        "lien reçu (pensez à vérifier vos courriers indésirables), ou réessayez plus tard."
    )


class AccountAlreadyExists(AppError):
    detail = "Un compte existe déjà pour ce numéro de sécurité sociale. Connectez-vous avec votre code personnel."


class SignupSessionInvalid(AppError):
    detail = "Cette création de compte n'est pas reconnue. Recommencez depuis le début."


class SignupExpired(AppError):
    detail = "Le délai pour terminer la création de votre compte est dépassé. Recommencez depuis le début."


class StepNotAllowed(AppError):
    detail = "Cette étape n'est pas celle attendue. Poursuivez à l'étape indiquée."


class TermsVersionOutdated(AppError):
    detail = "Les conditions d'utilisation ont changé. Relisez-les avant de les accepter."


class PasswordRejected(AppError):
    detail = "Votre code personnel ne respecte pas les règles indiquées."


class EmailAlreadyUsed(AppError):
    detail = "Cette adresse email est déjà associée à un compte ameli. Choisissez-en une autre."


class LinkInvalid(AppError):
    detail = (
        "Ce lien de confirmation n'est pas reconnu ou a été remplacé par un lien plus récent. "
        "Utilisez le dernier lien reçu, ou connectez-vous pour en recevoir un nouveau."
    )


class LinkExpired(AppError):
    detail = (
        "Le lien de confirmation a expiré. Vous pouvez recevoir un nouveau lien à la même adresse "
        "email, ou à une autre adresse."
    )


class PendingEmailDeleted(AppError):
    detail = (
        "Votre adresse email n'a pas été confirmée à temps et a été supprimée. "
        "Connectez-vous pour indiquer une adresse email valide : un nouveau lien vous sera envoyé."
    )


class AccountAlreadyActive(AppError):
    detail = (
        "Votre compte ameli est déjà activé. "
        "Connectez-vous avec votre n° de sécurité sociale et votre code personnel."
    )


class InvalidCredentials(AppError):
    detail = "Le numéro de sécurité sociale ou le code personnel est incorrect."


class AccountLocked(AppError):
    detail = "Trop d'essais de connexion ont échoué. Par sécurité, attendez avant de réessayer."


class AuthenticationRequired(AppError):
    detail = "Votre session n'est pas valide ou a expiré. Connectez-vous de nouveau."


class EmailConfirmationPending(AppError):
    detail = (
        "Votre compte sera actif dès que vous aurez confirmé votre adresse email avec le lien reçu. "
        "Vous pouvez demander un nouvel envoi du lien."
    )


class LoginLinkExpired(AppError):
    detail = (
        "Le lien de confirmation envoyé a expiré. Recevez un nouveau lien à la même adresse email, "
        "ou à une autre adresse."
    )


class EmailRequired(AppError):
    detail = (
        "Votre adresse email n'a pas été confirmée à temps et a été supprimée. "
        "Indiquez une adresse email valide : nous vous enverrons un lien pour activer votre compte."
    )


class ServiceUnavailable(AppError):
    """A dependency (DynamoDB, SES, Step Functions, Secrets Manager) failed after its retries."""

    detail = (
        "Le service ne peut pas répondre pour le moment. Réessayez dans quelques instants : "
        "les informations déjà saisies sont conservées."
    )


# Answers of the routing itself, not of the domain. The emulated API Gateway (local/gateway.py) reads
# their status, code and title here; ameli.http.problems maps them from these same values.
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


# Answers about the request body itself (ameli.http.bodies): what the person's client sent cannot be read.
class UnsupportedMediaType(AppError):
    detail = "Le contenu doit être envoyé au format JSON, encodé en UTF-8 (Content-Type: application/json)."


class BodyTooLarge(AppError):
    detail = "Le contenu envoyé est trop volumineux."
