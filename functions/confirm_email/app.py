"""POST /v1/email-confirmations: the activation page sends the link's token (opening it consumes nothing)."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import create_app, entrypoint
from ameli.http.models import ConfirmationRequest, ConfirmationResponse
from ameli.http.powertools import Body

app = create_app()


@app.post(
    "/v1/email-confirmations",
    summary="Activer le compte avec le lien reçu par email",
    description="Réponse 200 aussi quand le compte est déjà actif. 410 LINK_EXPIRED propose `resend_options`.",
    tags=[docs.EMAIL_CONFIRMATION],
    responses=docs.documented(200, ConfirmationResponse, *docs.BODY_REFUSALS, errors.LinkInvalid, errors.LinkExpired,
                              errors.PendingEmailDeleted),
)
def confirm_email(request: Annotated[ConfirmationRequest, Body()]) -> ConfirmationResponse:
    container().activation.confirm(request.token)
    return ConfirmationResponse(status="active")


lambda_handler = entrypoint(app, init=container)
