"""Intake step: issue the sealed UPP receipt and archive it."""

from typing import Any

from ezd.config import settings
from ezd.models.intake import IntakeRequest, LetterSummary, RegistrationResult
from ezd.observability import MetricUnit, tools
from ezd.services.receipt import issue_receipt

logger, tracer, metrics = tools("intake-receipt")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    blob = issue_receipt(
        IntakeRequest.model_validate(event["intake"]),
        RegistrationResult.model_validate(event["registration"]),
        settings(),
        LetterSummary.model_validate(event["letter"]).sha1_b64 or "",
    )
    metrics.add_metric(name="ReceiptsIssued", unit=MetricUnit.Count, value=1)
    logger.info("receipt issued", extra={"key": blob.key})
    return blob.model_dump(mode="json")
