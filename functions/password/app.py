"""POST /v1/signups/{id}/password/check (live feedback) and .../password (choose the code personnel)."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint
from ameli.http.models import (
    NextStepResponse,
    PasswordCheckRequest,
    PasswordCheckResponse,
    PasswordRequest,
)
from ameli.http.powertools import Body

app = create_app()


@app.post(
    "/v1/signups/<signup_id>/password/check",
    summary="Vérifier un code personnel sans l'enregistrer",
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(200, PasswordCheckResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS),
)
def check_password(signup_id: str, request: Annotated[PasswordCheckRequest, Body()]) -> PasswordCheckResponse:
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    verdict = container().signup_steps.check_password(signup, request.password)
    return PasswordCheckResponse(valid=verdict.valid, violations=list(verdict.violations), strength=verdict.strength)


@app.post(
    "/v1/signups/<signup_id>/password",
    summary="Choisir son code personnel",
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(200, NextStepResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS,
                              errors.PasswordRejected),
)
def choose_password(signup_id: str, request: Annotated[PasswordRequest, Body()]) -> NextStepResponse:
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    updated = container().signup_steps.choose_password(
        signup, password=request.password, confirmation=request.password_confirmation
    )
    return NextStepResponse(next_step=updated.next_step, expires_at=to_rfc3339(updated.expires_at))


lambda_handler = entrypoint(app, init=container)
