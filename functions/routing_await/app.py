"""A `.waitForTaskToken` step: the workflow waits for a person's decision on a document."""

from typing import Any, Literal

from pydantic import BaseModel

from ezd.observability import tools
from ezd.services.routing import await_person

logger, tracer, metrics = tools("routing-await")


class AwaitRequest(BaseModel):
    document_id: str
    waiting_for: Literal["classification", "decision", "redecretation"]
    token: str
    correlation_id: str | None = None


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = AwaitRequest.model_validate(event)
    result = await_person(request.document_id, request.waiting_for, request.token)
    logger.info("waiting for a person", extra={"waiting_for": request.waiting_for, "result": result})
    return result
