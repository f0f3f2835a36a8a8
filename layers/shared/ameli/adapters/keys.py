"""Where each record lives, and the status strings stored with accounts: the one list of key formats.

Shared by the DynamoDB repositories, the confirmation workflow's input (its state machine updates
these very items), the safety net's index query and the tests that look at the tables.

Tables (template.yaml): `pk` is the only key of the signups and accounts tables.
- signups table (short-lived records): a signup in progress, its NIR's proof attempts, a
  FranceConnect state, a login session, a NIR's login throttle;
- accounts table: an account (one per NIR), the claim of its email address, each of its links.
"""

from __future__ import annotations

from ameli.domain.account import AccountState


# -- signups table
def signup_key(signup_id: str) -> str:
    return f"SIGNUP#{signup_id}"


def proof_attempts_key(nir_hash: str) -> str:
    return f"PROOF#{nir_hash}"


def franceconnect_state_key(state: str) -> str:
    return f"FCSTATE#{state}"


def session_key(token_hash: str) -> str:
    return f"SESSION#{token_hash}"


def login_throttle_key(nir_hash: str) -> str:
    return f"LOGIN#{nir_hash}"


# -- accounts table
def account_key(nir_hash: str) -> str:
    return f"ACCOUNT#{nir_hash}"


def email_claim_key(email_hash: str) -> str:
    return f"EMAIL#{email_hash}"


def link_key(token_hash: str) -> str:
    return f"LINK#{token_hash}"


# -- the accounts table's sparse index of deadlines still to apply (the safety net queries it)
PENDING_INDEX = "pending-by-deadline"
PENDING_BUCKET = "PENDING"

# -- the registry table's index of birth names (FranceConnect matching)
BIRTH_NAME_INDEX = "by-birth-name"

# -- the `status` attribute of an account item, as the state machine also writes it
STATUS_PENDING = AccountState.PENDING_EMAIL_CONFIRMATION.value
STATUS_LINK_EXPIRED = AccountState.LINK_EXPIRED.value
STATUS_EMAIL_REQUIRED = AccountState.EMAIL_REQUIRED.value
STATUS_ACTIVE = AccountState.ACTIVE.value
