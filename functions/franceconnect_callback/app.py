"""GET /v1/franceconnect/callback: FranceConnect sends the browser back here; we answer with a
302 to the client's `return_to`, carrying the outcome in the URL fragment."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.http import docs
from ameli.http.api import create_app, entrypoint
from ameli.http.cookies import BROWSER_BINDING_COOKIE, read_cookie, set_cookie
from ameli.http.powertools import Query, Response

app = create_app()




@app.get(
    "/v1/franceconnect/callback",
    summary="Retour de FranceConnect",
    description=(
        "Redirige (302) vers `return_to` avec `#signup_id=..&signup_token=..&next_step=terms`, ou "
        "`#error=` FRANCECONNECT_CANCELLED, FRANCECONNECT_FAILED, ONLINE_SIGNUP_UNAVAILABLE, ACCOUNT_ALREADY_EXISTS."
    ),
    tags=[docs.FRANCECONNECT],
    responses=docs.documented(302, None, description="Vers `return_to`, le résultat dans le fragment"),
)
def franceconnect_callback(
    code: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = None,
    iss: Annotated[str | None, Query()] = None,
    error: Annotated[str | None, Query()] = None,
):
    services = container()
    params = {"code": code, "state": state, "iss": iss, "error": error}
    binding = read_cookie(app.current_event.headers, BROWSER_BINDING_COOKIE)
    redirect = services.franceconnect.complete({k: v for k, v in params.items() if v}, binding)
    expired = set_cookie(BROWSER_BINDING_COOKIE, "", max_age=0, secure=services.settings.cookie_secure)
    return Response(status_code=302, headers={"Location": redirect.location, "Set-Cookie": expired})


lambda_handler = entrypoint(app, init=container)
