"""The contact step (journey.md section 2.5): email, phones and consents; it creates the account,
pending the confirmation of its email, and ends the signup."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from ameli.clock import Clock
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent
from ameli.domain.contact import Email, parse_french_phone
from ameli.domain.errors import FieldErrors
from ameli.domain.signup import Signup
from ameli.domain.terms import CONSENT_WORDING_VERSION
from ameli.ports import AccountRepository, Pseudonymizer, Telemetry
from ameli.service.confirmation_links import ConfirmationLinks
from ameli.service.fields import parse_field
from ameli.service.forms import email_typed_twice


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


class ContactStep:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, pseudonymizer: Pseudonymizer,
                 links: ConfirmationLinks, telemetry: Telemetry, allow_test_email_domains: bool = False) -> None:
        self.clock = clock
        self.accounts = accounts
        self.pseudonymizer = pseudonymizer
        self.links = links
        self.telemetry = telemetry
        self.allow_test_email_domains = allow_test_email_domains

    def give_contact(self, signup: Signup, form: ContactForm) -> PendingAccountCreated:
        signup.ensure_step_allowed("contact")
        email, mobile, landline = self._parse_contact(form)
        now = self.clock.now()

        def create_account(link: ConfirmationLink) -> Account:
            account = self._pending_account(signup, email, link, now)
            account = _with_contact(account, form, mobile, landline, now)
            self.accounts.create_from_signup(signup, account)
            self.telemetry.count("AccountCreated", method=signup.method)
            return account

        sent = self.links.issue(1, create_account)
        return PendingAccountCreated(account=sent.account, email_masked=sent.email_masked)

    def _pending_account(self, signup: Signup, email: Email, link: ConfirmationLink, now: datetime) -> Account:
        return Account(
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
            franceconnect_sub=signup.franceconnect_sub,
        )

    def _parse_contact(self, form: ContactForm) -> tuple[Email, str | None, str | None]:
        """The email and phones of the form, or one 422 listing every field to correct."""
        problems = FieldErrors()
        email = email_typed_twice(problems, "email", form.email, form.email_confirmation,
                                  test_environment=self.allow_test_email_domains)
        if form.email_marketing_consent is None:
            problems.add("email_marketing_consent", "REQUIRED", "Répondez Oui ou Non à cette question.")
        mobile = _optional_phone(problems, "mobile_phone", form.mobile_phone, "mobile")
        landline = _optional_phone(problems, "landline_phone", form.landline_phone, "landline")
        if mobile is None and (form.mobile_marketing_call_consent or form.mobile_marketing_sms_consent) \
                and not _field_has_issue(problems, "mobile_phone"):
            problems.add("mobile_phone", "REQUIRED", "Indiquez votre numéro de mobile pour recevoir ces informations.")
        if landline is None and form.landline_marketing_call_consent \
                and not _field_has_issue(problems, "landline_phone"):
            problems.add("landline_phone", "REQUIRED", "Indiquez votre numéro de fixe pour recevoir ces appels.")
        problems.raise_if_any()
        assert email is not None  # raise_if_any raised otherwise
        return email, mobile, landline


def _with_contact(account: Account, form: ContactForm, mobile: str | None, landline: str | None,
                  now: datetime) -> Account:
    """The phones and each answer with its time and wording version; a phone's consents only with that phone."""
    answers = {"email_marketing": form.email_marketing_consent}
    if mobile:
        answers.update(mobile_marketing_call=form.mobile_marketing_call_consent,
                       mobile_marketing_sms=form.mobile_marketing_sms_consent)
    if landline:
        answers["landline_marketing_call"] = form.landline_marketing_call_consent
    consents = {name: Consent(bool(given), now, CONSENT_WORDING_VERSION) for name, given in answers.items()}
    return replace(account, consents=consents, mobile_phone=mobile, landline_phone=landline)


def _optional_phone(problems: FieldErrors, field_name: str, raw: str | None, kind: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    return parse_field(problems, field_name, parse_french_phone, raw, kind)


def _field_has_issue(problems: FieldErrors, field_name: str) -> bool:
    return any(issue.field == field_name for issue in problems.issues)
