"""What operators see, in one place: JSON logs (Powertools Logger, one correlation id per request)
and business counters (Powertools Metrics, EMF). Never who: no NIR, token, email or phone here.

`logger` is the one logger of the layer; `PowertoolsTelemetry` implements the `Telemetry` port the
use cases count and note events through.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "ameli-signup"
METRICS_NAMESPACE = "AmeliSignup"

logger = Logger(service=SERVICE)


class PowertoolsTelemetry:
    """One EMF count per business event, with low-cardinality dimensions only."""

    def __init__(self, namespace: str = METRICS_NAMESPACE, service: str = SERVICE) -> None:
        self.namespace = namespace
        self.service = service

    def count(self, name: str, **dimensions: str) -> None:
        # Imported at the first count: functions that count nothing never load the metrics module.
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=self.namespace) as metric:
            metric.add_dimension(name="service", value=self.service)
            for key, value in dimensions.items():
                metric.add_dimension(name=key, value=value)

    def note(self, message: str, **fields: str) -> None:
        logger.info(message, extra=fields)
