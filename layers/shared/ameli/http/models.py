"""Request and response bodies of the API (api.md), as pydantic v2 models.

A request field's type (`ameli.http.fields`) parses it with the domain's parser, so a handler gets
value objects and every field error comes back in French with the codes of api.md, in one 422.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ameli.clock import to_rfc3339
from ameli.domain.errors import FieldValidationError
from ameli.http.fields import (
    BirthDate,
    EmailAddress,
    IbanLast7,
    LandlinePhone,
    LastName,
    MobilePhone,
    NirValue,
    OptionalEmail,
    Password,
    PostalCode,
    SerialLast11,
    field_error,
)

if TYPE_CHECKING:  # the domain's values are imported where used: each function validates only its own routes
    from ameli.domain.beneficiary import DeclaredIdentity
    from ameli.domain.contact import ContactDetails, Email
    from ameli.domain.franceconnect import ReceivedIdentity
    from ameli.domain.proof import ProofTails
    from ameli.domain.terms import Terms
    from ameli.service.confirmation_links import LinkSent

NextStep = Literal["proof", "terms", "password", "contact", "done"]


class _Model(BaseModel):
    # Each function imports every model but validates or writes only its routes' few: a model's
    # validator is built at its first use (the first request of its route), not at import.
    model_config = ConfigDict(defer_build=True)


class _Request(_Model):
    model_config = ConfigDict(extra="ignore", str_max_length=200)


MISMATCH_MESSAGE = "Les deux adresses email ne sont pas identiques."


def _typed_twice(confirmation: str | None, info: ValidationInfo, field: str) -> str | None:
    """The confirmation must repeat the address (case aside); checked only once the address is valid.
    The address is already normalised (domain in lower case, Unicode NFC): a confirmation typed the
    same way normalises to the same mailbox."""
    from ameli.domain.contact import Email

    address = info.data.get(field)
    if isinstance(address, Email) and not _same_mailbox(address, (confirmation or "").strip()):
        raise field_error("MISMATCH", MISMATCH_MESSAGE)
    return confirmation


def _same_mailbox(address: Email, confirmation: str) -> bool:
    from ameli.domain.contact import parse_email

    if confirmation.casefold() == address.address.casefold():
        return True
    try:
        return parse_email(confirmation, test_environment=True).uniqueness_key == address.uniqueness_key
    except FieldValidationError:
        return False


class StartSignupRequest(_Request):
    last_name: LastName = Field(description="Nom de naissance ou nom d'usage", examples=["venturi"])
    nir: NirValue = Field(description="N° de sécurité sociale, 13 ou 15 caractères", examples=["1 62 12 2B 010 001"])
    birth_date: BirthDate = Field(description="Date de naissance, YYYY-MM-DD", examples=["1962-12-18"])
    postal_code: PostalCode = Field(description="Code postal actuel ou ancien", examples=["63000"])

    @field_validator("birth_date")
    @classmethod
    def _consistent_with_nir(cls, birth_date: date, info: ValidationInfo) -> date:
        from ameli.domain.nir import Nir, nir_matches_birth_date

        nir = info.data.get("nir")
        if isinstance(nir, Nir) and not nir_matches_birth_date(nir, birth_date):
            raise field_error(
                "INCONSISTENT_WITH_NIR",
                "Votre date de naissance ne correspond pas à votre numéro de sécurité sociale. Vérifiez les deux.",
            )
        return birth_date

    def identity(self) -> DeclaredIdentity:
        from ameli.domain.beneficiary import DeclaredIdentity

        return DeclaredIdentity(self.last_name, self.nir, self.birth_date, self.postal_code)


class ProofRequest(_Request):
    iban_last7: IbanLast7 = Field(description="Les 7 derniers caractères de l'IBAN", examples=["7890143"])
    carte_vitale_serial_last11: SerialLast11 = Field(
        description="Les 11 derniers chiffres du n° de série de la carte Vitale")

    def tails(self) -> ProofTails:
        from ameli.domain.proof import ProofTails

        return ProofTails(self.iban_last7, self.carte_vitale_serial_last11)


class TermsAnswer(_Request):
    accepted: bool
    version: str = ""


class PasswordCheckRequest(_Request):
    model_config = ConfigDict(extra="ignore", str_max_length=1000)
    password: str


class PasswordRequest(PasswordCheckRequest):
    password_confirmation: str


class ContactRequest(_Request):
    email: EmailAddress
    email_confirmation: str
    email_marketing_consent: bool | None = Field(
        default=None, description="Obligatoire : true (Oui) ou false (Non)", validate_default=True)
    # The consents come before their phone: the phone's validator needs them.
    mobile_marketing_call_consent: bool = False
    mobile_marketing_sms_consent: bool = False
    mobile_phone: MobilePhone = Field(default=None, validate_default=True)
    landline_marketing_call_consent: bool = False
    landline_phone: LandlinePhone = Field(default=None, validate_default=True)

    @field_validator("email_confirmation")
    @classmethod
    def _same_email(cls, confirmation: str, info: ValidationInfo) -> str | None:
        return _typed_twice(confirmation, info, "email")

    @field_validator("email_marketing_consent")
    @classmethod
    def _answered(cls, consent: bool | None) -> bool | None:
        if consent is None:
            raise field_error("REQUIRED", "Répondez Oui ou Non à cette question.")
        return consent

    @field_validator("mobile_phone")
    @classmethod
    def _mobile_for_its_consents(cls, phone: str | None, info: ValidationInfo) -> str | None:
        if phone is None and (info.data.get("mobile_marketing_call_consent")
                              or info.data.get("mobile_marketing_sms_consent")):
            raise field_error("REQUIRED", "Indiquez votre numéro de mobile pour recevoir ces informations.")
        return phone

    @field_validator("landline_phone")
    @classmethod
    def _landline_for_its_consent(cls, phone: str | None, info: ValidationInfo) -> str | None:
        if phone is None and info.data.get("landline_marketing_call_consent"):
            raise field_error("REQUIRED", "Indiquez votre numéro de fixe pour recevoir ces appels.")
        return phone

    def details(self) -> ContactDetails:
        from ameli.domain.contact import ContactDetails

        return ContactDetails(
            email=self.email,
            email_marketing_consent=bool(self.email_marketing_consent),
            mobile_phone=self.mobile_phone,
            mobile_marketing_call_consent=self.mobile_marketing_call_consent,
            mobile_marketing_sms_consent=self.mobile_marketing_sms_consent,
            landline_phone=self.landline_phone,
            landline_marketing_call_consent=self.landline_marketing_call_consent,
        )


class ProofDisplay(_Model):
    iban_masked: str = Field(examples=["FR76 3000 4*** **** **** *** ****"])
    carte_vitale_serial_prefix: str = Field(examples=["8025000002"])


class StartSignupResponse(_Model):
    signup_id: str
    signup_token: str
    expires_at: str
    next_step: NextStep
    proof: ProofDisplay


class NextStepResponse(_Model):
    next_step: NextStep
    expires_at: str = Field(description="Fin de validité de la création de compte en cours")


class TermsResponse(_Model):
    version: str = Field(description="À renvoyer dans POST /v1/signups/{id}/terms", examples=["2020-04"])
    title: str
    text: str = Field(description="Le texte intégral ; les paragraphes sont séparés par une ligne vide")

    @classmethod
    def of(cls, terms: Terms) -> TermsResponse:
        return cls(version=terms.version, title=terms.title, text=terms.text)


class ProofAcceptedResponse(NextStepResponse):
    terms: TermsResponse = Field(description="Les conditions d'utilisation en vigueur, que l'étape suivante affiche "
                                             "(sans appeler GET /v1/terms)")


class ReceivedIdentityView(_Model):
    """The identity FranceConnect sent (its claims, as they came), for the person to check it is theirs."""

    given_names: str = Field(description="Tous les prénoms, séparés par une espace (`given_name`)",
                             examples=["Angela Claire Louise"])
    birth_name: str = Field(description="Nom de naissance (`family_name`)", examples=["DUBOIS"])
    usage_name: str | None = Field(
        default=None, description="Nom d'usage (`preferred_username`), absent s'il n'y en a pas", examples=["LEROY"])
    birth_date: date = Field(description="Date de naissance (`birthdate`) ; un jour ou un mois inconnu y vaut 01",
                             examples=["1962-08-24"])
    birth_date_precision: Literal["day", "month", "year"] = Field(
        description="`day` : date complète ; `month` : jour inconnu ; `year` : jour et mois inconnus")
    gender: Literal["female", "male"]
    birthplace: str | None = Field(default=None, description="Code INSEE (COG) de la commune de naissance, "
                                   "absent pour une naissance à l'étranger", examples=["75107"])
    birthcountry: str = Field(description="Code INSEE (COG) du pays de naissance, 99100 pour la France",
                              examples=["99100"])

    @classmethod
    def of(cls, identity: ReceivedIdentity) -> ReceivedIdentityView:
        return cls(given_names=identity.given_names, birth_name=identity.birth_name,
                   usage_name=identity.usage_name or None, birth_date=identity.birth_date,
                   birth_date_precision=identity.birth_date_precision,  # type: ignore[arg-type]
                   gender=identity.gender,  # type: ignore[arg-type]
                   birthplace=identity.birthplace or None, birthcountry=identity.birthcountry)


class SignupStatusResponse(NextStepResponse):
    proof: ProofDisplay | None = Field(
        default=None, description="Option 1, tant que `next_step` vaut `proof` : ce que l'écran de preuve affiche")
    email_suggestion: str | None = Field(
        default=None, description="FranceConnect : l'adresse connue du fournisseur d'identité, pour préremplir")
    franceconnect_identity: ReceivedIdentityView | None = Field(
        default=None, description="FranceConnect : l'identité reçue, à montrer à la personne pour qu'elle vérifie "
                                  "que c'est bien la sienne (règle de FranceConnect) ; donnée personnelle, "
                                  "jamais journalisée")
    franceconnect_logout_url: str | None = Field(
        default=None, description="FranceConnect : la déconnexion de FranceConnect, pour la personne qui ne "
                                  "reconnaît pas cette identité (après `DELETE /v1/signups/{id}`)")
    terms: TermsResponse | None = Field(
        default=None, description="Tant que `next_step` vaut `terms` : les conditions d'utilisation en vigueur, "
                                  "que cette étape affiche (sans appeler GET /v1/terms)")


class CancelledResponse(_Model):
    status: Literal["cancelled"]


class PasswordCheckResponse(_Model):
    valid: bool
    violations: list[str]
    strength: int = Field(ge=0, le=4)


class ContactResponse(_Model):
    status: Literal["pending_email_confirmation"]
    email: str = Field(description="L'adresse complète, pour que la personne la relise sur l'écran de fin "
                                   "(sa propre adresse, dans sa propre session ; jamais journalisée)",
                       examples=["paul.venturi@example.fr"])
    email_masked: str
    link_expires_at: str
    correction_token: str | None = Field(
        default=None, description="Bearer de POST /v1/account/email : corriger l'adresse sans le code personnel, "
                                  "jusqu'à `correction_expires_at` (absent si ce droit n'a pu être donné)")
    correction_expires_at: str | None = None
    franceconnect_logout_url: str | None = None


class HealthResponse(_Model):
    status: Literal["ok"]


class FieldProblem(_Model):
    field: str
    code: str
    message: str


class Problem(_Model):
    """application/problem+json; extra members such as `attempts_left` or `retry_after` may appear."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldProblem] | None = None


# -- email confirmation, login, account ----------------------------------------------------------

class ConfirmationRequest(_Request):
    token: str = Field(description="La valeur après `token=` dans le lien reçu par email")


class ResendRequest(_Request):
    token: str
    new_email: OptionalEmail = Field(default=None, description="Pour envoyer le lien à une autre adresse")
    new_email_confirmation: str | None = Field(default=None, validate_default=True)
    password: str | None = Field(default=None, description="Obligatoire pour une autre adresse")

    @field_validator("new_email_confirmation")
    @classmethod
    def _same_email(cls, confirmation: str | None, info: ValidationInfo) -> str | None:
        return _typed_twice(confirmation, info, "new_email")


class ConfirmationResponse(_Model):
    status: Literal["active"]


class LinkSentResponse(_Model):
    email_masked: str
    link_expires_at: str

    @classmethod
    def of(cls, sent: LinkSent) -> LinkSentResponse:
        return cls(email_masked=sent.email_masked, link_expires_at=to_rfc3339(sent.link_expires_at))


class LoginRequest(_Request):
    nir: NirValue
    password: Password = Field(max_length=1000)


class SessionResponse(_Model):
    session_token: str
    expires_at: str


class AccountEmailRequest(_Request):
    email: OptionalEmail = None
    email_confirmation: str | None = Field(default=None, validate_default=True)

    @field_validator("email_confirmation")
    @classmethod
    def _same_email(cls, confirmation: str | None, info: ValidationInfo) -> str | None:
        return _typed_twice(confirmation, info, "email")


class ConsentView(_Model):
    given: bool
    at: str
    wording_version: str


class AccountResponse(_Model):
    status: Literal["active"]
    email: str
    mobile_phone: str | None = None
    landline_phone: str | None = None
    consents: dict[str, ConsentView]
    terms_version: str
    signup_method: str


class ConsentsRequest(_Request):
    """The choices to change; a consent left out keeps its answer."""

    email_marketing: bool | None = Field(default=None, description="Informations promotionnelles par email")
    mobile_marketing_call: bool | None = Field(default=None, description="Appels promotionnels sur le mobile")
    mobile_marketing_sms: bool | None = Field(default=None, description="SMS promotionnels")
    landline_marketing_call: bool | None = Field(default=None, description="Appels promotionnels sur le fixe")

    @model_validator(mode="after")
    def _at_least_one(self) -> ConsentsRequest:
        if not self.choices():
            raise field_error("REQUIRED", "Indiquez au moins un choix à modifier.")
        return self

    def choices(self) -> dict[str, bool]:
        return {name: given for name, given in self.model_dump().items() if given is not None}
