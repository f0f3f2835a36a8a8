"""What the API takes from Powertools' event handler, imported here so that a cold start loads only it.

The `__init__` of `aws_lambda_powertools.event_handler` imports every resolver Powertools has (AppSync's
pulls `asyncio`, Bedrock's, VPC Lattice's, HTTP's...) and that of `utilities.data_classes` some forty
event classes, for the one resolver (API Gateway REST) our functions use and the few events it reads:
about a fifth of a handler's import. So, before anything imports them, each package is put in `sys.modules` as
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType


def _import_lazily(package_name: str) -> None:
    """`package_name` in sys.modules with its `__init__` run only if a name it defines is asked."""
    if package_name in sys.modules:  # imported already (a test, a script): nothing left to spare
        return
    spec = importlib.util.find_spec(package_name)  # imports the parent packages, as an import would
    source = spec.loader.get_source(package_name) if spec and spec.loader else None  # type: ignore[attr-defined]
    if spec is None or spec.submodule_search_locations is None or source is None:
        return  # not a package we can read: the ordinary import applies
    package = importlib.util.module_from_spec(spec)
    lazy = _LazyPackage(package, _names_imported_from_submodules(source, package_name))
    vars(package).update(__getattr__=lazy.attribute, __dir__=lazy.names)
    parent, _, child = package_name.rpartition(".")
    sys.modules[package_name] = package
    if parent:
        setattr(sys.modules[parent], child, package)


def _names_imported_from_submodules(source: str, package_name: str) -> dict[str, tuple[str, str]]:
    """Each name an `__init__` imports from a module of its package: (that module, its name there)."""
    origins: dict[str, tuple[str, str]] = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.ImportFrom):
            module = importlib.util.resolve_name("." * statement.level + (statement.module or ""), package_name)
            if module.startswith(package_name + "."):
                origins.update({alias.asname or alias.name: (module, alias.name) for alias in statement.names})
    return origins


class _LazyPackage:
    """The PEP 562 `__getattr__` and `__dir__` of a package whose `__init__` has not run."""

    def __init__(self, package: ModuleType, origins: dict[str, tuple[str, str]]) -> None:
        self.package, self.origins = package, origins
        self.init_lock = threading.RLock()
        self.init_ran = self.init_running = False

    def attribute(self, name: str) -> Any:
        package_name = self.package.__name__
        if name in self.origins:
            module, original = self.origins[name]
            value = getattr(importlib.import_module(module), original, _MISSING)
            if value is _MISSING:  # `from .module import submodule`: not an attribute until imported
                value = importlib.import_module(f"{module}.{original}")
            setattr(self.package, name, value)
            return value
        submodule = f"{package_name}.{name}"
        if name.isidentifier() and not name.startswith("__") and importlib.util.find_spec(submodule) is not None:
            return importlib.import_module(submodule)
        self.run_the_real_init()
        if name in vars(self.package):
            return vars(self.package)[name]
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    def run_the_real_init(self) -> None:
        with self.init_lock:
            if self.init_ran or self.init_running:  # running: a name the `__init__` itself asks
                return
            self.init_running = True
            try:
                self.package.__spec__.loader.exec_module(self.package)  # type: ignore[union-attr]
                self.init_ran = True
            finally:
                self.init_running = False

    def names(self) -> list[str]:
        return sorted(set(vars(self.package)) | set(self.origins))


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
