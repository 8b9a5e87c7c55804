"""Scheduled: collect letters waiting in the units' ePUAP inboxes (WS-Pull)."""

from typing import Any

from ezd.config import settings
from ezd.observability import MetricUnit, tools
from ezd.services.epuap_polling import poll

logger, tracer, metrics = tools("epuap-poller")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = poll(settings(), unit_symbol=event.get("unit"), correlation_id=context.aws_request_id)
    metrics.add_metric(name="EpuapLettersCollected", unit=MetricUnit.Count, value=report.collected)
    for unit in report.units:
        if unit.error:
            logger.error("poll failed", extra={"unit": unit.unit, "error": unit.error})
    return report.model_dump(mode="json")
