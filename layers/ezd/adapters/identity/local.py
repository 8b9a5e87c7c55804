"""The local stage's identities: the credential items of the local user store."""

from __future__ import annotations

from ezd import clock
from ezd.adapters import credential_store
from ezd.adapters.identity import IdentityExists, IdentityProviderFailed
from ezd.models.credentials import Credential
from ezd.models.directory import Role, User
from ezd.password_hash import hash_password


class LocalIdentities:
    def create(self, user: User, temporary_password: str) -> None:
        credential = Credential(login=user.login, password=hash_password(temporary_password),
                                changed_at=clock.now_utc(), must_change=True)
        try:
            credential_store.create(credential)
        except credential_store.CredentialExists as exc:
            raise IdentityExists(f"the login {user.login} is taken") from exc

    def delete(self, login: str) -> None:
        credential_store.delete(login)

    def _update(self, login: str, **changes: object) -> None:
        credential = credential_store.get(login)
        if credential is None:
            raise IdentityProviderFailed(f"{login} has no local credential")
        credential_store.put(credential.model_copy(update=changes))

    def disable(self, login: str) -> None:
        self._update(login, disabled=True)

    def enable(self, login: str) -> None:
        self._update(login, disabled=False)

    def set_roles(self, login: str, before: list[Role], after: list[Role]) -> None:
        """Nothing to do: locally the directory alone holds the roles."""

    def set_temporary_password(self, login: str, password: str) -> None:
        # A reset also lifts a lock-out: the administrator has just spoken to the user.
        credential = credential_store.get(login)
        changes = {"password": hash_password(password), "changed_at": clock.now_utc(), "must_change": True,
                   "failed_attempts": 0, "locked_until": None}
        if credential is None:  # a user whose addition was interrupted before the credential
            credential_store.put(Credential(login=login, **changes))  # type: ignore[arg-type]
        else:
            credential_store.put(credential.model_copy(update=changes))
