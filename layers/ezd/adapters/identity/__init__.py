"""Who may log in, and with what: the identity provider behind the directory.

Two implementations of one interface, chosen by stage (:func:`provider`):

- ``cognito.CognitoIdentities`` (every deployed stage): the template's user pool. The
  login is the Cognito username; the unit is the admin-only attribute ``custom:unit``
  (which the API checks against the directory at every request); the roles are the
  pool's groups (one per role, named as the role); a new user gets a temporary password
  (``FORCE_CHANGE_PASSWORD``: the hosted login makes them choose their own).
- ``local.LocalIdentities`` (the local stage): the credential items of the local user
  store (services/passwords.py logs in against them).

The directory stays the source of a user's unit, roles, komórka and activity for every
authorization: the provider only decides who may log in. The service writes the
provider first and the directory after it, and undoes the provider's change when the
directory write fails, so the directory is never ahead of what the provider allows.
"""

from __future__ import annotations

from typing import Protocol

from ezd.config import Settings
from ezd.errors import EzdError
from ezd.models.directory import Role, User


class IdentityExists(EzdError):
    code = "USER_EXISTS"


class IdentityProviderFailed(EzdError):
    """The identity provider refused or failed; nothing was changed in the directory."""

    code = "IDENTITY_PROVIDER_FAILED"


class Identities(Protocol):
    def create(self, user: User, temporary_password: str) -> None:
        """A new identity that must change ``temporary_password`` at the first login.
        IdentityExists if the login is taken."""

    def delete(self, login: str) -> None:
        """Removes an identity (only to undo a ``create`` the directory did not follow)."""

    def disable(self, login: str) -> None:
        """No new login; sessions of the provider end."""

    def enable(self, login: str) -> None: ...

    def set_roles(self, login: str, before: list[Role], after: list[Role]) -> None: ...

    def set_temporary_password(self, login: str, password: str) -> None:
        """The old password stops working; the user must change this one at the next login."""


def provider(settings: Settings) -> Identities:
    """The local store in the local stage, the user pool everywhere else."""
    if settings.stage == "local":
        from ezd.adapters.identity.local import LocalIdentities

        return LocalIdentities()
    if not settings.user_pool_id:
        raise IdentityProviderFailed("EZD_USER_POOL_ID is not set: no user pool to manage")
    from ezd.adapters.identity.cognito import CognitoIdentities

    return CognitoIdentities(settings.user_pool_id)
