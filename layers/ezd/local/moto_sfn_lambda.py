"""The Step Functions interpreter's Lambda tasks, invoked in-process instead of over HTTP.

moto's interpreter invokes a task's function with a boto3 client against the moto server:
the request is serialised, signed, sent, parsed by werkzeug, Flask and moto's Lambda
responses, handed to moto's Lambda backend — which the local stack routes to the
function in this same process (``lambda_runtime``) — and the answer goes all the way
back. That was six round trips a letter, with the letter's summary in each payload.

``DirectLambdaClient`` makes the same call on moto's Lambda backend directly: the
function must exist there (as in Lambda: ``ResourceNotFoundException`` otherwise), the
payload is the same bytes, the answer is what boto3 would return (``StatusCode``,
``Payload`` as a stream, ``FunctionError`` when the handler raised, ``ExecutedVersion``),
and the handler runs on the interpreter's thread as before. Nothing is lost that the
request carried: it was not tagged with a function's role (the state machine invokes,
not a function), the server never held its lock for an invocation (the function calls
back into moto), and invocations change no state that the journal keeps. Any other call,
or an invocation not of the simple request-response kind, goes to the boto3 client.
"""

from __future__ import annotations

import io
from typing import Any

_SIMPLE = frozenset({"FunctionName", "Payload", "InvocationType", "Qualifier", "LogType"})


class DirectLambdaClient:
    """A boto3 Lambda client whose ``invoke`` calls moto's backend in this process."""

    def __init__(self, client: Any, region: str) -> None:
        self._client = client
        self._region = region

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def invoke(self, **parameters: Any) -> dict[str, Any]:
        if set(parameters) - _SIMPLE or parameters.get("InvocationType", "RequestResponse") != "RequestResponse" \
                or parameters.get("LogType", "None") != "None":
            return self._client.invoke(**parameters)
        from moto.awslambda.utils import get_backend
        from moto.core import DEFAULT_ACCOUNT_ID

        account, region, name, qualifier = _function_of(parameters["FunctionName"], DEFAULT_ACCOUNT_ID, self._region)
        qualifier = parameters.get("Qualifier") or qualifier
        payload = parameters.get("Payload") or b"{}"
        body = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        headers: dict[str, str] = {}
        answer = get_backend(account, region).invoke(name, qualifier, body, {}, headers)
        response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST",
                                    "Payload": io.BytesIO(answer if isinstance(answer, bytes) else answer.encode())}
        if "x-amz-function-error" in headers:
            response["FunctionError"] = headers["x-amz-function-error"]
        return response


def _function_of(name: str, account: str, region: str) -> tuple[str, str, str, str | None]:
    """(account, region, function name, qualifier) of a name, partial or full ARN."""
    if name.startswith("arn:"):
        parts = name.split(":")
        return parts[4], parts[3], parts[6], parts[7] if len(parts) > 7 else None
    if ":" in name:  # "123456789012:function:name" or "name:qualifier"
        parts = name.split(":")
        if len(parts) >= 3 and parts[1] == "function":
            return parts[0], region, parts[2], parts[3] if len(parts) > 3 else None
        return account, region, parts[0], parts[1]
    return account, region, name, None
