"""The composition root: wires adapters to use cases once per Lambda container, lazily.

Each adapter and use case is imported where it is built: a function loads only what its routes use
(authlib only for FranceConnect, argon2 only where passwords are hashed). The return types say
which port each adapter implements, and mypy checks it.

Handlers call `container()`; tests call `reset()` after changing the environment or swap a
dependency with `container().override(...)`.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ameli.clock import SystemClock
from ameli.settings import Settings

if TYPE_CHECKING:  # imported where built, so each function loads only what it uses
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

    from ameli.ports import (
        AccountRepository,
        BeneficiaryRegistry,
        ConfirmationWorkflow,
        FranceConnectClient,
        Mailer,
        PasswordHasher,
        Pseudonymizer,
        SessionRepository,
        SignupRepository,
        Telemetry,
    )
    from ameli.service.activation import Activation
    from ameli.service.confirmation_links import ConfirmationLinks
    from ameli.service.consents import ConsentChoices
    from ameli.service.contact import ContactStep
    from ameli.service.franceconnect import FranceConnectService
    from ameli.service.login import Login
    from ameli.service.new_links import NewLinks
    from ameli.service.option1 import Option1Signup
    from ameli.service.safety_net import SafetyNet
    from ameli.service.signup_opening import SignupOpener
    from ameli.service.signup_steps import SignupSteps


class Container:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_environment()
        self.clock = SystemClock()

    def override(self, **dependencies: object) -> Container:
        self.__dict__.update(dependencies)  # cached_property reads the instance dict first
        return self

    # -- AWS clients: created on first request, so a function that never sends an email or touches
    # the workflow does not pay for those clients (nor need the permissions).
    @cached_property
    def dynamodb(self) -> LazyClient:
        return LazyClient("dynamodb")

    @cached_property
    def sesv2(self) -> LazyClient:
        return LazyClient("sesv2")

    @cached_property
    def stepfunctions(self) -> LazyClient:
        return LazyClient("stepfunctions")

    def pseudonymization_key(self) -> bytes:
        from aws_lambda_powertools.utilities import parameters

        secret: str | bytes = parameters.get_secret(self.settings.hmac_secret_name, max_age=3600)
        return secret.encode() if isinstance(secret, str) else bytes(secret)

    # -- adapters
    @cached_property
    def registry(self) -> BeneficiaryRegistry:
        from ameli.adapters.dynamodb.registry import DynamoBeneficiaryRegistry

        return DynamoBeneficiaryRegistry(self.dynamodb, self.settings.registry_table)

    @cached_property
    def signup_repository(self) -> SignupRepository:
        from ameli.adapters.dynamodb.signups import DynamoSignupRepository

        return DynamoSignupRepository(self.dynamodb, self.settings.signups_table, self.settings.accounts_table,
                                      self.settings.registry_table)

    @cached_property
    def account_repository(self) -> AccountRepository:
        from ameli.adapters.dynamodb.accounts import DynamoAccountRepository
        from ameli.adapters.keys import PENDING_INDEX

        return DynamoAccountRepository(
            self.dynamodb, self.settings.accounts_table, self.settings.signups_table, PENDING_INDEX
        )

    @cached_property
    def session_repository(self) -> SessionRepository:
        from ameli.adapters.dynamodb.sessions import DynamoSessionRepository

        return DynamoSessionRepository(self.dynamodb, self.settings.signups_table, self.settings.accounts_table)

    @cached_property
    def idempotency_store(self) -> BasePersistenceLayer:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(table_name=self.settings.idempotency_table, boto3_client=self.dynamodb)

    @cached_property
    def mailer(self) -> Mailer:
        from ameli.adapters.aws import SesMailer

        return SesMailer(self.sesv2, self.settings.sender_email, self.settings.ses_configuration_set)

    @cached_property
    def workflow(self) -> ConfirmationWorkflow:
        from ameli.adapters.aws import StepFunctionsConfirmationWorkflow

        return StepFunctionsConfirmationWorkflow(self.stepfunctions, self.settings.confirmation_state_machine_arn)

    @cached_property
    def password_hasher(self) -> PasswordHasher:
        from ameli.adapters.passwords import Argon2PasswordHasher

        return Argon2PasswordHasher()

    @cached_property
    def pseudonymizer(self) -> Pseudonymizer:
        from ameli.adapters.aws import HmacPseudonymizer

        return HmacPseudonymizer(self.pseudonymization_key)  # fetched at the first hash, then kept

    @cached_property
    def telemetry(self) -> Telemetry:
        from ameli.observability import PowertoolsTelemetry

        return PowertoolsTelemetry()

    # -- use cases: each takes only the ports it uses; the two shared behaviours are built once.
    @cached_property
    def signup_opener(self) -> SignupOpener:
        from ameli.service.signup_opening import SignupOpener

        return SignupOpener(clock=self.clock, signups=self.signup_repository,
                            session_duration=self.settings.signup_session_duration, telemetry=self.telemetry)

    @cached_property
    def confirmation_links(self) -> ConfirmationLinks:
        from ameli.service.confirmation_links import ConfirmationLinks, LinkDurations

        durations = LinkDurations(self.settings.confirmation_link_validity, self.settings.pending_email_retention)
        return ConfirmationLinks(clock=self.clock, durations=durations, web_base_url=self.settings.web_base_url,
                                 workflow=self.workflow, mailer=self.mailer, accounts=self.account_repository,
                                 pseudonymizer=self.pseudonymizer)

    @cached_property
    def option1(self) -> Option1Signup:
        from ameli.service.option1 import Option1Signup

        return Option1Signup(clock=self.clock, registry=self.registry, signups=self.signup_repository,
                             pseudonymizer=self.pseudonymizer, opener=self.signup_opener, telemetry=self.telemetry)

    @cached_property
    def signup_steps(self) -> SignupSteps:
        from ameli.service.signup_steps import SignupSteps

        return SignupSteps(clock=self.clock, signups=self.signup_repository, hasher=self.password_hasher,
                           telemetry=self.telemetry)

    @cached_property
    def contact_step(self) -> ContactStep:
        from ameli.service.contact import ContactStep

        return ContactStep(clock=self.clock, accounts=self.account_repository,
                           pseudonymizer=self.pseudonymizer, links=self.confirmation_links, telemetry=self.telemetry)

    @cached_property
    def activation(self) -> Activation:
        from ameli.service.activation import Activation

        return Activation(clock=self.clock, accounts=self.account_repository, workflow=self.workflow,
                          telemetry=self.telemetry)

    @cached_property
    def login(self) -> Login:
        from ameli.service.login import Login

        return Login(clock=self.clock, accounts=self.account_repository, sessions=self.session_repository,
                     hasher=self.password_hasher,
                     pseudonymizer=self.pseudonymizer, session_duration=self.settings.session_duration,
                     telemetry=self.telemetry)

    @cached_property
    def new_links(self) -> NewLinks:
        from ameli.service.new_links import NewLinks

        return NewLinks(clock=self.clock, accounts=self.account_repository, pseudonymizer=self.pseudonymizer,
                        links=self.confirmation_links, login=self.login, telemetry=self.telemetry)

    @cached_property
    def consent_choices(self) -> ConsentChoices:
        from ameli.service.consents import ConsentChoices

        return ConsentChoices(clock=self.clock, accounts=self.account_repository, login=self.login,
                              telemetry=self.telemetry)

    @cached_property
    def safety_net(self) -> SafetyNet:
        from ameli.service.safety_net import SafetyNet

        return SafetyNet(clock=self.clock, accounts=self.account_repository, workflow=self.workflow,
                         links=self.confirmation_links, telemetry=self.telemetry)

    @cached_property
    def franceconnect_client(self) -> FranceConnectClient:
        from ameli.adapters.franceconnect import OidcFranceConnectClient

        return OidcFranceConnectClient(
            issuer=self.settings.franceconnect_issuer,
            client_id=self.settings.franceconnect_client_id,
            client_secret=self._franceconnect_client_secret,
            redirect_uri=self.settings.franceconnect_redirect_uri,
            post_logout_redirect_uri=self.settings.franceconnect_post_logout_redirect_uri,
        )

    def _franceconnect_client_secret(self) -> str:
        from aws_lambda_powertools.utilities import parameters

        secret: str = parameters.get_secret(self.settings.franceconnect_client_secret_name, max_age=3600)
        return secret

    @cached_property
    def franceconnect(self) -> FranceConnectService:
        from ameli.service.franceconnect import FranceConnectService

        return FranceConnectService(
            settings=self.settings,
            clock=self.clock,
            registry=self.registry,
            store=self.signup_repository,
            client=self.franceconnect_client,
            pseudonymizer=self.pseudonymizer,
            opener=self.signup_opener,
            telemetry=self.telemetry,
        )


class LazyClient:
    """A boto3 client made at its first use (boto3 itself is imported then too)."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(self._service)
        return getattr(self._client, name)


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
    return _container


def reset() -> None:
    global _container
    _container = None
