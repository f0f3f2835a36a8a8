"""Importing a handler loads only what its init needs (architecture.md, "Budgets": lazy imports): the
heavy libraries come with the first request that uses them. Each handler is imported in a fresh
interpreter, as Lambda does at a cold start; nothing here measures a time (`make bench` does)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))

# Loaded at the first request that needs them, never at import.
NEVER_AT_IMPORT = (
    "boto3",  # the clients are made at their first call (ameli.bootstrap.LazyClient)
    "argon2",  # only where passwords are hashed
    "zxcvbn",
    "phonenumbers",
    "email_validator",
    "authlib",  # only in the FranceConnect functions, and there at the first call
    "joserfc",
    # Powertools' OpenAPI object model (pydantic models of the whole specification): only to write the document
    "aws_lambda_powertools.event_handler.openapi.models",
    # the domain's parsers, at the first field they validate; the ports, for types only
    "ameli.domain.nir",
    "stdnum",
    "ameli.domain.proof",
    "ameli.domain.contact",
    "ameli.ports",
    "ameli.service.confirmation_links",
)

_PROBE = """
import json, sys
import app
loaded = sorted(sys.modules)
import ameli.http.models as models
print(json.dumps({"loaded": loaded, "unbuilt": sorted(
    name for name, value in vars(models).items()
    if isinstance(value, type) and getattr(value, "__pydantic_complete__", True) is False)}))
"""


def _import_in_a_fresh_interpreter(function: str) -> dict:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-3",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / function), str(ROOT / "layers" / "shared")])}
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT / "functions" / function, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", [f for f in FUNCTIONS if f != "overdue_links"])  # the scheduled one has no API
def test_importing_an_api_handler_leaves_the_heavy_libraries_to_the_first_request(function):
    report = _import_in_a_fresh_interpreter(function)
    loaded = set(report["loaded"])
    early = [name for name in NEVER_AT_IMPORT if name in loaded or any(m.startswith(name + ".") for m in loaded)]
    assert early == []
    # the request and response models are built at their route's first request (defer_build)
    assert "StartSignupRequest" in report["unbuilt"] and "Problem" in report["unbuilt"]
