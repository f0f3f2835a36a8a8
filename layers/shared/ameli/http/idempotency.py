"""Powertools Idempotency for the step whose answer matters most if the network drops it: the
contact step creates the account, sends the email and ends the signup, so a plain retry would
find the signup gone. Its successful answer is kept for an hour and given again to the same
signup, token and body; a failure is not kept (the person can correct and retry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ameli.domain.errors import StepNotAllowed

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

REPLAY_WINDOW_SECONDS = 3600


class AttemptWithOtherData(StepNotAllowed):
    detail = "Votre compte a déjà été créé avec d'autres informations. Consultez votre messagerie."


def answer_once(key_prefix: str, attempt: dict[str, Any], work: Callable[[], dict[str, Any]], lambda_context: Any,
                persistence_store: BasePersistenceLayer) -> dict[str, Any]:
    """`work()`'s answer for this attempt (`key` and `body` members), computed once per key.

    `attempt["key"]` identifies the request (never a raw secret: hash tokens first);
    `attempt["body"]` must be the same on a replay.
    """
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=REPLAY_WINDOW_SECONDS,
    )
    # An attempt cut short by the Lambda timeout must not stay "in progress" for an hour.
    config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="attempt", persistence_store=persistence_store,
                         config=config, key_prefix=key_prefix)
    def once(attempt: dict[str, Any]) -> dict[str, Any]:
        return work()

    try:
        answer: dict[str, Any] = once(attempt=attempt)
        return answer
    except IdempotencyValidationError:
        raise AttemptWithOtherData(next_step="done") from None
    except IdempotencyAlreadyInProgressError:
        raise StepNotAllowed(next_step="contact") from None
