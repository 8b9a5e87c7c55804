"""Intake Catch path: quarantine the original with its reason and a stable code."""

from typing import Any

from ezd.config import settings
from ezd.models.intake import IntakeRequest
from ezd.observability import MetricUnit, tools
from ezd.services.quarantine import quarantine_delivery

logger, tracer, metrics = tools("intake-quarantine")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome = quarantine_delivery(
        IntakeRequest.model_validate(event["intake"]), event.get("error") or {}, event.get("outcome", "failed"), settings()
    )
    metrics.add_metric(name=f"Letters_{outcome.status}", unit=MetricUnit.Count, value=1)
    logger.warning("quarantined", extra={"error_code": outcome.error_code, "status": outcome.status})
    return outcome.model_dump(mode="json")
