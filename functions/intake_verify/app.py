"""Intake step: verify XAdES signatures and store the report with the letter."""

from typing import Any

from ezd.adapters.trust_store import TrustStore
from ezd.models.intake import IntakeRequest
from ezd.observability import MetricUnit, tools
from ezd.services.intake_verify import verify_step

logger, tracer, metrics = tools("intake-verify")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = IntakeRequest.model_validate(event["intake"])
    report = verify_step(request, TrustStore.from_env())
    metrics.add_metric(name=f"Signature_{report.signature}", unit=MetricUnit.Count, value=1)
    logger.info("signatures checked", extra={"signature": report.signature, "certificate": report.certificate})
    return report.model_dump(mode="json")
