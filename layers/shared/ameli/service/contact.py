"""The contact step (journey.md section 2.5): email, phones and consents; it creates the account,
pending the confirmation of its email, and ends the signup."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent, LinkDelivery
from ameli.domain.contact import ContactDetails, Email
from ameli.domain.session import CORRECTION_TOKEN_DURATION, Session
from ameli.domain.signup import Signup
from ameli.domain.terms import CONSENT_WORDING_VERSION
from ameli.ports import AccountRepository, Pseudonymizer, Telemetry
from ameli.service import tokens
from ameli.service.confirmation_links import ConfirmationLinks


@dataclass(frozen=True)
class PendingAccountCreated:
    account: Account
    email_masked: str
    correction_expires_at: datetime | None = None  # when the correction right ends (None: not given)


class ContactStep:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, pseudonymizer: Pseudonymizer,
                 links: ConfirmationLinks, telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.pseudonymizer = pseudonymizer
        self.links = links
        self.telemetry = telemetry

    def give_contact(self, signup: Signup, contact: ContactDetails,
                     correction_token: str | None = None) -> PendingAccountCreated:
        """The pending account; with `correction_token`, also the right to correct its address for
        `CORRECTION_TOKEN_DURATION` without the password (a typo seen on the end screen)."""
        if signup.next_step == "done":  # a retry after the account was committed: deliver its link
            return self._resume(signup)
        signup.ensure_step_allowed("contact")
        now = self.clock.now()
        account_id = str(uuid.uuid4())
        # Opened by the account's own transaction: a right never points to another signup's account,
        # and costs no request of its own.
        correction = Session(tokens.token_hash(correction_token), "correction", signup.nir_hash,
                             now + CORRECTION_TOKEN_DURATION) if correction_token else None

        def create_account(link: ConfirmationLink) -> Account:
            account = _with_contact(self._pending_account(account_id, signup, contact.email, link, now), contact, now)
            self.accounts.create_from_signup(signup, account, correction)
            self.telemetry.count("AccountCreated", method=signup.method)
            return account

        sent = self.links.issue(account_id, create_account)
        return PendingAccountCreated(account=sent.account, email_masked=sent.email_masked,
                                     correction_expires_at=correction.expires_at if correction else None)

    def _resume(self, signup: Signup) -> PendingAccountCreated:
        """The account's first link on its way if the request that committed it could not send it (SES or
        Step Functions failing, or the function dying before SES); a link that never left and can no
        longer confirm has nothing to resume."""
        account = self.accounts.get_account(signup.nir_hash)
        if account is None or account.link is None or account.link.number != 1 \
                or (account.link.delivery is LinkDelivery.FAILED and not self.links.undelivered(account)):
            raise errors.StepNotAllowed(next_step="done")
        sent = self.links.redeliver_if_lost(account) or self.links.sent(account)
        return PendingAccountCreated(account=sent.account, email_masked=sent.email_masked)

    def _pending_account(self, account_id: str, signup: Signup, email: Email, link: ConfirmationLink,
                         now: datetime) -> Account:
        # The contact step comes after the terms and the password (`ensure_step_allowed`).
        assert signup.password_hash and signup.terms_version and signup.terms_accepted_at
        return Account(
            account_id=account_id,
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


def _with_contact(account: Account, contact: ContactDetails, now: datetime) -> Account:
    """The phones and each answer with its time and wording version; a phone's consents only with that phone."""
    answers = {"email_marketing": contact.email_marketing_consent}
    if contact.mobile_phone:
        answers.update(mobile_marketing_call=contact.mobile_marketing_call_consent,
                       mobile_marketing_sms=contact.mobile_marketing_sms_consent)
    if contact.landline_phone:
        answers["landline_marketing_call"] = contact.landline_marketing_call_consent
    consents = {name: Consent(given, now, CONSENT_WORDING_VERSION) for name, given in answers.items()}
    return replace(account, consents=consents, mobile_phone=contact.mobile_phone,
                   landline_phone=contact.landline_phone)
