"""POST /v1/signups/{id}/proof: the IBAN tail and the Carte Vitale serial tail prove possession.

The answer carries the terms in force, which the next step shows: the client needs no GET /v1/terms.
"""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.domain.terms import CURRENT_TERMS
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint
from ameli.http.models import ProofAcceptedResponse, ProofRequest, TermsResponse
from ameli.http.powertools import Body

app = create_app()


@app.post(
    "/v1/signups/<signup_id>/proof",
    summary="Prouver la possession de la carte Vitale et du RIB",
    tags=[docs.OPTION1],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(200, ProofAcceptedResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS,
                              errors.ProofMismatch, errors.AccountAlreadyExists, errors.TooManyAttempts),
)
def submit_proof(signup_id: str, request: Annotated[ProofRequest, Body()]) -> ProofAcceptedResponse:
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    updated = container().option1.submit_proof(signup, request.tails())
    return ProofAcceptedResponse(next_step=updated.next_step, expires_at=to_rfc3339(updated.expires_at),
                                 terms=TermsResponse.of(CURRENT_TERMS))


lambda_handler = entrypoint(app, init=container)
