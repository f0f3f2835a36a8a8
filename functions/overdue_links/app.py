"""Daily safety net: re-runs the confirmation workflow of links whose deadline passed without effect
(an execution that failed or never started). Queries the accounts table's pending index; never scans."""

from ameli.bootstrap import container
from ameli.observability import logger


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict, context) -> dict:
    caught_up = container().safety_net.catch_up_overdue_links()
    logger.info("overdue links caught up", extra={"count": caught_up})
    return {"caught_up": caught_up}
