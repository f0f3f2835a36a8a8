"""POST /v1/email-confirmations: the activation page sends the link's token (opening it consumes nothing)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from ameli.bootstrap import container
from ameli.http.api import create_app, entrypoint
from ameli.http.models import ConfirmationRequest, ConfirmationResponse, documented

app = create_app()


@app.post(
    "/v1/email-confirmations",
    summary="Activer le compte avec le lien reçu par email",
    description="Réponse 200 aussi quand le compte est déjà actif. 410 LINK_EXPIRED propose `resend_options`.",
    responses=documented(200, ConfirmationResponse, 404, 410, 422),
)
def confirm_email(request: Annotated[ConfirmationRequest, Body()]) -> ConfirmationResponse:
    container().activation.confirm(request.token)
    return ConfirmationResponse(status="active")


lambda_handler = entrypoint(app, init=container)
