"""Request and response bodies of the API (api.md), as pydantic v2 models.

Request fields are plain strings: the domain parses them and answers field errors in French with
the codes of api.md, which a pydantic pattern could not.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NextStep = Literal["proof", "terms", "password", "contact", "done"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=200)


class StartSignupRequest(_Request):
    last_name: str = Field(description="Nom de naissance ou nom d'usage", examples=["venturi"])
    nir: str = Field(description="N° de sécurité sociale, 13 ou 15 caractères", examples=["1 62 12 2B 010 001"])
    birth_date: str = Field(description="Date de naissance, YYYY-MM-DD", examples=["1962-12-18"])
    postal_code: str = Field(description="Code postal actuel ou ancien", examples=["63000"])


class ProofRequest(_Request):
    iban_last7: str = Field(description="Les 7 derniers caractères de l'IBAN", examples=["7890143"])
    carte_vitale_serial_last11: str = Field(description="Les 11 derniers chiffres du n° de série de la carte Vitale")


class TermsAnswer(_Request):
    accepted: bool
    version: str = ""


class PasswordCheckRequest(_Request):
    model_config = ConfigDict(extra="ignore", str_max_length=1000)
    password: str


class PasswordRequest(PasswordCheckRequest):
    password_confirmation: str


class ContactRequest(_Request):
    email: str
    email_confirmation: str
    email_marketing_consent: bool | None = Field(
        default=None, description="Obligatoire : true (Oui) ou false (Non)")
    mobile_phone: str | None = None
    mobile_marketing_call_consent: bool = False
    mobile_marketing_sms_consent: bool = False
    landline_phone: str | None = None
    landline_marketing_call_consent: bool = False


class ProofDisplay(BaseModel):
    iban_masked: str = Field(examples=["FR76 3000 4*** **** **** *** ****"])
    carte_vitale_serial_prefix: str = Field(examples=["8025000002"])


class StartSignupResponse(BaseModel):
    signup_id: str
    signup_token: str
    expires_at: str
    next_step: NextStep
    proof: ProofDisplay


class NextStepResponse(BaseModel):
    next_step: NextStep
    expires_at: str = Field(description="Fin de validité de la création de compte en cours")


class SignupStatusResponse(NextStepResponse):
    email_suggestion: str | None = Field(
        default=None, description="FranceConnect : l'adresse connue du fournisseur d'identité, pour préremplir")


class CancelledResponse(BaseModel):
    status: Literal["cancelled"]


class TermsResponse(BaseModel):
    version: str
    title: str
    text: str


class PasswordCheckResponse(BaseModel):
    valid: bool
    violations: list[str]
    strength: int = Field(ge=0, le=4)


class ContactResponse(BaseModel):
    status: Literal["pending_email_confirmation"]
    email_masked: str
    link_expires_at: str
    franceconnect_logout_url: str | None = None


class HealthResponse(BaseModel):
    status: Literal["ok"]


class FieldProblem(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """application/problem+json; extra members such as `attempts_left` or `retry_after` may appear."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldProblem] | None = None


def documented(success: int, model: type[BaseModel] | None, *errors: int) -> dict[int, Any]:
    """The `responses=` of a route: its success body and the problem bodies it may answer."""
    responses: dict[int, Any] = {
        success: {"description": "Succès", **({"content": {"application/json": {"model": model}}} if model else {})}
    }
    for status in errors:
        responses[status] = {"description": "Erreur", "content": {"application/problem+json": {"model": Problem}}}
    return responses


# -- email confirmation, login, account ----------------------------------------------------------

class ConfirmationRequest(_Request):
    token: str = Field(description="La valeur après `token=` dans le lien reçu par email")


class ResendRequest(_Request):
    token: str
    new_email: str | None = Field(default=None, description="Pour envoyer le lien à une autre adresse")
    new_email_confirmation: str | None = None
    password: str | None = Field(default=None, description="Obligatoire pour une autre adresse")


class ConfirmationResponse(BaseModel):
    status: Literal["active"]


class LinkSentResponse(BaseModel):
    email_masked: str
    link_expires_at: str


class LoginRequest(_Request):
    nir: str
    password: str = Field(max_length=1000)


class SessionResponse(BaseModel):
    session_token: str
    expires_at: str


class AccountEmailRequest(_Request):
    email: str | None = None
    email_confirmation: str | None = None


class ConsentView(BaseModel):
    given: bool
    at: str
    wording_version: str


class AccountResponse(BaseModel):
    status: Literal["active"]
    email: str
    mobile_phone: str | None = None
    landline_phone: str | None = None
    consents: dict[str, ConsentView]
    terms_version: str
    signup_method: str
