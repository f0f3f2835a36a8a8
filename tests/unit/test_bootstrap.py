"""The composition root builds use cases without touching AWS: clients, the secret and Argon2
come at their first use, so each function needs only the permissions of what it really does."""

import sys

import pytest

from ameli.bootstrap import Container
from tests.fakes import settings_for_tests


def test_building_the_use_cases_creates_no_client_and_reads_no_secret(monkeypatch):
    import boto3

    def forbidden(*args, **kwargs):
        raise AssertionError("an AWS client was created while wiring the use cases")

    monkeypatch.setattr(boto3, "client", forbidden)
    monkeypatch.delitem(sys.modules, "argon2", raising=False)
    container = Container(settings_for_tests())
    for use_case in ("option1", "signup_steps", "contact_step", "activation", "login", "new_links", "safety_net",
                     "franceconnect"):
        assert getattr(container, use_case) is not None
    assert "argon2" not in sys.modules
    with pytest.raises(AssertionError, match="AWS client"):
        container.registry.find_by_nir("162122B010001")  # the first request makes the client
