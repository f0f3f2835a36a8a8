"""Fixtures of the end-to-end tests: one local stack (demo fixtures) per test session."""

from __future__ import annotations

import pytest

from .localstack import start_local_stack


@pytest.fixture(scope="session")
def running_stack():
    stack = start_local_stack()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def local_stack(running_stack) -> str:
    return running_stack.base_url
