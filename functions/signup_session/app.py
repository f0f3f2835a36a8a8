"""GET /v1/signups/{id} (resume after an app restart) and DELETE /v1/signups/{id} ("Annuler").

At the terms step (a FranceConnect return, or a reload) the answer carries the terms in force.
"""

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.domain.terms import CURRENT_TERMS
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.models import ProofDisplay, ReceivedIdentityView, SignupStatusResponse, TermsResponse
from ameli.http.powertools import Response

app = create_app()


@app.get(
    "/v1/signups/<signup_id>",
    summary="Où en est la création de compte",
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(200, SignupStatusResponse, errors.SignupSessionInvalid, errors.SignupExpired),
)
def signup_status(signup_id: str):
    signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
    display = container().option1.proof_display(signup)
    proof = ProofDisplay(iban_masked=display.iban_masked,
                         carte_vitale_serial_prefix=display.carte_vitale_serial_prefix) if display else None
    identity = signup.franceconnect_identity
    return json_response(200, SignupStatusResponse(
        next_step=signup.next_step, expires_at=to_rfc3339(signup.expires_at), email_suggestion=signup.email_suggestion,
        proof=proof, franceconnect_identity=ReceivedIdentityView.of(identity) if identity else None,
        franceconnect_logout_url=signup.franceconnect_logout_url,
        terms=TermsResponse.of(CURRENT_TERMS) if signup.next_step == "terms" else None))


@app.delete("/v1/signups/<signup_id>", summary="Annuler la création de compte", tags=[docs.COMMON_STEPS],
            security=docs.SIGNUP_TOKEN,
            responses=docs.documented(204, None, errors.SignupSessionInvalid, errors.SignupExpired))
def cancel_signup(signup_id: str):
    container().signup_steps.cancel(container().signup_steps.authenticate(signup_id, bearer_token(app)))
    return Response(status_code=204)


lambda_handler = entrypoint(app, init=container)
