"""Loads a registry extract (the fixture format of local/README.md) into the registry table.

    python -m scripts.load_registry --table <RegistryTableName> extract.json

The file is validated first, entry by entry, with the same loader as the local stack; nothing is
written when any entry is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="name of the registry DynamoDB table")
    parser.add_argument("extract", type=Path)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "layers" / "shared"))
    import boto3

    from ameli.adapters.dynamodb import DynamoBeneficiaryRegistry
    from local.fixtures import FixtureError, load_fixture_file

    try:
        fixtures = load_fixture_file(args.extract)
    except FixtureError as error:
        print(error, file=sys.stderr)
        return 2
    DynamoBeneficiaryRegistry(boto3.client("dynamodb"), args.table).put_all(fixtures.beneficiaries)
    print(f"{len(fixtures.beneficiaries)} beneficiaries loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
