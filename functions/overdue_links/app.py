"""Daily safety net: delivers the links SES did not take, and re-runs the confirmation workflow of links
whose deadline passed without effect (an execution that failed or never started). Queries the accounts
table's pending index; never scans."""

from ameli.bootstrap import container
from ameli.observability import logger
from ameli.settings import running_in_lambda

if running_in_lambda():
    container()  # a misconfigured deploy fails at init, naming the missing variable


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict, context) -> dict:
    caught_up = container().safety_net.catch_up_overdue_links()
    logger.info("overdue links caught up", extra={"count": caught_up})
    return {"caught_up": caught_up}
