"""POST /v1/signups/{id}/contact: email, phones and consents; creates the account pending confirmation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.idempotency import answer_once
from ameli.http.models import ContactRequest, ContactResponse
from ameli.service.tokens import token_hash

app = create_app()


@app.post(
    "/v1/signups/<signup_id>/contact",
    summary="Donner son email et ses téléphones ; termine la création du compte",
    description="Le compte est créé en attente de confirmation de l'email ; le jeton de création ne sert plus.",
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(201, ContactResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS, errors.EmailAlreadyUsed),
)
def give_contact(signup_id: str, request: Annotated[ContactRequest, Body()]):
    def create_account() -> dict:
        signup = container().signup_steps.authenticate(signup_id, bearer_token(app))
        created = container().contact_step.give_contact(signup, request.details())
        return ContactResponse(
            status="pending_email_confirmation",
            email_masked=created.email_masked,
            link_expires_at=to_rfc3339(created.account.link.expires_at),
            # FranceConnect signups end with the FranceConnect logout, opened by the client.
            franceconnect_logout_url=signup.franceconnect_logout_url,
        ).model_dump(exclude_none=True)

    # A retry whose first answer was lost gets that answer again, not a dead signup token.
    attempt = {"key": [signup_id, token_hash(bearer_token(app) or "")], "body": app.current_event.json_body}
    return json_response(201, answer_once("contact", attempt, create_account, app.lambda_context,
                                          container().idempotency_store))


lambda_handler = entrypoint(app)
