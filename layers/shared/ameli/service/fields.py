"""Collecting field issues from single-value parsers, so one 422 lists every field to correct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ameli.domain.errors import FieldErrors, FieldValidationError

T = TypeVar("T")


def parse_field(problems: FieldErrors, field_name: str, parser: Callable[..., T], *args: Any) -> T | None:
    try:
        return parser(*args)
    except FieldValidationError as issue:
        problems.add(field_name, issue.code, issue.message)
        return None
