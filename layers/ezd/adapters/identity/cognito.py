"""The user pool's identities (boto3 ``cognito-idp``, admin API).

Roles are the pool's groups (``infra/template.yaml``: one group per role), the unit the
admin-only ``custom:unit`` attribute, the full name Cognito's ``name``. A new user gets
the temporary password the service chose (``MessageAction=SUPPRESS``: the unit
administrator hands it over, as locally); Cognito keeps them in ``FORCE_CHANGE_PASSWORD``
until they choose their own at the hosted login. Disabling also signs the user out
everywhere (their refresh tokens are revoked; an ID token still valid is refused by
the API, which reads the directory at every request).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ezd.adapters.aws import client
from ezd.adapters.identity import IdentityExists, IdentityProviderFailed
from ezd.models.directory import Role, User


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class CognitoIdentities:
    def __init__(self, user_pool_id: str, cognito: Any | None = None) -> None:
        self.pool = user_pool_id
        self._client = cognito

    @property
    def cognito(self) -> Any:
        return self._client or client("cognito-idp")

    def _call(self, operation: str, **params: Any) -> Any:
        try:
            return getattr(self.cognito, operation)(UserPoolId=self.pool, **params)
        except ClientError as exc:
            if _code(exc) == "UsernameExistsException":
                raise IdentityExists(f"the login {params.get('Username')} is taken") from exc
            raise IdentityProviderFailed(f"Cognito {operation}: {_code(exc) or exc}") from exc

    def create(self, user: User, temporary_password: str) -> None:
        attributes = [{"Name": "custom:unit", "Value": user.unit}, {"Name": "name", "Value": user.full_name}]
        if user.email:
            attributes += [{"Name": "email", "Value": user.email}, {"Name": "email_verified", "Value": "true"}]
        self._call("admin_create_user", Username=user.login, UserAttributes=attributes,
                   TemporaryPassword=temporary_password, MessageAction="SUPPRESS")
        try:
            for role in user.roles:
                self._call("admin_add_user_to_group", Username=user.login, GroupName=role)
        except IdentityProviderFailed:
            self.delete(user.login)  # no identity with half its roles
            raise

    def delete(self, login: str) -> None:
        try:
            self.cognito.admin_delete_user(UserPoolId=self.pool, Username=login)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise IdentityProviderFailed(f"Cognito admin_delete_user: {_code(exc) or exc}") from exc

    def disable(self, login: str) -> None:
        self._call("admin_user_global_sign_out", Username=login)
        self._call("admin_disable_user", Username=login)

    def enable(self, login: str) -> None:
        self._call("admin_enable_user", Username=login)

    def set_roles(self, login: str, before: list[Role], after: list[Role]) -> None:
        added = [r for r in after if r not in before]
        removed = [r for r in before if r not in after]
        done: list[tuple[str, Role]] = []
        try:
            for role in added:
                self._call("admin_add_user_to_group", Username=login, GroupName=role)
                done.append(("admin_remove_user_from_group", role))
            for role in removed:
                self._call("admin_remove_user_from_group", Username=login, GroupName=role)
                done.append(("admin_add_user_to_group", role))
        except IdentityProviderFailed:
            for undo, role in reversed(done):  # back to ``before``, as far as Cognito lets us
                try:
                    self._call(undo, Username=login, GroupName=role)
                except IdentityProviderFailed:
                    pass
            raise

    def set_temporary_password(self, login: str, password: str) -> None:
        self._call("admin_set_user_password", Username=login, Password=password, Permanent=False)
        self._call("admin_user_global_sign_out", Username=login)
