"""The fault switch: that fraction of the functions' and the state machine's calls to a service fails with its
throttling error.

Set at start with `LOCAL_FAULTS=ses=1,dynamodb=0.3`, read and replaced at run time with
`GET`/`PUT /_local/faults` (`{"ses": 1.0, "dynamodb": 0.3, "stepfunctions": 0, "secretsmanager": 0}`).
The failure happens in the function's boto3 client, as botocore raises it once its retries are spent
(`local/lambda_runtime.py`), and for the state machine's tasks in the emulated AWS (`local/emulator.py`: the
state's `Retry` then decides, as on AWS); the stack's own calls are not affected.

    switch = FaultSwitch(parse_faults("ses=1"))
    switch.replace({"dynamodb": 0.5})        # ValueError for an unknown service or a rate outside 0-1
    switch.rates()                           # {'dynamodb': 0.5, 'ses': 0.0, 'secretsmanager': 0.0, 'stepfunctions': 0.0}
"""

from __future__ import annotations

import threading
from typing import Any

SERVICES = ("dynamodb", "ses", "stepfunctions", "secretsmanager")


def _checked(name: Any, rate: Any) -> tuple[str, float]:
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}: one of {', '.join(SERVICES)}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(f"{name}: the fraction of calls that fail is a number from 0 to 1")
    return name, float(rate)


def parse_faults(text: str) -> dict[str, float]:
    """`ses=1,dynamodb=0.3` -> {"ses": 1.0, "dynamodb": 0.3}. Raises ValueError."""
    faults = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, separator, value = part.partition("=")
        try:
            rate = float(value)
        except ValueError:
            raise ValueError(f"{part!r} is not service=fraction (e.g. ses=1,dynamodb=0.3)") from None
        if not separator:
            raise ValueError(f"{part!r} is not service=fraction (e.g. ses=1,dynamodb=0.3)")
        faults.update([_checked(name.strip(), rate)])
    return faults


class FaultSwitch:
    def __init__(self, rates: dict[str, float] | None = None) -> None:
        self._lock = threading.Lock()
        self._rates = dict(rates or {})

    def replace(self, rates: Any) -> None:
        if not isinstance(rates, dict):
            raise ValueError('a JSON object such as {"ses": 1.0, "dynamodb": 0.3}')
        checked = dict(_checked(name, rate) for name, rate in rates.items())
        with self._lock:
            self._rates = checked

    def rates(self) -> dict[str, float]:
        with self._lock:
            return {name: self._rates.get(name, 0.0) for name in SERVICES}

    def active(self) -> dict[str, float]:
        """Only the services that fail (what each invocation carries)."""
        with self._lock:
            return {name: rate for name, rate in self._rates.items() if rate}
