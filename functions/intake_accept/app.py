"""Intake step: read the staged letter once; parse, verify and archive it."""

from typing import Any

from ezd.adapters.trust_store import TrustStore
from ezd.config import settings
from ezd.models.intake import IntakeRequest
from ezd.models.letters import IntakePolicy
from ezd.observability import MetricUnit, tools
from ezd.services.intake_accept import accept_delivery

logger, tracer, metrics = tools("intake-accept")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = IntakeRequest.model_validate(event["intake"])
    accepted = accept_delivery(request, settings(), IntakePolicy.from_env(), TrustStore.from_env())
    metrics.add_metric(name="LettersParsed", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=f"Signature_{accepted.signatures.signature}", unit=MetricUnit.Count, value=1)
    if accepted.stored is not None:
        metrics.add_metric(name="BytesArchived", unit=MetricUnit.Bytes, value=accepted.stored.original.size)
    logger.info("accepted", extra={"unit": request.unit, "attachments": accepted.letter.attachments_count,
                                   "signature": accepted.signatures.signature,
                                   "certificate": accepted.signatures.certificate, "test": accepted.letter.is_test})
    return accepted.model_dump(mode="json")
