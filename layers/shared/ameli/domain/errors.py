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


class LinkInvalid(AppError):
    status = 404
    code = "LINK_INVALID"
    title = "Lien non valide"
    detail = (
        "Ce lien de confirmation n'est pas reconnu ou a été remplacé par un lien plus récent. "
        "Utilisez le dernier lien reçu, ou connectez-vous pour en recevoir un nouveau."
    )


class LinkExpired(AppError):
    status = 410
    code = "LINK_EXPIRED"
    title = "Ce lien n'est plus actif"
    detail = (
        "Le lien de confirmation a expiré. Vous pouvez recevoir un nouveau lien à la même adresse "
        "email, ou à une autre adresse."
    )


class PendingEmailDeleted(AppError):
    status = 410
    code = "PENDING_EMAIL_DELETED"
    title = "Adresse email à renseigner de nouveau"
    detail = (
        "Votre adresse email n'a pas été confirmée à temps et a été supprimée. "
        "Connectez-vous pour indiquer une adresse email valide : un nouveau lien vous sera envoyé."
    )


class AccountAlreadyActive(AppError):
    status = 409
    code = "ACCOUNT_ALREADY_ACTIVE"
    title = "Compte déjà activé"
    detail = "Votre compte ameli est déjà activé. Connectez-vous avec votre n° de sécurité sociale et votre code personnel."


class InvalidCredentials(AppError):
    status = 401
    code = "INVALID_CREDENTIALS"
    title = "Identifiants incorrects"
    detail = "Le numéro de sécurité sociale ou le code personnel est incorrect."


class AccountLocked(AppError):
    status = 429
    code = "ACCOUNT_LOCKED"
    title = "Connexion temporairement bloquée"
    detail = "Trop d'essais de connexion ont échoué. Par sécurité, attendez avant de réessayer."


class AuthenticationRequired(AppError):
    status = 401
    code = "AUTHENTICATION_REQUIRED"
    title = "Connexion nécessaire"
    detail = "Votre session n'est pas valide ou a expiré. Connectez-vous de nouveau."


class EmailConfirmationPending(AppError):
    status = 403
    code = "EMAIL_CONFIRMATION_PENDING"
    title = "Adresse email pas encore confirmée"
    detail = (
        "Votre compte sera actif dès que vous aurez confirmé votre adresse email avec le lien reçu. "
        "Vous pouvez demander un nouvel envoi du lien."
    )


class LoginLinkExpired(AppError):
    status = 403
    code = "LINK_EXPIRED"
    title = "Ce lien n'est plus actif"
    detail = (
        "Le lien de confirmation envoyé a expiré. Recevez un nouveau lien à la même adresse email, "
        "ou à une autre adresse."
    )


class EmailRequired(AppError):
    status = 403
    code = "EMAIL_REQUIRED"
    title = "Adresse email à renseigner"
    detail = (
        "Votre adresse email n'a pas été confirmée à temps et a été supprimée. "
        "Indiquez une adresse email valide : nous vous enverrons un lien pour activer votre compte."
    )


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
