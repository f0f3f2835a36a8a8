"""POST /v1/signups/{id}/contact: email, phones and consents; creates the account pending confirmation."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.idempotency import answer_once
from ameli.http.models import ContactRequest, ContactResponse
from ameli.http.powertools import Body
from ameli.service.tokens import derived_token, token_hash

app = create_app()


@app.post(
    "/v1/signups/<signup_id>/contact",
    summary="Donner son email et ses téléphones ; termine la création du compte",
    description=(
        "Le compte est créé en attente de confirmation de l'email ; le jeton de création ne sert plus. La réponse "
        "donne l'adresse complète (à faire relire) et un `correction_token` : pendant 30 minutes, tant que le lien "
        "n'a pas servi, POST /v1/account/email avec ce jeton remplace l'adresse (nouveau lien, l'ancien ne sert "
        "plus) sans redemander le code personnel."
    ),
    tags=[docs.COMMON_STEPS],
    security=docs.SIGNUP_TOKEN,
    responses=docs.documented(201, ContactResponse, *docs.BODY_REFUSALS, *docs.SIGNUP_REFUSALS,
                              errors.EmailAlreadyUsed),
)
def give_contact(signup_id: str, request: Annotated[ContactRequest, Body()]):
    signup_token = bearer_token(app) or ""
    # Computed from the signup token, so a replayed answer carries it without it being stored in clear.
    correction_token = derived_token(signup_token, "correction")

    def create_account() -> dict:
        signup = container().signup_steps.authenticate(signup_id, signup_token, retrying_contact=True)
        created = container().contact_step.give_contact(signup, request.details(), correction_token)
        return ContactResponse(
            status="pending_email_confirmation",
            email="",  # added below: the replay store keeps no full address
            email_masked=created.email_masked,
            link_expires_at=to_rfc3339(created.account.link.expires_at),
            correction_expires_at=to_rfc3339(created.correction_expires_at) if created.correction_expires_at else None,
            # FranceConnect signups end with the FranceConnect logout, opened by the client.
            franceconnect_logout_url=signup.franceconnect_logout_url,
        ).model_dump(exclude_none=True, exclude={"email"})

    # A retry whose first answer was lost gets that answer again, not a dead signup token.
    attempt = {"key": [signup_id, token_hash(signup_token)], "body": app.current_event.json_body}
    answer = answer_once("contact", attempt, create_account, app.lambda_context, container().idempotency_store)
    # The replay's body is the first one's (checked), so its address is the one the account holds.
    answer = {**answer, "email": request.email.address}
    if answer.get("correction_expires_at"):
        answer["correction_token"] = correction_token
    return json_response(201, answer)


lambda_handler = entrypoint(app, init=container)
