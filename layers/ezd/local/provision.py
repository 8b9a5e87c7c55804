"""Creates the template's resources on a running moto (the embedded local stack).

Tables with their keys and indexes, buckets with Object Lock and lifecycle rules,
functions with their handlers, state machines with their substitutions, and schedules:
all read from infra/template.yaml, never from a second list kept here.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from ezd.local.lambda_runtime import FunctionSpec, InProcessLambdas
from ezd.local.lifecycle import LifecycleConfiguration, configuration_from_template
from ezd.local.template import REGION, ResolvedResource, Template


@dataclass
class Schedule:
    name: str
    expression: str
    function_name: str
    input: str


@dataclass
class ProvisionedStack:
    template: Template
    environment: dict[str, str]
    functions: dict[str, str] = field(default_factory=dict)  # logical id -> function name
    state_machines: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    schedules: list[Schedule] = field(default_factory=list)
    # bucket name -> the template's lifecycle rules, which lifecycle.LifecycleRunner runs
    lifecycle: dict[str, LifecycleConfiguration] = field(default_factory=dict)

    def name(self, logical_id: str) -> str:
        return self.template.resources[logical_id].name


def _client(service: str, endpoint_url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def provision(template: Template, endpoint_url: str, runtime: InProcessLambdas) -> ProvisionedStack:
    environment = _merged_environment(template)
    stack = ProvisionedStack(template=template, environment=environment)
    for table in template.of_type("AWS::DynamoDB::Table"):
        _create_table(_client("dynamodb", endpoint_url), template, table)
    s3 = _client("s3", endpoint_url)
    for bucket in template.of_type("AWS::S3::Bucket"):
        lifecycle = _create_bucket(s3, template, bucket)
        if lifecycle is not None:
            stack.lifecycle[bucket.name] = lifecycle
    role_arn = _execution_role(_client("iam", endpoint_url))
    lam = _client("lambda", endpoint_url)
    events = _client("events", endpoint_url)
    for function in template.of_type("AWS::Serverless::Function"):
        _create_function(lam, template, function, role_arn, runtime)
        stack.functions[function.logical_id] = function.name
        stack.schedules.extend(_create_schedules(events, template, function))
    sfn = _client("stepfunctions", endpoint_url)
    for machine in template.of_type("AWS::Serverless::StateMachine"):
        stack.state_machines[machine.logical_id] = _create_state_machine(sfn, template, machine, role_arn)
    return stack


def _merged_environment(template: Template) -> dict[str, str]:
    """The union of every function's environment.

    Handlers run in one process locally, so they share os.environ; a variable that two
    functions set differently would make the local stack lie, so that is refused.
    """
    merged: dict[str, str] = {}
    for function in template.of_type("AWS::Serverless::Function"):
        for key, value in template.function_environment(function).items():
            if key in merged and merged[key] != value:
                raise ValueError(f"functions disagree on {key}: {merged[key]!r} vs {value!r}")
            merged[key] = value
    return merged


def _create_table(ddb: Any, template: Template, table: ResolvedResource) -> None:
    props = template.resolve(table.properties)
    kwargs: dict[str, Any] = {
        "TableName": table.name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    ddb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=table.name, TimeToLiveSpecification={
            "AttributeName": ttl["AttributeName"], "Enabled": bool(ttl["Enabled"])})


def _create_bucket(s3: Any, template: Template, bucket: ResolvedResource) -> LifecycleConfiguration | None:
    props = template.resolve(bucket.properties)
    s3.create_bucket(
        Bucket=bucket.name,
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=bool(props.get("ObjectLockEnabled")),
    )
    if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=bucket.name, VersioningConfiguration={"Status": "Enabled"})
    lock = props.get("ObjectLockConfiguration")
    if lock:
        retention = dict(lock["Rule"]["DefaultRetention"])
        for unit in ("Days", "Years"):
            if unit in retention:
                retention[unit] = int(retention[unit])
        s3.put_object_lock_configuration(
            Bucket=bucket.name,
            ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}},
        )
    if props.get("PublicAccessBlockConfiguration"):
        s3.put_public_access_block(
            Bucket=bucket.name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    # moto keeps the rules (dropping size filters) and never runs them; the local stack's
    # lifecycle runner runs these very rules.
    lifecycle = configuration_from_template(props)
    if lifecycle is not None:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket.name, **lifecycle.put_arguments())
    return lifecycle


def _execution_role(iam: Any) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}, "Action": "sts:AssumeRole"}],
    }
    return iam.create_role(RoleName="ezd-local-execution", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _placeholder_zip() -> bytes:
    # The code is run in-process from CodeUri; Lambda's API still wants a package.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "code runs in-process from the template's CodeUri")
    return buffer.getvalue()


def _create_function(
    lam: Any, template: Template, function: ResolvedResource, role_arn: str, runtime: InProcessLambdas
) -> None:
    glob = template.globals_for_functions()
    props = function.properties
    handler = props.get("Handler", glob.get("Handler"))
    timeout = int(template.resolve(props.get("Timeout", glob.get("Timeout", 60))))
    memory = int(template.resolve(props.get("MemorySize", glob.get("MemorySize", 512))))
    lam.create_function(
        FunctionName=function.name,
        Runtime=props.get("Runtime", glob.get("Runtime", "python3.12")),
        Role=role_arn,
        Handler=handler,
        Code={"ZipFile": _placeholder_zip()},
        Timeout=timeout,
        MemorySize=memory,
        Environment={"Variables": template.function_environment(function)},
    )
    runtime.register(
        FunctionSpec(
            name=function.name,
            arn=function.arn,
            code_dir=template.code_dir(function),
            handler=handler,
            memory_mb=memory,
            timeout_s=timeout,
        )
    )


def _create_schedules(events: Any, template: Template, function: ResolvedResource) -> list[Schedule]:
    schedules = []
    for event_id, event in (function.properties.get("Events") or {}).items():
        if event.get("Type") != "Schedule":
            continue
        props = template.resolve(event["Properties"])
        name = props.get("Name") or f"{function.name}-{event_id}"
        events.put_rule(Name=name, ScheduleExpression=props["Schedule"], State="ENABLED")
        events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": function.arn, "Input": props.get("Input", "{}")}])
        schedules.append(Schedule(name=name, expression=props["Schedule"], function_name=function.name, input=props.get("Input", "{}")))
    return schedules


def _create_state_machine(sfn: Any, template: Template, machine: ResolvedResource, role_arn: str) -> str:
    props = machine.properties
    definition = (template.base_dir / props["DefinitionUri"]).read_text(encoding="utf-8")
    substitutions = template.resolve(props.get("DefinitionSubstitutions") or {})
    for key, value in substitutions.items():
        definition = definition.replace("${" + key + "}", str(value))
    json.loads(definition)  # a substitution must never break the JSON
    # EXPRESS or STANDARD as in the template: moto's interpreter runs both the same way;
    # what differs in AWS (no history of Express executions in the service, at-least-once
    # starts) the code does not rely on (docs/architecture.md, "The workflow pattern").
    kind = str(props.get("Type") or "STANDARD").upper()
    return sfn.create_state_machine(name=machine.name, definition=definition, roleArn=role_arn,
                                    type=kind)["stateMachineArn"]


def repository_root() -> Path:
    return Path(__file__).resolve().parents[3]
