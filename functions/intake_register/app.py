"""Intake step: register the letter under the unit's next RPW number."""

from typing import Any

from ezd.models.intake import IntakeRequest, LetterSummary, StoreResult
from ezd.models.signatures import SignatureReport
from ezd.observability import MetricUnit, tools
from ezd.services.registration import record_test_delivery, register_letter

logger, tracer, metrics = tools("intake-register")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("test_delivery"):
        result = record_test_delivery(IntakeRequest.model_validate(event["intake"]))
        logger.info("test delivery", extra={"status": result.status})
        return result.model_dump(mode="json")
    result = register_letter(
        IntakeRequest.model_validate(event["intake"]),
        LetterSummary.model_validate(event["letter"]),
        SignatureReport.model_validate(event["signatures"]),
        StoreResult.model_validate(event["stored"]),
    )
    metrics.add_metric(name=f"Letters_{result.status}", unit=MetricUnit.Count, value=1)
    logger.info("registration", extra={"status": result.status, "registry_number": result.registry_number})
    return result.model_dump(mode="json")
