"""What IAM authorizes for a request to AWS: its actions and the resources they act on.

moto checks IAM only for a few services and without the resources of DynamoDB, Step
Functions, Lambda or Secrets Manager, so the local stack maps each request its functions
make to the (action, resource ARN) pairs AWS would authorize, the way the Service
Authorization Reference describes them:

- DynamoDB: the operation on the table (and `/index/<name>` for an index query); a
  transaction needs the action of each of its items on that item's table;
- S3: GetObject (HEAD too), GetObjectVersion with a versionId, PutObject, and
  PutObjectRetention / PutObjectLegalHold when a put sets a lock; ListBucket on the bucket;
- Step Functions, Lambda, Secrets Manager: the operation on the state machine, execution,
  function or secret named in the request;
- Cognito (the user pool's admin API, in deployed stages only): the operation on the pool.

A request that cannot be mapped is denied: a permission nobody has thought about must
not pass unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from ezd.local.template import ACCOUNT_ID, REGION

UNMAPPED = "unmapped"


@dataclass(frozen=True)
class Permission:
    action: str
    resource: str


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _table(name: str) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"


_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem"}


def _dynamodb(operation: str, body: dict[str, Any]) -> list[Permission]:
    if operation == "TransactWriteItems":
        return [Permission(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table(op["TableName"]))
                for item in body.get("TransactItems", []) for kind, op in item.items()]
    if operation == "TransactGetItems":
        return [Permission("dynamodb:GetItem", _table(item["Get"]["TableName"])) for item in body.get("TransactItems", [])]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [Permission(f"dynamodb:{operation}", _table(name)) for name in body.get("RequestItems", {})]
    table = _table(body.get("TableName", "?"))
    if body.get("IndexName"):
        table = f"{table}/index/{body['IndexName']}"
    return [Permission(f"dynamodb:{operation}", table)]


def _s3(method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> list[Permission]:
    parts = unquote(path).lstrip("/").split("/", 1)
    bucket, key = parts[0], (parts[1] if len(parts) > 1 else "")
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if not key:
        if method == "GET" and ("list-type" in query or not query):
            return [Permission("s3:ListBucket", bucket_arn)]
        return [Permission(UNMAPPED, bucket_arn)]
    object_arn = f"{bucket_arn}/{key}"
    if method in ("GET", "HEAD"):
        if "retention" in query:
            return [Permission("s3:GetObjectRetention", object_arn)]
        if "legal-hold" in query:
            return [Permission("s3:GetObjectLegalHold", object_arn)]
        return [Permission("s3:GetObjectVersion" if "versionId" in query else "s3:GetObject", object_arn)]
    if method == "PUT":
        if "retention" in query:
            return [Permission("s3:PutObjectRetention", object_arn)]
        if "legal-hold" in query:
            return [Permission("s3:PutObjectLegalHold", object_arn)]
        if "tagging" in query:
            return [Permission("s3:PutObjectTagging", object_arn)]
        needed = [Permission("s3:PutObject", object_arn)]
        lower = {k.lower(): v for k, v in headers.items()}
        if "x-amz-object-lock-mode" in lower or "x-amz-object-lock-retain-until-date" in lower:
            needed.append(Permission("s3:PutObjectRetention", object_arn))
        if "x-amz-object-lock-legal-hold" in lower:
            needed.append(Permission("s3:PutObjectLegalHold", object_arn))
        source = lower.get("x-amz-copy-source")
        if source:
            needed.append(Permission("s3:GetObject", f"arn:aws:s3:::{unquote(source).lstrip('/').split('?')[0]}"))
        return needed
    if method == "DELETE":
        return [Permission("s3:DeleteObjectVersion" if "versionId" in query else "s3:DeleteObject", object_arn)]
    return [Permission(UNMAPPED, object_arn)]


def _states(operation: str, body: dict[str, Any]) -> list[Permission]:
    if operation in ("StartExecution", "StartSyncExecution", "DescribeStateMachine", "ListExecutions"):
        return [Permission(f"states:{operation}", body.get("stateMachineArn", "?"))]
    if operation in ("DescribeExecution", "GetExecutionHistory", "StopExecution"):
        return [Permission(f"states:{operation}", body.get("executionArn", "?"))]
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        # A task token does not name its state machine; a callback is granted on the
        # state machines whose tasks the function answers, so any of them will do.
        return [Permission(f"states:{operation}", f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:*")]
    return [Permission(UNMAPPED, f"states:{operation}")]


def permissions_for(method: str, path: str, query_string: str, headers: dict[str, str], body: bytes) -> list[Permission]:
    """The (action, resource) pairs a request needs, or one UNMAPPED pair."""
    target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
    if target.startswith("DynamoDB_"):
        return _dynamodb(target.split(".", 1)[1], _json(body))
    if target.startswith("AWSStepFunctions."):
        return _states(target.split(".", 1)[1], _json(body))
    if target.startswith("AWSCognitoIdentityProviderService."):
        # The admin API acts on the user pool named in the body.
        pool = str(_json(body).get("UserPoolId", "?"))
        return [Permission(f"cognito-idp:{target.split('.', 1)[1]}",
                           f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{pool}")]
    if target.startswith("secretsmanager."):
        operation = target.split(".", 1)[1]
        return [Permission(f"secretsmanager:{operation}", str(_json(body).get("SecretId", "?")))]
    if path.startswith("/2015-03-31/functions/"):
        name = unquote(path.split("/")[3])
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
        if path.endswith("/invocations"):
            return [Permission("lambda:InvokeFunction", arn)]
        return [Permission(UNMAPPED, arn)]
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if "/s3/aws4_request" in authorization or not target:
        return _s3(method, path, parse_qs(query_string, keep_blank_values=True), headers)
    return [Permission(UNMAPPED, target)]
