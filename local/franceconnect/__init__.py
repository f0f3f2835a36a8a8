"""A local stand-in for FranceConnect (fcp-low, API v2): a real OpenID Connect provider built on
authlib and joserfc, served as a WSGI application. See `README.md` in this folder.

>>> provider = create_provider(
...     "http://127.0.0.1:3000/_fc/api/v2",
...     [ClientRegistration("client", "secret", ["http://127.0.0.1:3000/callback"], [])],
...     [],
... )
>>> provider.discovery_document()["issuer"]
'http://127.0.0.1:3000/_fc/api/v2'
"""

from .model import ClientRegistration, Identity
from .provider import MISBEHAVIOURS, FranceConnectProvider, create_provider
from .stack import create_app

__all__ = ["ClientRegistration", "FranceConnectProvider", "Identity", "MISBEHAVIOURS", "create_app", "create_provider"]
