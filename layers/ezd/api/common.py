"""What every route of the portal API shares: who is calling, error mapping, parameters.

Routes live in Chalice blueprints (one module per capability) registered by
functions/api/app.py; each route is thin: parse, check access, call one service.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, Callable

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import ValidationError

from ezd.adapters.archive import content_disposition
from ezd.adapters.secrets import secret_string
from ezd.config import settings
from ezd.errors import EzdError, IntakeRejected, ValidationFailed
from ezd.services import auth

HTTP_STATUS = {
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "UNAUTHENTICATED": 401,
    "VALIDATION_FAILED": 400,
    "CONFLICT": 409,
    "ACCOUNT_LOCKED": 429,
    "RECEIVED_AT_NEEDS_CONFIRMATION": 400,
    "UPLOAD_MISSING": 409,
    "QUOTA_EXCEEDED": 429,
    "LOGIN_INVALID": 400,
    "CELL_UNKNOWN": 400,
    "USER_EXISTS": 409,
    "LAST_ADMIN": 409,
    "SELF_LOCKOUT": 409,
    "PASSWORD_CHANGE_REQUIRED": 403,
    "IDENTITY_PROVIDER_FAILED": 502,
    "EDORECZENIA_CALLBACK_KEY_INVALID": 401,
}


MAX_MESSAGE = 500


def error_response(code: str, message: str, status: int) -> Response:
    # Short, and never the request: an error answer must not grow with what was sent.
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return Response(body={"error_code": code, "message": message}, status_code=status)


def validation_message(exc: ValidationError, limit: int = 5) -> str:
    """Where and what, field by field ("metadata.sender.town: Field required"), without
    the offending input (pydantic's own rendering repeats the value, however big)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = [f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}" for error in errors[:limit]]
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


def handled(route: Callable[..., Any]) -> Callable[..., Any]:
    """Maps the services' errors to HTTP answers with stable codes."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return route(*args, **kwargs)
        except EzdError as exc:
            status = HTTP_STATUS.get(exc.code, 400 if isinstance(exc, (IntakeRejected, ValidationFailed)) else 409)
            return error_response(exc.code, exc.message, status)
        except ValidationError as exc:
            return error_response("VALIDATION_FAILED", validation_message(exc), 400)

    return wrapper


def principal_of(request: Request) -> auth.Principal:
    """The caller. Outside the local stage only API Gateway's Cognito authorizer
    vouches for anyone; its verified claims are the only credential read."""
    context = (request.context or {}).get("authorizer") or {}
    claims = context.get("claims") or {}
    s = settings()
    if s.stage != auth.LOCAL_STAGE:
        if not claims.get("cognito:username"):
            raise auth.Unauthenticated("no verified identity (the Cognito authorizer must be in front of the API)")
        return auth.principal_for(claims["cognito:username"], claims.get("custom:unit"))
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise auth.Unauthenticated("missing bearer token")
    if not s.local_token_secret_arn:
        raise auth.Unauthenticated("local tokens are not enabled")
    key = secret_string(s.local_token_secret_arn)
    return auth.principal_for(auth.verify_token(header[7:].strip(), key))


def principal_in(request: Request, unit: str) -> auth.Principal:
    """The caller, who must belong to ``unit``: a school never sees another's data."""
    principal = principal_of(request)
    principal.require_unit(unit)
    return principal


def query(request: Request) -> dict[str, str]:
    return request.query_params or {}


def json_body(request: Request) -> dict[str, Any]:
    try:
        body = request.json_body
    except Exception as exc:  # noqa: BLE001 - Chalice raises its own BadRequestError
        raise ValidationFailed("the body is not valid JSON") from exc
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object")
    return body


def date_param(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from exc


def int_param(value: str | None, name: str, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be a number") from exc


def csv_response(body: str, filename: str) -> Response:
    return Response(
        body=body,
        # The name is made of what the caller asked for (a komórka, a class): not ASCII, it
        # cannot go in a header as it is (the server dropped the connection).
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": content_disposition(filename)},
        status_code=200,
    )


__all__ = [
    "Blueprint",
    "Response",
    "csv_response",
    "date_param",
    "error_response",
    "handled",
    "int_param",
    "json_body",
    "principal_in",
    "principal_of",
    "query",
]
