"""The API's HTTP side: the resolver, request and response models, problem+json errors."""

# First, before any module imports Powertools' event handler: see ameli.http.powertools.
from ameli.http import powertools  # noqa: F401
