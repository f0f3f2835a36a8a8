"""What the API takes from Powertools' event handler, imported here so that a cold start loads only it.

The `__init__` of `aws_lambda_powertools.event_handler` imports every resolver Powertools has (AppSync's
pulls `asyncio`, Bedrock's, VPC Lattice's, HTTP's...) and that of `utilities.data_classes` some forty
event classes, for the one resolver (API Gateway REST) and the one event our functions use: about a
fifth of a handler's import. So, before anything imports them, each package is put in `sys.modules` as
the import system would make it (its `__path__`, so its submodules import as usual) but without running
its `__init__`: a PEP 562 `__getattr__` gives each of the `__init__`'s names at its first use, from the
submodule the `__init__` imports it from (read from the `__init__`'s own source, not a list kept here),
a submodule by importing it, and any other name by running the real `__init__`. Nothing the packages
offer goes missing: the worst case costs the import it always cost. Powertools' own modules ask the
package for names too (`openapi.params` asks for `Response`): they get them the same way.

`ameli.http` imports this module first; functions and modules take these names from here.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import threading
from typing import Any


def _import_lazily(package_name: str) -> None:
    """`package_name` in sys.modules with its `__init__` run only if a name it defines is asked."""
    if package_name in sys.modules:  # imported already (a test, a script): nothing left to spare
        return
    spec = importlib.util.find_spec(package_name)  # imports the parent packages, as an import would
    source = spec.loader.get_source(package_name) if spec and spec.loader else None  # type: ignore[attr-defined]
    if spec is None or spec.loader is None or spec.submodule_search_locations is None or source is None:
        return  # not a package we can read: the ordinary import applies
    package = importlib.util.module_from_spec(spec)
    # Each name the `__init__` imports from a module of its own: (that module, its name there).
    origins: dict[str, tuple[str, str]] = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.ImportFrom):
            module = importlib.util.resolve_name("." * statement.level + (statement.module or ""), package_name)
            if module.startswith(package_name + "."):
                origins.update({alias.asname or alias.name: (module, alias.name) for alias in statement.names})
    running_init = threading.RLock()
    init_state = {"ran": False, "running": False}

    def run_the_real_init() -> None:
        with running_init:
            if init_state["ran"] or init_state["running"]:  # running: a name asked by the `__init__` itself
                return
            init_state["running"] = True
            try:
                spec.loader.exec_module(package)  # type: ignore[union-attr]
                init_state["ran"] = True
            finally:
                init_state["running"] = False

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562's name)
        if name in origins:
            module, original = origins[name]
            value = getattr(importlib.import_module(module), original, _MISSING)
            if value is _MISSING:  # `from .module import submodule`: not an attribute until imported
                value = importlib.import_module(f"{module}.{original}")
            setattr(package, name, value)
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{package_name}.{name}") is not None:
            return importlib.import_module(f"{package_name}.{name}")
        run_the_real_init()
        if name in vars(package):
            return vars(package)[name]
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    def __dir__() -> list[str]:  # noqa: N807 (PEP 562's name)
        return sorted(set(vars(package)) | set(origins))

    vars(package).update(__getattr__=__getattr__, __dir__=__dir__)
    parent, _, child = package_name.rpartition(".")
    sys.modules[package_name] = package
    if parent:
        setattr(sys.modules[parent], child, package)


_MISSING = object()

_import_lazily("aws_lambda_powertools.event_handler")
_import_lazily("aws_lambda_powertools.utilities.data_classes")

from aws_lambda_powertools.event_handler.api_gateway import (  # noqa: E402 (after the lazy packages above)
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (  # noqa: E402
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.params import Body, Query  # noqa: E402

__all__ = [
    "APIGatewayRestResolver",
    "Body",
    "CORSConfig",
    "OpenAPIRequestValidationMiddleware",
    "Query",
    "RequestValidationError",
    "Response",
]
