"""Settings of the local stack, read from the environment (`local-stack.md`).

| variable | default |
|---|---|
| `LOCAL_PORT` | `3000` |
| `LOCAL_FIXTURES` | `local/demo_fixtures.json` |
| `CONFIRMATION_LINK_VALIDITY` | `P7D` |
| `PENDING_EMAIL_RETENTION` | `P21D` |
| `LOCAL_CONCURRENCY` | `4` (execution environments per function at most) |
| `LOCAL_FAULTS` | none (`ses=1,dynamodb=0.3`, see `local.faults`) |
| `LOCAL_LAMBDA_PYTHON` | `.venv-lambda/bin/python` (the runtime's Python 3.12 with boto3) |
| `LOCAL_BUILD_DIR` | `.aws-sam/build` (what `sam build` produced) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(__file__).resolve().parent
DEFAULT_FIXTURES = LOCAL_DIR / "demo_fixtures.json"
DEFAULT_PORT = 3000
DEFAULT_CONCURRENCY = 4
BUILD_DIR = ROOT / ".aws-sam" / "build"
LAMBDA_PYTHON = ROOT / ".venv-lambda" / "bin" / "python"
HOST = "127.0.0.1"


class StartError(Exception):
    """The stack cannot start; the message says why, for a person (no traceback needed)."""


@dataclass(frozen=True)
class LocalSettings:
    port: int = DEFAULT_PORT
    fixtures_path: Path = DEFAULT_FIXTURES
    confirmation_link_validity: str = "P7D"
    pending_email_retention: str = "P21D"
    concurrency: int = DEFAULT_CONCURRENCY
    faults: dict[str, float] | None = None
    lambda_python: Path = LAMBDA_PYTHON
    build_dir: Path = BUILD_DIR

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> "LocalSettings":
        env = os.environ if env is None else env
        raw_port = env.get("LOCAL_PORT", "").strip() or str(DEFAULT_PORT)
        if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
            raise StartError(f"LOCAL_PORT must be a port number between 1 and 65535, not {raw_port!r}")
        fixtures = env.get("LOCAL_FIXTURES", "").strip()
        raw_concurrency = env.get("LOCAL_CONCURRENCY", "").strip() or str(DEFAULT_CONCURRENCY)
        if not raw_concurrency.isdigit() or not 1 <= int(raw_concurrency) <= 64:
            raise StartError(f"LOCAL_CONCURRENCY must be a number of environments from 1 to 64, not {raw_concurrency!r}")
        from local.faults import parse_faults

        try:
            faults = parse_faults(env.get("LOCAL_FAULTS", ""))
        except ValueError as error:
            raise StartError(f"LOCAL_FAULTS: {error}") from None
        python = env.get("LOCAL_LAMBDA_PYTHON", "").strip()
        build = env.get("LOCAL_BUILD_DIR", "").strip()
        settings = cls(
            build_dir=Path(build) if build else BUILD_DIR,
            concurrency=int(raw_concurrency),
            faults=faults,
            lambda_python=Path(python) if python else LAMBDA_PYTHON,
            port=int(raw_port),
            fixtures_path=Path(fixtures) if fixtures else DEFAULT_FIXTURES,
            confirmation_link_validity=env.get("CONFIRMATION_LINK_VALIDITY", "").strip() or "P7D",
            pending_email_retention=env.get("PENDING_EMAIL_RETENTION", "").strip() or "P21D",
        )
        settings.check_durations()
        return settings

    def check_durations(self) -> None:
        """Both durations parse, and an address is kept longer than its link is valid."""
        from ameli.settings import parse_iso_duration

        durations = {}
        for name, value in (
            ("CONFIRMATION_LINK_VALIDITY", self.confirmation_link_validity),
            ("PENDING_EMAIL_RETENTION", self.pending_email_retention),
        ):
            try:
                durations[name] = parse_iso_duration(value)
            except ValueError as error:
                raise StartError(f"{name}: {error}") from None
        if durations["PENDING_EMAIL_RETENTION"] <= durations["CONFIRMATION_LINK_VALIDITY"]:
            raise StartError(
                "PENDING_EMAIL_RETENTION must be longer than CONFIRMATION_LINK_VALIDITY "
                f"({self.pending_email_retention} <= {self.confirmation_link_validity})"
            )
