"""POST /v1/email-confirmations/resend: a new link, to the same address or (with the password) another."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import create_app, entrypoint, json_response
from ameli.http.models import LinkSentResponse, ResendRequest
from ameli.http.powertools import Body

app = create_app()


@app.post(
    "/v1/email-confirmations/resend",
    summary="Recevoir un nouveau lien de confirmation",
    description=("Au plus 5 nouveaux liens par compte en 24 heures, en plus de celui de la création : "
                 "au-delà, 429 TOO_MANY_ATTEMPTS avec `retry_after` (secondes)."),
    tags=[docs.EMAIL_CONFIRMATION],
    responses=docs.documented(202, LinkSentResponse, *docs.BODY_REFUSALS, errors.InvalidCredentials, errors.LinkInvalid,
                              errors.AccountAlreadyActive, errors.EmailAlreadyUsed, errors.PendingEmailDeleted,
                              errors.AccountLocked, errors.TooManyLinks),
)
def resend_link(request: Annotated[ResendRequest, Body()]):
    sent = container().new_links.resend(request.token, new_email=request.new_email, password=request.password)
    return json_response(202, LinkSentResponse.of(sent))


lambda_handler = entrypoint(app, init=container)
