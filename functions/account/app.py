"""GET /v1/account and PATCH /v1/account/consents (session token); POST /v1/account/email (pending token
of a login, or the correction right of the contact step)."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.clock import to_rfc3339
from ameli.domain import errors
from ameli.domain.account import Account
from ameli.http import docs
from ameli.http.api import bearer_token, create_app, entrypoint, json_response
from ameli.http.models import AccountEmailRequest, AccountResponse, ConsentsRequest, ConsentView, LinkSentResponse
from ameli.http.powertools import Body

app = create_app()


@app.get("/v1/account", summary="Mon compte", tags=[docs.LOGIN_AND_ACCOUNT], security=docs.SESSION_TOKEN,
         responses=docs.documented(200, AccountResponse, errors.AuthenticationRequired))
def my_account() -> AccountResponse:
    return account_view(container().login.active_account(bearer_token(app)))


@app.patch(
    "/v1/account/consents",
    summary="Modifier mes choix d'informations promotionnelles",
    description=(
        "Chaque choix donné est enregistré avec son heure et la version du texte affiché, comme à l'inscription ; "
        "un choix absent ne change pas. Un choix pour le mobile ou le fixe demande ce numéro au compte."
    ),
    tags=[docs.LOGIN_AND_ACCOUNT],
    security=docs.SESSION_TOKEN,
    responses=docs.documented(200, AccountResponse, *docs.BODY_REFUSALS, errors.AuthenticationRequired),
)
def change_consents(request: Annotated[ConsentsRequest, Body()]) -> AccountResponse:
    return account_view(container().consent_choices.change(bearer_token(app), request.choices()))


def account_view(account: Account) -> AccountResponse:
    return AccountResponse(
        status="active",
        email=account.email,
        mobile_phone=account.mobile_phone,
        landline_phone=account.landline_phone,
        consents={
            name: ConsentView(given=c.given, at=to_rfc3339(c.at), wording_version=c.wording_version)
            for name, c in account.consents.items()
        },
        terms_version=account.terms_version,
        signup_method=account.signup_method,
    )


@app.post(
    "/v1/account/email",
    summary="Recevoir un nouveau lien (même adresse, ou nouvelle adresse)",
    description=(
        "Sans `email` : nouvel envoi à l'adresse en attente ; avec : le lien part à cette adresse, qui remplace "
        "l'adresse en attente (l'ancien lien ne sert plus). Autorisé par le `pending_token` d'une connexion, ou "
        "par le `correction_token` de l'étape contact (corriger une faute de frappe juste après l'inscription). "
        "Au plus 5 nouveaux liens par compte en 24 heures, en plus de celui de la création : "
        "au-delà, 429 TOO_MANY_ATTEMPTS avec `retry_after` (secondes)."
    ),
    tags=[docs.LOGIN_AND_ACCOUNT],
    security=docs.PENDING_OR_CORRECTION_TOKEN,
    responses=docs.documented(202, LinkSentResponse, *docs.BODY_REFUSALS, errors.AuthenticationRequired,
                              errors.AccountAlreadyActive, errors.EmailAlreadyUsed, errors.TooManyLinks),
)
def send_link(request: Annotated[AccountEmailRequest, Body()]):
    sent = container().new_links.send_after_login(bearer_token(app), email=request.email)
    return json_response(202, LinkSentResponse.of(sent))


lambda_handler = entrypoint(app, init=container)
