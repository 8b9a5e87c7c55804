"""Step Functions: starting and inspecting workflow executions."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ezd.adapters.aws import client
from ezd.errors import TransientFault


def start(state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    try:
        response = client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload, default=str)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            # A retried start of the same delivery: the first execution is doing the work.
            return f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        raise TransientFault(f"cannot start workflow: {exc}") from exc
    return response["executionArn"]


def describe(execution_arn: str) -> dict[str, Any]:
    return client("stepfunctions").describe_execution(executionArn=execution_arn)


def complete_task(token: str, output: dict[str, Any]) -> bool:
    """Hands a person's decision to the workflow step waiting for it.

    False if the token is no longer valid (the execution moved on or ended): the decision
    is already recorded in the database, which is the source of truth.
    """
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("TaskDoesNotExist", "TaskTimedOut", "InvalidToken"):
            return False
        raise TransientFault(f"cannot complete task: {exc}") from exc
    return True
