"""Mounts the provider in the local stack, registered for the API of that stack.

The client secret is the one the API reads from the emulated Secrets Manager (a random value
created from template.yaml), so the two agree without any secret in the repository.
"""

from __future__ import annotations

from .model import ClientRegistration
from .provider import FranceConnectProvider, create_provider


def create_app(stack) -> FranceConnectProvider:
    import boto3

    environment = stack.environment
    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId=environment["FC_CLIENT_SECRET_NAME"])["SecretString"]
    client = ClientRegistration(
        client_id=environment["FC_CLIENT_ID"],
        client_secret=secret,
        redirect_uris=[environment["FC_REDIRECT_URI"]],
        post_logout_redirect_uris=[environment["FC_POST_LOGOUT_REDIRECT_URI"]],
    )
    return create_provider(environment["FC_ISSUER"], [client], stack.fixtures.franceconnect_identities)
