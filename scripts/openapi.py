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
    from aws_lambda_powertools.event_handler.openapi.models import Tag

    from ameli.http import docs
    from ameli.http.bodies import MAX_BODY_BYTES
    from ameli.http.models import FieldProblem, Problem

    merge = OpenAPIMerge(
        title="API de création du compte ameli",
        version="1.0.0",
        description=(
            "Création immédiate du compte ameli, avec la carte Vitale et l'IBAN ou avec FranceConnect. "
            "Erreurs au format application/problem+json, en français, avec un `code` stable (voir api.md) ; "
            "chaque opération liste ses codes et leurs membres supplémentaires. Corps JSON (UTF-8) de "
            f"{MAX_BODY_BYTES // 1024} Kio au plus. Aucun jeton ne passe dans l'URL : ils vont dans "
            "`Authorization: Bearer`."
        ),
        tags=[Tag(name=name, description=description) for name, description in docs.TAGS],
        security_schemes=docs.security_schemes(),
        on_conflict="error",
    )
    for handler in sorted((ROOT / "functions").glob("*/app.py")):
        if "app = create_app()" in handler.read_text():  # API functions; scheduled ones have no routes
            merge.add_file(handler, resolver_name="app")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a function that fails to load must fail the build, not vanish
        document = json.loads(merge.get_openapi_json_schema())
    _drop_default_validation_answers(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, FieldProblem):  # referenced by every problem answer (ameli.http.docs)
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        schemas[model.__name__] = schema
    return document


def _drop_default_validation_answers(document: dict) -> None:
    """Powertools adds its own 422 to every operation; ours are the problems each one documents."""
    for operations in document["paths"].values():
        for operation in operations.values():
            default = operation["responses"].get("422", {})
            if default.get("description") == "Validation Error":
                del operation["responses"]["422"]
    text = json.dumps(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            document["components"]["schemas"].pop(unused, None)


if __name__ == "__main__":
    print(json.dumps(build_openapi(), indent=2, ensure_ascii=False, sort_keys=True))
