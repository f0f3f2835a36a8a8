"""Signup use cases, one method per step of api.md. No AWS here: only ports.

Each method takes plain values (already shaped by the HTTP layer) and returns plain results or
raises an `AppError` that the HTTP layer turns into problem+json.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent
from ameli.domain.errors import FieldErrors, FieldValidationError
from ameli.domain.signup import Signup
from ameli.ports import (
    BeneficiaryRegistry,
    ConfirmationWorkflow,
    Mailer,
    PasswordHasher,
    Pseudonymizer,
    SignupStore,
    Telemetry,
)
from ameli.service import tokens
from ameli.service.emails import confirmation_email, confirmation_url
from ameli.settings import Settings


@dataclass(frozen=True)
class StartedSignup:
    signup: Signup
    signup_token: str
    iban_masked: str
    carte_vitale_serial_prefix: str


@dataclass(frozen=True)
class ContactForm:
    email: str | None
    email_confirmation: str | None
    email_marketing_consent: bool | None
    mobile_phone: str | None = None
    mobile_marketing_call_consent: bool = False
    mobile_marketing_sms_consent: bool = False
    landline_phone: str | None = None
    landline_marketing_call_consent: bool = False


@dataclass(frozen=True)
class PendingAccountCreated:
    account: Account
    email_masked: str


class SignupService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        registry: BeneficiaryRegistry,
        store: SignupStore,
        mailer: Mailer,
        workflow: ConfirmationWorkflow,
        hasher: PasswordHasher,
        pseudonymizer: Pseudonymizer,
        telemetry: Telemetry,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.registry = registry
        self.store = store
        self.mailer = mailer
        self.workflow = workflow
        self.hasher = hasher
        self.pseudonymizer = pseudonymizer
        self.telemetry = telemetry

    # -- Option 1, identity -------------------------------------------------------------------
    def start(self, *, last_name: str | None, nir: str | None, birth_date: str | None,
              postal_code: str | None) -> StartedSignup:
        from ameli.domain.beneficiary import option1_refusal
        from ameli.domain.nir import nir_matches_birth_date, parse_birth_date, parse_nir, parse_postal_code
        from ameli.domain.proof import carte_vitale_serial_prefix, mask_iban

        now = self.clock.now()
        problems = FieldErrors()
        name = (last_name or "").strip()
        if not name:
            problems.add("last_name", "REQUIRED", "Indiquez votre nom.")
        elif len(name) > 100:
            problems.add("last_name", "TOO_LONG", "Votre nom ne peut pas dépasser 100 caractères.")
        parsed_nir = _parse_field(problems, "nir", parse_nir, nir or "")
        parsed_birth = _parse_field(problems, "birth_date", parse_birth_date, birth_date or "", now.date())
        parsed_postal = _parse_field(problems, "postal_code", parse_postal_code, postal_code or "")
        if parsed_nir and parsed_birth and not nir_matches_birth_date(parsed_nir, parsed_birth):
            problems.add(
                "birth_date",
                "INCONSISTENT_WITH_NIR",
                "Votre date de naissance ne correspond pas à votre numéro de sécurité sociale. Vérifiez les deux.",
            )
        problems.raise_if_any()

        nir_hash = self.pseudonymizer.nir_hash(parsed_nir.value)
        beneficiary = self.registry.find_by_nir(parsed_nir.value)
        refusal = option1_refusal(beneficiary, name, parsed_nir, parsed_birth, parsed_postal)
        if refusal is not None:
            self.telemetry.count("SignupRefused", method="carte_vitale", reason=refusal.value)
            raise errors.OnlineSignupUnavailable()
        attempts = self.store.load_attempts(nir_hash)
        if attempts.is_locked(now):
            self.telemetry.count("ProofLocked", method="carte_vitale")
            raise errors.TooManyAttempts(retry_after=attempts.retry_after_seconds(now))

        token = tokens.new_token()
        signup = Signup(
            signup_id=str(uuid.uuid4()),
            token_hash=tokens.token_hash(token),
            method="carte_vitale",
            nir=parsed_nir.value,
            nir_hash=nir_hash,
            birth_date=parsed_birth,
            names=_names_of(beneficiary),
            next_step="proof",
            created_at=now,
            expires_at=now + self.settings.signup_session_duration,
        )
        self.store.create(signup)
        self.telemetry.count("SignupStarted", method="carte_vitale")
        return StartedSignup(
            signup=signup,
            signup_token=token,
            iban_masked=mask_iban(beneficiary.iban),
            carte_vitale_serial_prefix=carte_vitale_serial_prefix(beneficiary.carte_vitale.serial),
        )

    # -- session of a signup in progress ------------------------------------------------------
    def authenticate(self, signup_id: str, bearer_token: str | None) -> Signup:
        """The signup addressed by the URL, if the bearer token is its own and it has not expired."""
        signup = self.store.get(signup_id) if bearer_token and _looks_like_id(signup_id) else None
        if signup is None or not tokens.token_matches(bearer_token, signup.token_hash):
            raise errors.SignupSessionInvalid()
        signup.ensure_open(self.clock.now())
        return signup

    def cancel(self, signup: Signup) -> None:
        self.store.close(signup.signup_id)
        self.telemetry.count("SignupCancelled", method=signup.method, step=signup.next_step)

    # -- Option 1, proof of possession --------------------------------------------------------
    def submit_proof(self, signup: Signup, *, iban_last7: str | None, serial_last11: str | None) -> Signup:
        from ameli.domain.proof import parse_iban_last7, parse_serial_last11, proof_matches

        signup.ensure_step_allowed("proof")
        problems = FieldErrors()
        iban_tail = _parse_field(problems, "iban_last7", parse_iban_last7, iban_last7 or "")
        serial_tail = _parse_field(problems, "carte_vitale_serial_last11", parse_serial_last11, serial_last11 or "")
        problems.raise_if_any()

        now = self.clock.now()
        guard = self.store.load_proof_guard(signup.nir_hash)
        if guard.attempts.is_locked(now):
            raise errors.TooManyAttempts(retry_after=guard.attempts.retry_after_seconds(now))
        beneficiary = self.registry.find_by_nir(signup.nir)
        if beneficiary is None or not proof_matches(beneficiary, iban_tail, serial_tail):
            attempts = guard.attempts.after_failure(now)
            self.store.record_proof_attempts(signup.nir_hash, attempts)
            self.telemetry.count("ProofFailed", method="carte_vitale")
            if attempts.is_locked(now):
                raise errors.TooManyAttempts(retry_after=attempts.retry_after_seconds(now))
            left = attempts.attempts_left(now)
            raise errors.ProofMismatch(
                f"{errors.ProofMismatch.detail} Il vous reste {left} essai{'s' if left > 1 else ''}.",
                attempts_left=left,
            )
        if guard.account_exists:
            raise errors.AccountAlreadyExists(next_step="login")
        updated = signup.step_completed("proof")
        self.store.save_step(signup, updated)
        self.telemetry.count("ProofSucceeded", method="carte_vitale")
        return updated

    # -- common steps -------------------------------------------------------------------------
    def answer_terms(self, signup: Signup, *, accepted: bool, version: str) -> Signup | None:
        """The signup after the answer; `None` when the person refused (the signup is closed)."""
        from ameli.domain.terms import CURRENT_TERMS

        signup.ensure_step_allowed("terms")
        if not accepted:
            self.store.close(signup.signup_id)
            self.telemetry.count("TermsRefused", method=signup.method)
            return None
        if version != CURRENT_TERMS.version:
            raise errors.TermsVersionOutdated(current_version=CURRENT_TERMS.version)
        updated = signup.step_completed(
            "terms", terms_version=CURRENT_TERMS.version, terms_accepted_at=self.clock.now()
        )
        self.store.save_step(signup, updated)
        return updated

    def check_password(self, signup: Signup, password: str):
        from ameli.domain.password_policy import check_password

        signup.ensure_step_allowed("password")
        return check_password(password, _password_context(signup))

    def choose_password(self, signup: Signup, *, password: str, confirmation: str | None) -> Signup:
        from ameli.domain.password_policy import PASSWORD_MESSAGES, check_password

        signup.ensure_step_allowed("password")
        verdict = check_password(password, _password_context(signup))
        problems = FieldErrors()
        for code in verdict.violations:
            problems.add("password", code, PASSWORD_MESSAGES[code])
        if confirmation != password:
            problems.add("password_confirmation", "MISMATCH", PASSWORD_MESSAGES["MISMATCH"])
        problems.raise_if_any(errors.PasswordRejected)
        updated = signup.step_completed("password", password_hash=self.hasher.hash(password))
        self.store.save_step(signup, updated)
        return updated

    def give_contact(self, signup: Signup, form: ContactForm) -> PendingAccountCreated:
        from ameli.domain.contact import mask_email

        signup.ensure_step_allowed("contact")
        email, mobile, landline = self._parse_contact(form)
        now = self.clock.now()
        token = tokens.new_token()
        link = ConfirmationLink.issue(
            tokens.token_hash(token), 1, now,
            self.settings.confirmation_link_validity, self.settings.pending_email_retention,
        )
        account = Account(
            account_id=str(uuid.uuid4()),
            nir=signup.nir,
            nir_hash=signup.nir_hash,
            birth_date=signup.birth_date,
            names=signup.names,
            signup_method=signup.method,
            password_hash=signup.password_hash,
            terms_version=signup.terms_version,
            terms_accepted_at=signup.terms_accepted_at,
            created_at=now,
            status=AccountState.PENDING_EMAIL_CONFIRMATION,
            email=email.address,
            email_key=self.pseudonymizer.email_hash(email.uniqueness_key),
            link=link,
            link_count=link.number,
            consents=_consents(form, mobile, landline, now),
            mobile_phone=mobile,
            landline_phone=landline,
            franceconnect_sub=signup.franceconnect_sub,
        )
        self.store.create_pending_account(signup, account)
        self.telemetry.count("AccountCreated", method=signup.method)
        self.workflow.start(account, link)
        self.mailer.send(confirmation_email(email.address, confirmation_url(self.settings, token), link.expires_at))
        return PendingAccountCreated(account=account, email_masked=mask_email(email.address))

    def _parse_contact(self, form: ContactForm):
        """The email and phones of the form, or one 422 listing every field to correct."""
        from ameli.domain.contact import parse_french_phone
        from ameli.service.forms import email_typed_twice

        problems = FieldErrors()
        email = email_typed_twice(problems, "email", form.email, form.email_confirmation,
                                  test_environment=self.settings.allow_test_email_domains)
        if form.email_marketing_consent is None:
            problems.add("email_marketing_consent", "REQUIRED", "Répondez Oui ou Non à cette question.")
        mobile = _optional_phone(problems, "mobile_phone", form.mobile_phone, "mobile", parse_french_phone)
        landline = _optional_phone(problems, "landline_phone", form.landline_phone, "landline", parse_french_phone)
        if mobile is None and (form.mobile_marketing_call_consent or form.mobile_marketing_sms_consent) \
                and not _field_has_issue(problems, "mobile_phone"):
            problems.add("mobile_phone", "REQUIRED", "Indiquez votre numéro de mobile pour recevoir ces informations.")
        if landline is None and form.landline_marketing_call_consent \
                and not _field_has_issue(problems, "landline_phone"):
            problems.add("landline_phone", "REQUIRED", "Indiquez votre numéro de fixe pour recevoir ces appels.")
        problems.raise_if_any()
        return email, mobile, landline


def _consents(form: ContactForm, mobile: str | None, landline: str | None, now) -> dict[str, Consent]:
    """Each answer with its time and wording version; a phone's consents only with that phone."""
    from ameli.domain.terms import CONSENT_WORDING_VERSION

    answers = {"email_marketing": form.email_marketing_consent}
    if mobile:
        answers.update(mobile_marketing_call=form.mobile_marketing_call_consent,
                       mobile_marketing_sms=form.mobile_marketing_sms_consent)
    if landline:
        answers["landline_marketing_call"] = form.landline_marketing_call_consent
    return {name: Consent(bool(given), now, CONSENT_WORDING_VERSION) for name, given in answers.items()}


def _parse_field(problems: FieldErrors, field_name: str, parser, *args):
    try:
        return parser(*args)
    except FieldValidationError as issue:
        problems.add(field_name, issue.code, issue.message)
        return None


def _optional_phone(problems: FieldErrors, field_name: str, raw: str | None, kind: str, parser) -> str | None:
    if raw is None or not raw.strip():
        return None
    return _parse_field(problems, field_name, parser, raw, kind)


def _field_has_issue(problems: FieldErrors, field_name: str) -> bool:
    return any(issue.field == field_name for issue in problems.issues)


def _names_of(beneficiary) -> tuple[str, ...]:
    names = [beneficiary.birth_name, beneficiary.usage_name, *beneficiary.given_names]
    return tuple(name for name in names if name)


def _password_context(signup: Signup):
    from ameli.domain.password_policy import PasswordContext

    return PasswordContext(nir13=signup.nir, birth_date=signup.birth_date, names=signup.names)


def _looks_like_id(signup_id: str) -> bool:
    try:
        uuid.UUID(signup_id)
    except ValueError:
        return False
    return True

