"""The local stack in Cognito login mode: the portal logs in as it does in AWS.

Started on a running :class:`~ezd.local.stack.LocalStack` (the browser tests do it with a
fixture; ``make run`` never does), it
- creates the template's ``UserPool`` (schema, password policy), its groups and the
  ``PortalUserPoolClient`` (the portal's public code-flow client, returning to the local
  portal) in the stack's moto;
- starts the hosted-login simulator (ezd/local/hosted_login.py) as the pool's domain;
- puts the emulated Cognito authorizer (ezd/local/cognito_authorizer.py) in front of the
  API, with the routes the template leaves open;
- runs the API as a deployed stage does: ``EZD_STAGE`` is not ``local`` (so the API reads
  only the authorizer's claims and refuses local tokens), the pool is the unit
  administrators' identity store, and GET /auth/config names the hosted login;
- lets the portal's page fetch the hosted login's token endpoint (its CSP).
``stop()`` puts everything back as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ezd.local.cognito_authorizer import GatewayAuthorizer, IdTokenVerifier, public_routes
from ezd.local.hosted_login import HostedLogin, token_validity
from ezd.local.template import REGION

# What a deployed stage reads (config.py); "dev" is one of the template's stages.
DEPLOYED_STAGE = "dev"
_POOL_KEYS = ("Schema", "UsernameConfiguration", "AdminCreateUserConfig", "AutoVerifiedAttributes")
_CLIENT_KEYS = ("ClientName", "GenerateSecret", "PreventUserExistenceErrors", "ExplicitAuthFlows",
                "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthFlows", "AllowedOAuthScopes",
                "SupportedIdentityProviders", "ReadAttributes", "WriteAttributes", "IdTokenValidity",
                "AccessTokenValidity", "RefreshTokenValidity", "TokenValidityUnits")


@dataclass
class CognitoLogin:
    pool_id: str
    client_id: str
    hosted_login_url: str
    portal_url: str


class CognitoStage:
    def __init__(self, stack: Any, *, id_token_validity_seconds: int | None = None) -> None:
        """``id_token_validity_seconds`` replaces the template's IdTokenValidity (tests make
        it short to see a session expire)."""
        self.stack = stack
        self.id_token_validity_seconds = id_token_validity_seconds
        self.hosted_login: HostedLogin | None = None
        self.authorizer: GatewayAuthorizer | None = None
        self.login: CognitoLogin | None = None
        self._saved_environment: dict[str, str | None] = {}
        self._age_limits: dict[str, int | None] = {}

    @staticmethod
    def cognito() -> Any:
        from ezd.adapters.aws import client

        return client("cognito-idp")

    def _create_pool(self) -> tuple[str, str]:
        template = self.stack.provisioned.template
        pool_spec = template.resolve(template.resources["UserPool"].properties)
        policy = {k: v for k, v in pool_spec["Policies"]["PasswordPolicy"].items() if k != "TemporaryPasswordValidityDays"}
        pool = self.cognito().create_user_pool(
            PoolName=pool_spec["UserPoolName"], Policies={"PasswordPolicy": policy},
            **{k: pool_spec[k] for k in _POOL_KEYS if k in pool_spec})["UserPool"]
        for group in template.of_type("AWS::Cognito::UserPoolGroup"):
            props = template.resolve({k: v for k, v in group.properties.items() if k != "UserPoolId"})
            self.cognito().create_group(UserPoolId=pool["Id"], **props)
        spec = template.resolve({k: v for k, v in template.resources["PortalUserPoolClient"].properties.items()
                                 if k in _CLIENT_KEYS})
        if self.id_token_validity_seconds is not None:
            spec["IdTokenValidity"] = self.id_token_validity_seconds
            spec["TokenValidityUnits"] = dict(spec.get("TokenValidityUnits") or {}, IdToken="seconds")
        portal_url = self.stack.info.portal_url
        client = self.cognito().create_user_pool_client(
            UserPoolId=pool["Id"], CallbackURLs=[portal_url], LogoutURLs=[portal_url], **spec)["UserPoolClient"]
        return pool["Id"], client["ClientId"]

    def _id_token_age_limit(self, client_id: str) -> int | None:
        """The app client's IdTokenValidity, read once at start: API Gateway is not the API
        function, and the function's role has no business describing the pool's clients."""
        return self._age_limits.get(client_id)

    def start(self) -> CognitoLogin:
        from ezd.local.stack import _forget_cached_configuration

        pool_id, client_id = self._create_pool()
        self.hosted_login = HostedLogin(pool_id, self.cognito)
        url = self.hosted_login.start()
        self.login = CognitoLogin(pool_id, client_id, url, self.stack.info.portal_url)
        described = self.cognito().describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        self._age_limits = {client_id: token_validity(described["UserPoolClient"], "IdToken")}
        verifier = IdTokenVerifier(
            issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}", audiences={client_id},
            jwks_url=f"{self.stack.info.moto_url.rstrip('/')}/{pool_id}/.well-known/jwks.json",
            max_age_seconds=self._id_token_age_limit)
        self.authorizer = GatewayAuthorizer(verifier, public_routes(self.stack.provisioned.template))
        environment = {"EZD_STAGE": DEPLOYED_STAGE, "EZD_LOCAL_TOKEN_SECRET_ARN": "", "EZD_USER_POOL_ID": pool_id,
                       "EZD_COGNITO_DOMAIN": url, "EZD_COGNITO_CLIENT_ID": client_id,
                       "EZD_PORTAL_URL": self.stack.info.portal_url}
        self._saved_environment = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        _forget_cached_configuration()
        self.stack.portal_files.allow_login_origin(url)
        self.stack.api_authorizer = self.authorizer
        return self.login

    def stop(self) -> None:
        from ezd.local.stack import _forget_cached_configuration

        self.stack.api_authorizer = None
        self.stack.portal_files.allow_login_origin(None)
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _forget_cached_configuration()
        if self.hosted_login is not None:
            self.hosted_login.stop()
        if self.login is not None:
            self.cognito().delete_user_pool(UserPoolId=self.login.pool_id)
