"""moto runs the Step Functions integration the intake uses to start the routing
(``states:startExecution`` with the parameters named as in AWS's documentation)."""

import json
import time

import boto3

from ezd.local import moto_sfn_integration
from testkit import moto_sandbox

ROLE = "arn:aws:iam::123456789012:role/workflow"


def _wait(sfn, arn: str) -> dict:
    for _ in range(100):
        description = sfn.describe_execution(executionArn=arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.05)
    raise AssertionError("the execution did not end")


def test_an_express_workflow_starts_a_standard_one_named_and_fed_by_its_parameters():
    moto_sfn_integration.install()
    with moto_sandbox(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        child = sfn.create_state_machine(
            name="child", roleArn=ROLE,
            definition=json.dumps({"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}),
        )["stateMachineArn"]
        start = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                 "Parameters": {"StateMachineArn": child, "Name.$": "$.id", "Input": {"doc.$": "$.id", "fixed": 1}},
                 "Catch": [{"ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException"],
                            "ResultPath": "$.again", "Next": "Again"}],
                 "End": True}
        parent = sfn.create_state_machine(
            name="parent", type="EXPRESS", roleArn=ROLE,
            definition=json.dumps({"StartAt": "Start", "States": {"Start": start, "Again": {"Type": "Pass", "End": True}}}),
        )["stateMachineArn"]
        first = _wait(sfn, sfn.start_execution(stateMachineArn=parent, name="p1", input='{"id": "abc"}')["executionArn"])
        assert first["status"] == "SUCCEEDED", first.get("cause")
        output = json.loads(first["output"])
        assert output["ExecutionArn"].endswith(":execution:child:abc") and isinstance(output["StartDate"], str)
        started = _wait(sfn, output["ExecutionArn"])
        assert json.loads(started["input"]) == {"doc": "abc", "fixed": 1}
        # The same intake's workflow run again (Express runs at least once): no second start.
        again = _wait(sfn, sfn.start_execution(stateMachineArn=parent, name="p2", input='{"id": "abc"}')["executionArn"])
        assert again["status"] == "SUCCEEDED", again.get("cause")
        assert [e["name"] for e in sfn.list_executions(stateMachineArn=child)["executions"]] == ["abc"]
