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

# The resolvers and events we never use, which their packages' __init__ import (ameli.http.powertools
# keeps those from running): neither at import nor at a request.
UNUSED_POWERTOOLS = (
    "asyncio",  # AppSync's resolver's
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.events_appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent_function",
    "aws_lambda_powertools.event_handler.http_resolver",
    "aws_lambda_powertools.event_handler.lambda_function_url",
    "aws_lambda_powertools.event_handler.vpc_lattice",
    "aws_lambda_powertools.utilities.data_classes.s3_event",
    "aws_lambda_powertools.utilities.data_classes.sqs_event",
    "aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event",
)

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
    *UNUSED_POWERTOOLS,
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


def _import_in_a_fresh_interpreter(function: str, probe: str = _PROBE) -> dict:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-3",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / function), str(ROOT / "layers" / "shared")])}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / "functions" / function, env=env,
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


LAZY_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")

# Every name of each package's own __init__ (its __all__), as the module and name it stands for, and the
# modules each one needed: first the package as Powertools imports it, then as a handler finds it.
_NAMES_PROBE = """
import importlib, json, sys
{before}
report = {{}}
for package_name in {packages!r}:
    package = importlib.import_module(package_name)
    names = {{}}
    for name in {names}.get(package_name) or package.__all__:
        before = set(sys.modules)
        value = getattr(package, name)
        names[name] = {{"is": f"{{getattr(value, '__module__', '')}}.{{getattr(value, '__qualname__', value.__name__)}}",
                       "loaded": sorted(set(sys.modules) - before)}}
    report[package_name] = {{"names": names, "all": package.__all__, "dir": dir(package)}}
print(json.dumps(report))
"""


def _names(before: str, names: dict[str, list[str]] | None = None) -> dict:
    return _import_in_a_fresh_interpreter("terms", _NAMES_PROBE.format(before=before, packages=LAZY_PACKAGES,
                                                                       names=names or {}))


def test_the_lazy_packages_still_give_every_name_of_the_real_ones():
    real = _names(before="")
    lazy = _names(before="import app")  # a handler: ameli.http made the packages lazy
    for package_name in LAZY_PACKAGES:
        assert len(real[package_name]["all"]) > 10
        assert ({name: found["is"] for name, found in lazy[package_name]["names"].items()}
                == {name: found["is"] for name, found in real[package_name]["names"].items()})
        assert lazy[package_name]["all"] == real[package_name]["all"]
        assert set(real[package_name]["all"]) <= set(lazy[package_name]["dir"])


def test_a_name_of_a_lazy_package_imports_only_its_own_module():
    lazy = _names(before="import app", names={"aws_lambda_powertools.event_handler": ["AppSyncResolver"],
                                              "aws_lambda_powertools.utilities.data_classes": ["S3Event"]})
    appsync = lazy["aws_lambda_powertools.event_handler"]["names"]["AppSyncResolver"]
    assert appsync["is"] == "aws_lambda_powertools.event_handler.appsync.AppSyncResolver"
    assert "asyncio" in appsync["loaded"]  # what the handler's import no longer pays
    assert not any("bedrock_agent" in module or "vpc_lattice" in module for module in appsync["loaded"])
    s3 = lazy["aws_lambda_powertools.utilities.data_classes"]["names"]["S3Event"]
    assert "aws_lambda_powertools.utilities.data_classes.s3_event" in s3["loaded"]
    assert "aws_lambda_powertools.utilities.data_classes.sqs_event" not in s3["loaded"]


_ODD_NAMES_PROBE = """
import json, sys
import app
import aws_lambda_powertools.event_handler as package
from aws_lambda_powertools.event_handler import content_types  # a submodule, as api_gateway asks it
from aws_lambda_powertools.utilities.data_classes import event_source  # a submodule and a function of the same name
try:
    package.NoSuchResolver
    missing = "found"
except AttributeError as error:
    missing = str(error)
print(json.dumps({"content_types": content_types.__name__, "event_source": type(event_source).__name__,
                  "missing": missing, "appsync": "aws_lambda_powertools.event_handler.appsync" in sys.modules}))
"""


def test_submodules_and_unknown_names_of_a_lazy_package_behave_as_in_the_real_one():
    report = _import_in_a_fresh_interpreter("terms", _ODD_NAMES_PROBE)
    assert report["content_types"] == "aws_lambda_powertools.event_handler.content_types"
    assert report["event_source"] == "function"  # the __init__'s `from .event_source import event_source`
    assert report["missing"] == "module 'aws_lambda_powertools.event_handler' has no attribute 'NoSuchResolver'"
    assert report["appsync"] is True  # an unknown name ran the real __init__ before being refused


_FIRST_REQUEST_PROBE = """
import json, sys
import app
answer = app.lambda_handler(json.load(open({event!r})), type("Context", (), {{
    "function_name": "terms", "memory_limit_in_mb": 128, "aws_request_id": "1",
    "invoked_function_arn": "arn:aws:lambda:eu-west-3:123456789012:function:terms"}})())
print(json.dumps({{"status": answer["statusCode"], "loaded": sorted(sys.modules)}}))
"""


def test_a_first_request_does_not_load_the_unused_resolvers_either():
    # Powertools asks its packages for names while it answers, too: none of them may run the real __init__
    report = _import_in_a_fresh_interpreter("terms", _FIRST_REQUEST_PROBE.format(event=str(ROOT / "events" / "terms.json")))
    assert report["status"] == 200
    unused = [name for name in UNUSED_POWERTOOLS if name in report["loaded"]]
    assert unused == []
