"""GET /v1/franceconnect/login?return_to=...: sends the browser to FranceConnect's authorize page."""

from typing import Annotated

from ameli.bootstrap import container
from ameli.domain import errors
from ameli.http import docs
from ameli.http.api import create_app, entrypoint
from ameli.http.cookies import BROWSER_BINDING_COOKIE, set_cookie
from ameli.http.powertools import Query, Response

app = create_app()


@app.get(
    "/v1/franceconnect/login",
    summary="S'identifier avec FranceConnect",
    description="Redirige (302) vers FranceConnect. `return_to` doit figurer sur la liste autorisée.",
    tags=[docs.FRANCECONNECT],
    responses=docs.documented(302, None, errors.InvalidRequest, description="Vers FranceConnect"),
)
def franceconnect_login(return_to: Annotated[str, Query(description="Page du client où revenir")]):
    services = container()
    redirect = services.franceconnect.begin(return_to)
    headers = {"Location": redirect.location}
    if redirect.browser_binding:  # none when FranceConnect could not be reached: straight back to return_to
        headers["Set-Cookie"] = set_cookie(BROWSER_BINDING_COOKIE, redirect.browser_binding, max_age=600,
                                           secure=services.settings.cookie_secure)
    return Response(status_code=302, headers=headers)


lambda_handler = entrypoint(app, init=container)
