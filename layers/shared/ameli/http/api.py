"""What every API function shares: the resolver, problem+json errors, bearer tokens, logging.

A function's `app.py` declares its routes and ends with `lambda_handler = entrypoint(app)`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from ameli.domain.errors import AppError, FieldIssue, InvalidRequest, NotFound

logger = Logger(service="ameli-signup")

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://api.ameli.example/problemes/"

# Pydantic error types, translated without ever quoting the submitted value.
_VALIDATION_MESSAGES = {
    "missing": ("REQUIRED", "Ce champ est obligatoire."),
    "bool_type": ("INVALID_TYPE", "Répondez par oui (true) ou non (false)."),
    "bool_parsing": ("INVALID_TYPE", "Répondez par oui (true) ou non (false)."),
    "string_type": ("INVALID_TYPE", "Ce champ doit être un texte."),
    "string_too_long": ("TOO_LONG", "Ce champ est trop long."),
    "json_invalid": ("INVALID_JSON", "Le contenu envoyé n'est pas un JSON valide."),
    "model_attributes_type": ("INVALID_JSON", "Le contenu envoyé doit être un objet JSON."),
    "dict_type": ("INVALID_JSON", "Le contenu envoyé doit être un objet JSON."),
}


def problem(error: AppError) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.code.lower().replace("_", "-"),
        "title": error.title,
        "status": error.status,
        "code": error.code,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = [{"field": i.field, "code": i.code, "message": i.message} for i in error.errors]
    body.update(error.extra)
    # Set here too: an answer built by an exception handler does not pass through the middlewares.
    headers = {"Cache-Control": "no-store"}
    if "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    return Response(status_code=error.status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers)


def _field_issue(detail: dict[str, Any]) -> FieldIssue:
    location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "query", "header", "path")]
    code, message = _VALIDATION_MESSAGES.get(detail.get("type", ""), ("INVALID_VALUE", "Cette valeur n'est pas valide."))
    return FieldIssue(".".join(location) or "body", code, message)


def _allowed_origins() -> list[str]:
    return [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]


def create_app() -> APIGatewayRestResolver:
    origins = _allowed_origins()
    cors = CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], max_age=600) if origins else None
    app = APIGatewayRestResolver(enable_validation=True, cors=cors)

    @app.exception_handler(AppError)
    def _app_error(error: AppError) -> Response:
        logger.info("request refused", extra={"code": error.code, "status": error.status})
        return problem(error)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response:
        issues = [_field_issue(detail) for detail in error.errors()]
        logger.info("request refused", extra={"code": "INVALID_REQUEST", "fields": sorted({i.field for i in issues})})
        return problem(InvalidRequest(errors=issues))

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return problem(NotFound())

    def _no_store(app: APIGatewayRestResolver, next_middleware):
        response = next_middleware(app)
        response.headers["Cache-Control"] = "no-store"
        return response

    app.use(middlewares=[_no_store])
    return app


def bearer_token(app: APIGatewayRestResolver) -> str | None:
    header = app.current_event.headers.get("Authorization") or app.current_event.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def entrypoint(app: APIGatewayRestResolver):
    """The Lambda handler: correlation id from API Gateway, the event itself never logged."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def lambda_handler(event: dict, context: Any) -> dict:
        return app.resolve(event, context)

    return lambda_handler


def json_response(status: int, payload: Any) -> Response:
    body = payload.model_dump_json(exclude_none=True) if hasattr(payload, "model_dump_json") else json.dumps(payload)
    return Response(status_code=status, content_type="application/json", body=body)


def current_signup(app: APIGatewayRestResolver, signup_id: str):
    """The signup of the URL, authorised by its bearer token (401 / 410 otherwise)."""
    from ameli.bootstrap import container

    return container().signup_steps.authenticate(signup_id, bearer_token(app))
