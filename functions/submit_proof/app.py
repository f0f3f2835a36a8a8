"""POST /v1/signups/{id}/proof: the IBAN tail and the Carte Vitale serial tail prove possession."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.http.api import bearer_token, create_app, entrypoint
from ameli.http.models import NextStepResponse, ProofRequest, documented

app = create_app()


@app.post(
    "/v1/signups/<signup_id>/proof",
    summary="Prouver la possession de la carte Vitale et du RIB",
    responses=documented(200, NextStepResponse, 401, 409, 410, 422, 429),
)
def submit_proof(signup_id: str, request: Annotated[ProofRequest, Body()]) -> NextStepResponse:
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    updated = container().option1.submit_proof(signup, request.tails())
    return NextStepResponse(next_step=updated.next_step, expires_at=to_rfc3339(updated.expires_at))


lambda_handler = entrypoint(app, init=container)
