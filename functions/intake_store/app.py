"""Intake step: the original and its attachments into the locked archive."""

from typing import Any

from ezd.config import settings
from ezd.models.intake import IntakeRequest
from ezd.models.letters import IntakePolicy
from ezd.observability import MetricUnit, tools
from ezd.services.intake_store import store_step

logger, tracer, metrics = tools("intake-store")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = IntakeRequest.model_validate(event["intake"])
    result = store_step(request, settings(), IntakePolicy.from_env())
    metrics.add_metric(name="BytesArchived", unit=MetricUnit.Bytes, value=result.original.size)
    logger.info("archived", extra={"key": result.original.key, "attachments": len(result.attachments)})
    return result.model_dump(mode="json")
