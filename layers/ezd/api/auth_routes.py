"""Routes of identity: logging in to the local stack, and who the caller is.

In AWS the portal logs in through Cognito's hosted login and this login route refuses:
there is no local password store there. GET /auth/config tells the portal which of the two
it is, at run time: one build of the portal serves every stage.
"""

from __future__ import annotations

from typing import Any, Literal

from chalice import Response
from pydantic import BaseModel, Field

from ezd.adapters.secrets import secret_string
from ezd.api.common import Blueprint, handled, json_body, principal_of
from ezd.api.openapi import responds
from ezd.config import settings
from ezd.errors import NotFound
from ezd.services import auth, passwords, statistics

blueprint = Blueprint(__name__)


class LoginConfig(BaseModel):
    """How the portal logs in here. ``local``: the login form (POST /auth/login).
    ``cognito``: the hosted login's authorization code flow with PKCE for this public app
    client (no secret); ``unavailable``: a deployment without a hosted-login domain."""

    login: Literal["local", "cognito", "unavailable"]
    domain: str | None = None  # https://<prefix>.auth.<region>.amazoncognito.com
    client_id: str | None = None
    redirect_uri: str | None = None  # also the logout_uri


@blueprint.route("/auth/config")
@responds(LoginConfig)
@handled
def login_config() -> dict[str, Any]:
    """How to log in to this stage (public, no token): the local form or Cognito's hosted login."""
    s = settings()
    if s.stage == auth.LOCAL_STAGE:
        return LoginConfig(login="local").model_dump()
    if not (s.cognito_domain and s.cognito_client_id and s.portal_url):
        return LoginConfig(login="unavailable").model_dump()
    return LoginConfig(login="cognito", domain=s.cognito_domain, client_id=s.cognito_client_id,
                       redirect_uri=s.portal_url).model_dump()


class LoginBody(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginAnswer(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_in: int  # seconds
    user: auth.Principal


@blueprint.route("/auth/login", methods=["POST"])
@responds(LoginAnswer)
@handled
def log_in() -> Response:
    """Log in to the local stack with a login and password: a one-hour bearer token."""
    s = settings()
    if s.stage != auth.LOCAL_STAGE or not s.local_token_secret_arn:
        raise NotFound("log in through the Cognito hosted login of this deployment")
    body = LoginBody.model_validate(json_body(blueprint.current_request))
    principal = passwords.log_in(body.login.strip().lower(), body.password)
    token = auth.issue_token(principal.login, secret_string(s.local_token_secret_arn))
    answer = LoginAnswer(token=token, expires_in=auth.TOKEN_LIFETIME_SECONDS, user=principal)
    return Response(body=answer.model_dump(mode="json"), status_code=200)


class PasswordChangeBody(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)  # the current (e.g. temporary) password
    new_password: str = Field(min_length=1, max_length=256)


@blueprint.route("/auth/password", methods=["POST"])
@responds(LoginAnswer)
@handled
def change_password() -> Response:
    """Replace a password (the temporary one of a new user or a reset) with one's own: a one-hour bearer token."""
    s = settings()
    if s.stage != auth.LOCAL_STAGE or not s.local_token_secret_arn:
        raise NotFound("change the password through the Cognito hosted login of this deployment")
    body = PasswordChangeBody.model_validate(json_body(blueprint.current_request))
    principal = passwords.change_password(body.login.strip().lower(), body.password, body.new_password)
    token = auth.issue_token(principal.login, secret_string(s.local_token_secret_arn))
    answer = LoginAnswer(token=token, expires_in=auth.TOKEN_LIFETIME_SECONDS, user=principal)
    return Response(body=answer.model_dump(mode="json"), status_code=200)


class Me(auth.Principal):
    """The caller, and whether they see the statistics of the whole city."""

    sees_city: bool = False


@blueprint.route("/me")
@responds(Me)
@handled
def me() -> dict[str, Any]:
    """Who the caller is: login, name, position, unit, roles and komórka."""
    principal = principal_of(blueprint.current_request)
    return Me(**principal.model_dump(), sees_city=statistics.sees_city(principal)).model_dump()
