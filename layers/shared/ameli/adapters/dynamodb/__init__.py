"""DynamoDB adapters, one repository per aggregate (key formats in `ameli.adapters.keys`):
- `registry`: the beneficiary registry extract (read-only for the API);
- `signups`: a signup in progress, its NIR's proof attempts, the FranceConnect state;
- `accounts`: an account, its email claim and its links;
- `sessions`: sessions after login and login throttles.
"""

from ameli.adapters.dynamodb.registry import DynamoBeneficiaryRegistry

__all__ = ["DynamoBeneficiaryRegistry"]
