"""Intake step: notify the unit's registry desk."""

from typing import Any

from ezd.models.intake import IntakeRequest, RegistrationResult
from ezd.observability import MetricUnit, tools
from ezd.services.notify import notify_registry

logger, tracer, metrics = tools("intake-notify")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    note = notify_registry(
        IntakeRequest.model_validate(event["intake"]), RegistrationResult.model_validate(event["registration"])
    )
    metrics.add_metric(name="RegistryNotifications", unit=MetricUnit.Count, value=1)
    return note.model_dump(mode="json")
