"""GET /v1/health: the API answers (used by monitors and the local stack)."""

from ameli.http import docs
from ameli.http.api import create_app, entrypoint
from ameli.http.models import HealthResponse

app = create_app()


@app.get("/v1/health", summary="État du service", tags=[docs.OPERATIONS],
         responses=docs.documented(200, HealthResponse))
def health() -> dict:
    return {"status": "ok"}


lambda_handler = entrypoint(app)
