"""Routes of identity: logging in to the local stack, and who the caller is.

In AWS the portal logs in through Cognito's hosted login and this login route refuses:
there is no local password store there.
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import BaseModel, Field

from ezd.adapters.secrets import secret_string
from ezd.api.common import Blueprint, handled, json_body, principal_of
from ezd.config import settings
from ezd.errors import NotFound
from ezd.services import auth, passwords

blueprint = Blueprint(__name__)


class LoginBody(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@blueprint.route("/auth/login", methods=["POST"])
@handled
def log_in() -> Response:
    s = settings()
    if s.stage != auth.LOCAL_STAGE or not s.local_token_secret_arn:
        raise NotFound("log in through the Cognito hosted login of this deployment")
    body = LoginBody.model_validate(json_body(blueprint.current_request))
    principal = passwords.log_in(body.login.strip().lower(), body.password)
    token = auth.issue_token(principal.login, secret_string(s.local_token_secret_arn))
    return Response(body={"token": token, "token_type": "Bearer", "expires_in": auth.TOKEN_LIFETIME_SECONDS,
                          "user": principal.model_dump()}, status_code=200)


@blueprint.route("/me")
@handled
def me() -> dict[str, Any]:
    return principal_of(blueprint.current_request).model_dump()
