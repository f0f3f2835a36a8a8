"""GET /v1/terms and POST /v1/signups/{id}/terms: read, then accept or refuse, the terms of use.

The answers that lead to the terms step (the proof's, and GET /v1/signups/{id} at that step) carry the
same text: GET /v1/terms is for other clients, and for a web client whose version went out of date.
"""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.domain.terms import CURRENT_TERMS
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.models import CancelledResponse, NextStepResponse, TermsAnswer, TermsResponse
from ameli.http.powertools import Body

app = create_app()


@app.get("/v1/terms", summary="Conditions d'utilisation en vigueur", tags=[docs.COMMON_STEPS],
         responses=docs.documented(200, TermsResponse))
def current_terms() -> TermsResponse:
    return TermsResponse.of(CURRENT_TERMS)


@app.post(
    "/v1/signups/<signup_id>/terms",
    summary="Accepter (ou refuser) les conditions d'utilisation",
    description="Avec `accepted: false`, la création de compte est close : réponse `status: cancelled`.",
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(200, NextStepResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS,
                              errors.TermsVersionOutdated),
)
def answer_terms(signup_id: str, answer: Annotated[TermsAnswer, Body()]):
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    updated = container().signup_steps.answer_terms(signup, accepted=answer.accepted, version=answer.version)
    if updated is None:
        return json_response(200, CancelledResponse(status="cancelled"))
    return json_response(200, NextStepResponse(next_step=updated.next_step, expires_at=to_rfc3339(updated.expires_at)))


lambda_handler = entrypoint(app, init=container)
