"""The emulated SES refuses what SES refuses and publishes what SES publishes (local/emulator.py)."""

from __future__ import annotations

import pytest

from local.emulator import EventDestination, SesRules

SENDER = "ne-pas-repondre@assurance-maladie.example"


def rules(published: list | None = None, recorded: dict | None = None) -> SesRules:
    return SesRules(
        identities={SENDER},
        configuration_sets={"email": [EventDestination(frozenset({"bounce", "complaint"}), "arn:topic")]},
        publish=lambda topic, event: (published if published is not None else []).append((topic, event)),
        record=lambda message_id, parts: (recorded if recorded is not None else {}).update({message_id: parts}),
    )


def request(to: str, sender: str = SENDER, configuration_set: str | None = "email") -> dict:
    body = {"FromEmailAddress": sender, "Destination": {"ToAddresses": [to]},
            "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}, "Html": {"Data": "h"}}}}}
    return {**body, **({"ConfigurationSetName": configuration_set} if configuration_set else {})}


@pytest.mark.parametrize("address", ["élodie@example.fr", "paul@exemple-é.fr", "no-at-sign.example.fr"])
def test_addresses_ses_cannot_take_are_refused(address):
    status, code, _ = rules().refusal(request(address))

    assert (status, code) == (400, "BadRequestException")


def test_a_punycode_domain_is_taken():
    assert rules().refusal(request("paul@xn--exemple--9ya.fr")) is None


def test_a_sender_the_template_does_not_declare_is_refused():
    assert rules().refusal(request("paul@example.fr", sender="autre@example.fr"))[1] == "MessageRejected"


def test_an_unknown_configuration_set_is_refused():
    assert rules().refusal(request("paul@example.fr", configuration_set="nope"))[:2] == (404, "NotFoundException")


def test_a_bounce_is_published_to_the_destination_and_recorded_with_both_parts():
    published, recorded = [], {}

    events = rules(published, recorded).accepted(request("bounce@simulator.amazonses.com"), "m-1")

    assert events == ["Send", "Bounce"]
    assert [(topic, event["eventType"]) for topic, event in published] == [("arn:topic", "Bounce")]
    bounce = published[0][1]
    assert bounce["bounce"]["bounceType"] == "Permanent"
    assert bounce["mail"]["messageId"] == "m-1" and bounce["mail"]["tags"]["ses:configuration-set"] == ["email"]
    assert (recorded["m-1"]["text"], recorded["m-1"]["html"]) == ("t", "h")


def test_without_a_configuration_set_nothing_is_published():
    published = []

    rules(published).accepted(request("complaint@simulator.amazonses.com", configuration_set=None), "m-2")

    assert published == []
