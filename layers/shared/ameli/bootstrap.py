"""The composition root: wires adapters to use cases once per Lambda container, lazily.

Handlers call `container()`; tests call `reset()` after changing the environment or swap a
dependency with `container().override(...)`.
"""

from __future__ import annotations

from functools import cached_property

from ameli.clock import SystemClock
from ameli.settings import Settings

PENDING_INDEX = "pending-by-deadline"  # the accounts table's index of template.yaml


class Container:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_environment()
        self.clock = SystemClock()

    def override(self, **dependencies) -> "Container":
        self.__dict__.update(dependencies)  # cached_property reads the instance dict first
        return self

    # -- AWS clients: created on first request, so a function that never sends an email or touches
    # the workflow does not pay for those clients (nor need the permissions).
    @cached_property
    def dynamodb(self):
        return LazyClient("dynamodb")

    @cached_property
    def sesv2(self):
        return LazyClient("sesv2")

    @cached_property
    def stepfunctions(self):
        return LazyClient("stepfunctions")

    def pseudonymization_key(self) -> bytes:
        from aws_lambda_powertools.utilities import parameters

        secret = parameters.get_secret(self.settings.hmac_secret_name, max_age=3600)
        return secret.encode() if isinstance(secret, str) else bytes(secret)

    # -- adapters
    @cached_property
    def registry(self):
        from ameli.adapters.dynamodb import DynamoBeneficiaryRegistry

        return DynamoBeneficiaryRegistry(self.dynamodb, self.settings.registry_table)

    @cached_property
    def signup_store(self):
        from ameli.adapters.dynamodb import DynamoSignupStore

        return DynamoSignupStore(self.dynamodb, self.settings.signups_table, self.settings.accounts_table)

    @cached_property
    def account_store(self):
        from ameli.adapters.dynamodb import DynamoAccountStore

        return DynamoAccountStore(
            self.dynamodb, self.settings.signups_table, self.settings.accounts_table, PENDING_INDEX
        )

    @cached_property
    def idempotency_store(self):
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(table_name=self.settings.idempotency_table, boto3_client=self.dynamodb)

    @cached_property
    def mailer(self):
        from ameli.adapters.aws import SesMailer

        return SesMailer(self.sesv2, self.settings.sender_email, self.settings.ses_configuration_set)

    @cached_property
    def workflow(self):
        from ameli.adapters.aws import StepFunctionsConfirmationWorkflow

        return StepFunctionsConfirmationWorkflow(self.stepfunctions, self.settings.confirmation_state_machine_arn)

    @cached_property
    def password_hasher(self):
        from ameli.adapters.passwords import Argon2PasswordHasher

        return Argon2PasswordHasher()

    @cached_property
    def pseudonymizer(self):
        from ameli.adapters.aws import HmacPseudonymizer

        return HmacPseudonymizer(self.pseudonymization_key)  # fetched at the first hash, then kept

    @cached_property
    def telemetry(self):
        from ameli.adapters.aws import PowertoolsTelemetry

        return PowertoolsTelemetry(namespace="AmeliSignup", service="ameli-signup")

    # -- use cases
    def _common_ports(self) -> dict:
        return dict(
            settings=self.settings,
            clock=self.clock,
            mailer=self.mailer,
            workflow=self.workflow,
            hasher=self.password_hasher,
            pseudonymizer=self.pseudonymizer,
            telemetry=self.telemetry,
        )

    @cached_property
    def signups(self):
        from ameli.service.signup import SignupService

        return SignupService(registry=self.registry, store=self.signup_store, **self._common_ports())

    @cached_property
    def accounts(self):
        from ameli.service.accounts import AccountService

        return AccountService(accounts=self.account_store, **self._common_ports())

    @cached_property
    def franceconnect_client(self):
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

        return parameters.get_secret(self.settings.franceconnect_client_secret_name, max_age=3600)

    @cached_property
    def franceconnect(self):
        from ameli.http.api import logger
        from ameli.service.franceconnect import FranceConnectService

        return FranceConnectService(
            settings=self.settings,
            clock=self.clock,
            registry=self.registry,
            store=self.signup_store,
            client=self.franceconnect_client,
            pseudonymizer=self.pseudonymizer,
            telemetry=self.telemetry,
            logger=logger,
        )


class LazyClient:
    """A boto3 client made at its first use (boto3 itself is imported then too)."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client = None

    def __getattr__(self, name: str):
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
