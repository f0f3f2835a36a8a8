"""The person changes their marketing consents from their account (session token)."""

from __future__ import annotations

from dataclasses import replace

from ameli.clock import Clock
from ameli.domain.account import Account
from ameli.domain.consents import consent_changes
from ameli.ports import AccountRepository, Telemetry
from ameli.service.login import Login


class ConsentChoices:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, login: Login, telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.login = login
        self.telemetry = telemetry

    def change(self, session_token: str | None, choices: dict[str, bool]) -> Account:
        """The account with these choices recorded (each one its own write: parallel changes of
        different consents never undo each other)."""
        account = self.login.active_account(session_token)
        changes = consent_changes(account, choices, self.clock.now())
        if changes:
            self.accounts.record_consents(account.nir_hash, changes)
            for name, consent in changes.items():
                self.telemetry.count("ConsentChanged", consent=name, given=str(consent.given).lower())
        return replace(account, consents={**account.consents, **changes})
