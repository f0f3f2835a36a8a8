"""POST /v1/sessions (login with NIR and code personnel) and DELETE /v1/sessions/current (logout)."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.models import LoginRequest, SessionResponse
from ameli.http.powertools import Body, Response

app = create_app()


@app.post(
    "/v1/sessions",
    summary="Se connecter",
    description=(
        "Compte en attente : 403 EMAIL_CONFIRMATION_PENDING, LINK_EXPIRED ou EMAIL_REQUIRED avec un "
        "`pending_token` qui permet seulement POST /v1/account/email."
    ),
    tags=[docs.LOGIN_AND_ACCOUNT],
    responses=docs.documented(201, SessionResponse, *docs.BODY_REFUSALS, errors.InvalidCredentials,
                              errors.EmailConfirmationPending, errors.LoginLinkExpired, errors.EmailRequired,
                              errors.AccountLocked),
)
def login(request: Annotated[LoginRequest, Body()]):
    opened = container().login.login(request.nir, request.password)
    return json_response(201, SessionResponse(session_token=opened.token, expires_at=to_rfc3339(opened.expires_at)))


@app.delete("/v1/sessions/current", summary="Se déconnecter", tags=[docs.LOGIN_AND_ACCOUNT],
            security=docs.SESSION_TOKEN,
            responses=docs.documented(204, None, description="Déconnecté (aussi quand la session était déjà finie)"))
def logout():
    container().login.logout(bearer_token(app))
    return Response(status_code=204)


lambda_handler = entrypoint(app, init=container)
