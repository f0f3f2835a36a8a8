"""Every email goes through the stack's SES configuration set, so its bounces and complaints reach
EmailEventsTopic (moto ignores ConfigurationSetName: botocore's Stubber checks the request SES gets)."""

import boto3
from botocore.stub import ANY, Stubber

from ameli.adapters.aws import SesMailer
from ameli.ports import OutgoingEmail
from ameli.settings import Settings
from tests.fakes import TEMPLATE_ENVIRONMENT

EMAIL = OutgoingEmail(to="destinataire@example.org", subject="Objet", text="texte", html="<p>html</p>")


def _stubbed_client(expected: dict) -> tuple[object, Stubber]:
    client = boto3.client("sesv2", region_name="eu-west-3", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_response("send_email", {"MessageId": "m-1"}, expected)
    stubber.activate()
    return client, stubber


def test_mailer_sends_through_the_configuration_set():
    client, stubber = _stubbed_client({
        "FromEmailAddress": "ne-pas-repondre@example.org",
        "Destination": {"ToAddresses": [EMAIL.to]},
        "Content": ANY,
        "ConfigurationSetName": "ameli-signup-prod-email",
    })
    SesMailer(client, "ne-pas-repondre@example.org", "ameli-signup-prod-email").send(EMAIL)
    stubber.assert_no_pending_responses()


def test_mailer_without_configuration_set_sends_none():
    client, stubber = _stubbed_client({
        "FromEmailAddress": "ne-pas-repondre@example.org",
        "Destination": {"ToAddresses": [EMAIL.to]},
        "Content": ANY,
    })
    SesMailer(client, "ne-pas-repondre@example.org").send(EMAIL)
    stubber.assert_no_pending_responses()


def test_settings_read_the_configuration_set_the_template_declares():
    environment = {**TEMPLATE_ENVIRONMENT, "SES_CONFIGURATION_SET": "ameli-signup-dev-email"}
    assert Settings.from_environment(environment).ses_configuration_set == "ameli-signup-dev-email"
