"""Intake step: parse and validate the delivered letter (hostile input is rejected)."""

from typing import Any

from ezd.models.intake import IntakeRequest
from ezd.models.letters import IntakePolicy
from ezd.observability import MetricUnit, tools
from ezd.services.intake_parse import parse_step

logger, tracer, metrics = tools("intake-parse")


@logger.inject_lambda_context(correlation_id_path="intake.correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = IntakeRequest.model_validate(event["intake"])
    summary = parse_step(request, IntakePolicy.from_env())
    metrics.add_metric(name="LettersParsed", unit=MetricUnit.Count, value=1)
    logger.info("parsed", extra={"unit": request.unit, "attachments": summary.attachments_count})
    return summary.model_dump(mode="json")
