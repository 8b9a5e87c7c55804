"""moto's Wait state through ezd.local.moto_sfn_wait: it waits the seconds its path names
(in relative sleeps, so a shifted clock cannot stretch it), and a stopped execution ends
its wait at once."""

from __future__ import annotations

import json
import time

import boto3

from ezd.local import moto_sfn_wait
from testkit import moto_sandbox

CONFIG = {"stepfunctions": {"execute_state_machine": True}}
ROLE = "arn:aws:iam::123456789012:role/sfn"
DEFINITION = json.dumps({
    "StartAt": "Wait",
    "States": {"Wait": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Done"},
               "Done": {"Type": "Pass", "Result": "waited", "End": True}},
})


def _status(sfn, arn: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.05)
    return "RUNNING"


def test_a_wait_state_waits_its_seconds_and_a_stop_ends_it():
    moto_sfn_wait.install()
    with moto_sandbox(config=CONFIG):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        machine = sfn.create_state_machine(name="waits", roleArn=ROLE, definition=DEFINITION)["stateMachineArn"]
        started = time.monotonic()
        short = sfn.start_execution(stateMachineArn=machine, name="short", input=json.dumps({"seconds": 1}))["executionArn"]
        assert _status(sfn, short, 10) == "SUCCEEDED"
        assert 1.0 <= time.monotonic() - started < 5

        long = sfn.start_execution(stateMachineArn=machine, name="long", input=json.dumps({"seconds": 3600}))["executionArn"]
        assert _status(sfn, long, 0.5) == "RUNNING"
        sfn.stop_execution(executionArn=long)
        stopped = time.monotonic()
        assert _status(sfn, long, 5) == "ABORTED" and time.monotonic() - stopped < 2
