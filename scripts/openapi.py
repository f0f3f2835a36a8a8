"""Prints the one OpenAPI document of the whole API, merged from every function's resolver.

`make openapi` writes it to docs/openapi.json; `make openapi-check` (run by `make test`) fails
when the committed document no longer matches the code.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_openapi() -> dict:
    sys.path.insert(0, str(ROOT / "layers" / "shared"))
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    merge = OpenAPIMerge(
        title="API de création du compte ameli",
        version="1.0.0",
        description=(
            "Création immédiate du compte ameli, avec la carte Vitale et l'IBAN ou avec FranceConnect. "
            "Erreurs au format application/problem+json (voir api.md)."
        ),
        on_conflict="error",
    )
    for handler in sorted((ROOT / "functions").glob("*/app.py")):
        if "app = create_app()" in handler.read_text():  # API functions; scheduled ones have no routes
            merge.add_file(handler, resolver_name="app")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a function that fails to load must fail the build, not vanish
        return json.loads(merge.get_openapi_json_schema())


if __name__ == "__main__":
    print(json.dumps(build_openapi(), indent=2, ensure_ascii=False, sort_keys=True))
