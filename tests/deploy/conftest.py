"""The template as CloudFormation receives it: translated by the SAM CLI's own translator."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"


def translate(*overrides: str) -> dict:
    """template.yaml after the SAM transform (parameters at their defaults unless overridden)."""
    if not SAM_PYTHON.exists():
        message = "the SAM CLI is not installed: run `make sam-cli`"
        if os.environ.get("REQUIRE_SAM_CLI") == "1":  # `make test` sets it: CI never skips these
            pytest.fail(message)
        pytest.skip(message)
    answer = subprocess.run(
        [str(SAM_PYTHON), str(Path(__file__).with_name("translate.py")), str(ROOT / "template.yaml"), *overrides],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    return json.loads(answer.stdout)


@pytest.fixture(scope="session")
def translated() -> dict:
    return translate()


@pytest.fixture(scope="session")
def resources(translated) -> dict:
    return translated["Resources"]


@pytest.fixture(scope="session")
def node() -> str:
    """Node runs the CloudFront Functions' JavaScript (installed by `make web-deps`)."""
    for candidate in ("node", "nodejs"):
        found = subprocess.run(["sh", "-c", f"command -v {candidate}"], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.strip()
    pytest.fail("node is needed to run the CloudFront Functions: `make web-deps` installs it")
    return sys.executable  # unreachable
