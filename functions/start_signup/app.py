"""POST /v1/signups: Option 1, the person says who they are (name, NIR, birth date, postal code)."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import create_app, entrypoint, json_response
from ameli.http.models import ProofDisplay, StartSignupRequest, StartSignupResponse
from ameli.http.powertools import Body

app = create_app()


@app.post(
    "/v1/signups",
    summary="Commencer la création de compte (carte Vitale + IBAN)",
    description="Refus uniforme 403 ONLINE_SIGNUP_UNAVAILABLE quel qu'en soit le motif.",
    tags=[docs.OPTION1],
    responses=docs.documented(201, StartSignupResponse, *docs.BODY_REFUSALS, errors.OnlineSignupUnavailable,
                              errors.TooManyAttempts),
)
def start_signup(request: Annotated[StartSignupRequest, Body()]):
    started = container().option1.start(request.identity())
    return json_response(201, StartSignupResponse(
        signup_id=started.signup.signup_id,
        signup_token=started.signup_token,
        expires_at=to_rfc3339(started.signup.expires_at),
        next_step=started.signup.next_step,
        proof=ProofDisplay(
            iban_masked=started.iban_masked, carte_vitale_serial_prefix=started.carte_vitale_serial_prefix
        ),
    ))


lambda_handler = entrypoint(app, init=container)
