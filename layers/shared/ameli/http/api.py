"""What every API function shares: the resolver, problem+json errors, bearer tokens, logging.

A function's `app.py` declares its routes and ends with `lambda_handler = entrypoint(app)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel

from ameli.domain.errors import AppError, InvalidRequest, NotFound, ServiceUnavailable
from ameli.http.bodies import JsonRequestValidation
from ameli.http.docs import security_schemes
from ameli.http.powertools import APIGatewayRestResolver, CORSConfig, RequestValidationError, Response
from ameli.http.problems import PROBLEM_TYPE_BASE, field_issue, problem, problem_of
from ameli.observability import logger
from ameli.settings import allowed_origins, running_in_lambda

# Seconds a client waits before retrying after a dependency failed (botocore already retried it).
RETRY_AFTER_DEPENDENCY_FAILURE = 5

__all__ = ["PROBLEM_TYPE_BASE", "bearer_token", "create_app", "entrypoint", "json_response"]


def create_app() -> APIGatewayRestResolver:
    origins = allowed_origins()
    cors = CORSConfig(allow_origin=origins[0], extra_origins=list(origins[1:]), max_age=600) if origins else None
    app = APIGatewayRestResolver(enable_validation=True, cors=cors)
    # The body read as ameli.http.bodies says (Powertools' constructor is untyped).
    app._request_validation_middleware = JsonRequestValidation()  # type: ignore[no-untyped-call]
    app.configure_openapi(security_schemes=security_schemes())  # the bearer schemes its routes name

    @app.exception_handler(AppError)
    def _app_error(error: AppError) -> Response[str]:
        answer = problem_of(error)
        logger.info("request refused", extra={"code": answer.code, "status": answer.status})
        return problem(error)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[str]:
        issues = [field_issue(detail) for detail in error.errors()]
        logger.info("request refused", extra={"code": "INVALID_REQUEST", "fields": sorted({i.field for i in issues})})
        return problem(InvalidRequest(errors=issues))

    @app.exception_handler(Exception)
    def _dependency_failed(error: Exception) -> Response[str]:
        if not is_dependency_failure(error):
            raise error
        logger.warning("dependency failed", extra={"error": dependency_error_code(error)})
        return problem(ServiceUnavailable(retry_after=RETRY_AFTER_DEPENDENCY_FAILURE))

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return problem(NotFound())

    def _no_store(app: APIGatewayRestResolver, next_middleware: Callable[..., Response[str]]) -> Response[str]:
        response = next_middleware(app)
        response.headers["Cache-Control"] = "no-store"
        return response

    app.use(middlewares=[_no_store])
    return app


def is_dependency_failure(error: BaseException) -> bool:
    """An AWS call that failed after botocore's retries (throttling, 5xx, no connection), directly or
    through Powertools (Parameters, Idempotency). Imported only then: no cost on the success path."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(error, (ClientError, BotoCoreError, GetParameterError, IdempotencyPersistenceLayerError))


def dependency_error_code(error: BaseException) -> str:
    """Safe to log: the AWS error code or the exception class, never a message (it may quote a key)."""
    response = getattr(error, "response", None)
    return (response or {}).get("Error", {}).get("Code") or type(error).__name__


def bearer_token(app: APIGatewayRestResolver) -> str | None:
    header = app.current_event.headers.get("Authorization") or app.current_event.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def entrypoint(app: APIGatewayRestResolver,
               init: Callable[[], object] | None = None) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler: correlation id from API Gateway, the event itself never logged.

    In Lambda, `init()` (the container) runs now, at the container's init: a misconfigured deploy
    fails there, naming the missing variable, instead of at its first request. The OpenAPI
    generator and the benchmark import handlers without an environment: nothing is built then."""
    if init is not None and running_in_lambda():
        init()

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler


def json_response(status: int, payload: BaseModel | dict[str, Any]) -> Response[str]:
    body = payload.model_dump_json(exclude_none=True) if isinstance(payload, BaseModel) else json.dumps(payload)
    return Response(status_code=status, content_type="application/json", body=body)
