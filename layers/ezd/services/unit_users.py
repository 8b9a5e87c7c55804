"""The unit administrator's users: list, add, change roles, komórka and position,
deactivate and reactivate, reset a password. Only a ``unit_admin`` of the same unit.

Every change is written in this order, so that no failure leaves the directory (which
authorizes every request) ahead of the identity provider (which lets people log in):

1. the identity provider (adapters/identity: Cognito in AWS, the local store locally);
2. the directory's user item together with its entry of the unit's audit chain
   ``USERS#<unit>``, in one transaction;
3. if step 2 fails, the provider's change is undone before the error is reported.

A crash between 1 and 2 leaves at most a provider change the directory does not know of:
an identity without a profile cannot reach anything (principal_for refuses it), a
disabled one was going to be deactivated anyway, and groups never authorize. Repeating
the action completes it.

Rules: the login is ``<unit>.<name>`` (LOGIN_INVALID), free city-wide (USER_EXISTS);
the komórka is one of the unit's (CELL_UNKNOWN); roles are one or more; the unit always
keeps an active administrator (LAST_ADMIN), and an administrator neither deactivates
themselves nor drops their own ``unit_admin`` role (SELF_LOCKOUT): another administrator
of the unit does that.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ezd.adapters import directory_store
from ezd.adapters.audit_store import AlongsideConditionFailed
from ezd.adapters.identity import Identities, IdentityExists, provider
from ezd.config import settings
from ezd.errors import EzdError, NotFound, ValidationFailed
from ezd.models.audit import Actor, AuditAction, AuditEntry
from ezd.models.directory import User
from ezd.models.unit_users import (LOGIN_NAME_MAX, CellOption, NAME_PART, NewUser, PasswordResetBody, UserChange, UserList,
                                   UserView, UserWithPassword)
from ezd.password_hash import policy_problem, temporary_password
from ezd.services import audit
from ezd.services.auth import Principal

ADMIN = "unit_admin"


class LoginInvalid(EzdError):
    code = "LOGIN_INVALID"


class UserExists(EzdError):
    code = "USER_EXISTS"


class CellUnknown(EzdError):
    code = "CELL_UNKNOWN"


class LastAdmin(EzdError):
    code = "LAST_ADMIN"


class SelfLockout(EzdError):
    code = "SELF_LOCKOUT"


class AdministratorsChanged(EzdError):
    code = "CONFLICT"


def identities() -> Identities:
    return provider(settings())


def _actor(principal: Principal) -> Actor:
    return Actor(login=principal.login, full_name=principal.full_name, position=principal.position)


def _admin(principal: Principal, unit: str) -> None:
    principal.require_role(unit, ADMIN)


def normalized_login(unit: str, login: str) -> str:
    """``login`` in its stored form, or LoginInvalid saying what the rule is."""
    candidate = login.strip().lower()
    prefix = f"{unit.lower()}."
    if not candidate.startswith(prefix):
        raise LoginInvalid(f"a login of unit {unit} starts with '{prefix}' (e.g. {prefix}nowak)")
    name = candidate[len(prefix):]
    if not re.fullmatch(NAME_PART, name) or len(name) > LOGIN_NAME_MAX:
        raise LoginInvalid(f"after '{prefix}' a login has 1 to {LOGIN_NAME_MAX} letters a-z (no diacritics), "
                           "digits and single hyphens, starting with a letter (e.g. "
                           f"{prefix}kowalska-nowak)")
    return candidate


def _check_cell(unit: str, cell: str) -> None:
    if directory_store.get_cell(unit, cell) is None:
        known = ", ".join(c.symbol for c in directory_store.list_cells(unit))
        raise CellUnknown(f"{cell} is not a komórka of {unit} (its komórki: {known})")


def _member(unit: str, login: str) -> User:
    user = directory_store.get_user(login.strip().lower())
    if user is None or user.unit != unit:
        raise NotFound(f"no user {login} in unit {unit}")
    return user


def _keeps_an_admin(principal: Principal, before: User, after: User) -> list[Any]:
    """LAST_ADMIN if the unit would have no active administrator after the change;
    SELF_LOCKOUT if the caller takes away their own administration. A change that takes
    an administrator away also moves the unit's administrator counter (returned, for the
    change's transaction), so two such changes at once cannot both pass this check."""
    loses = before.active and ADMIN in before.roles and not (after.active and ADMIN in after.roles)
    if not loses:
        return []
    seen = directory_store.admin_set_version(before.unit)  # first: what changes after it fails our write
    candidates = [u for u in directory_store.list_users(before.unit)
                  if u.login != before.login and u.active and ADMIN in u.roles]
    # The index may lag; the items themselves, read consistently, decide.
    others = [u for u in candidates
              if (fresh := directory_store.get_user(u.login, consistent=True)) and fresh.active and ADMIN in fresh.roles]
    if not others:
        raise LastAdmin(f"{before.login} is the last active administrator of {before.unit}")
    if before.login == principal.login:
        raise SelfLockout("an administrator does not deactivate themselves or drop their own unit_admin role; "
                          "another administrator of the unit does that")
    return [directory_store.admin_set_write(before.unit, seen)]


def _store(principal: Principal, user: User, action: AuditAction, summary: str, details: dict[str, Any],
           *, new: bool, undo: Callable[[], None], guards: list[Any] | None = None) -> AuditEntry:
    """Step 2 (the directory and its audit entry together), with step 3 on failure."""
    try:
        return audit.record(audit.users_object(user.unit), _actor(principal), action, summary=summary,
                            details=details, alongside=[directory_store.user_write(user, new=new), *(guards or [])])
    except AlongsideConditionFailed as exc:
        undo()
        if exc.args[0] > 0:
            raise AdministratorsChanged("the unit's administrators changed at the same moment: "
                                        "nothing was changed, try again") from exc
        if new:
            raise UserExists(f"the login {user.login} is taken") from exc
        raise NotFound(f"no user {user.login} in unit {user.unit}") from exc
    except BaseException:
        undo()
        raise


def list_users(principal: Principal, unit: str) -> UserList:
    _admin(principal, unit)
    users = sorted(directory_store.list_users(unit), key=lambda u: u.login)
    cells = sorted(directory_store.list_cells(unit), key=lambda c: c.symbol)
    return UserList(unit=unit, count=len(users), users=[UserView.of(u) for u in users],
                    cells=[CellOption(symbol=c.symbol, name=c.name) for c in cells])


def add_user(principal: Principal, unit: str, new: NewUser) -> UserWithPassword:
    _admin(principal, unit)
    login = normalized_login(unit, new.login)
    _check_cell(unit, new.cell)
    if directory_store.get_user(login) is not None:
        raise UserExists(f"the login {login} is taken")
    user = User(login=login, full_name=new.full_name, position=new.position, unit=unit, roles=new.roles,
                cell=new.cell, email=new.email)
    password = temporary_password()
    ids = identities()
    try:
        ids.create(user, password)
    except IdentityExists as exc:
        raise UserExists(exc.message) from exc
    _store(principal, user, AuditAction.USER_ADDED, f"Dodanie użytkownika {login} ({user.full_name})",
           {"login": login, "roles": user.roles, "cell": user.cell, "position": user.position},
           new=True, undo=lambda: ids.delete(login))
    return UserWithPassword(user=UserView.of(user), temporary_password=password)


def change_user(principal: Principal, unit: str, login: str, change: UserChange) -> UserView:
    _admin(principal, unit)
    before = _member(unit, login)
    updates = change.model_dump(exclude_none=True)
    if not updates:
        raise ValidationFailed("nothing to change: give roles, cell or position")
    if "cell" in updates:
        _check_cell(unit, updates["cell"])
    after = before.model_copy(update=updates)
    guards = _keeps_an_admin(principal, before, after)
    changed = {k: {"before": getattr(before, k), "after": v} for k, v in updates.items() if getattr(before, k) != v}
    if not changed:
        return UserView.of(before)
    ids = identities()
    if "roles" in changed:
        ids.set_roles(before.login, before.roles, after.roles)
    _store(principal, after, AuditAction.USER_CHANGED, f"Zmiana użytkownika {before.login}: {', '.join(changed)}",
           {"login": before.login, "changes": changed}, new=False, guards=guards,
           undo=lambda: ids.set_roles(before.login, after.roles, before.roles) if "roles" in changed else None)
    return UserView.of(after)


def deactivate(principal: Principal, unit: str, login: str) -> UserView:
    _admin(principal, unit)
    before = _member(unit, login)
    if before.login == principal.login:
        raise SelfLockout("an administrator does not deactivate themselves; another administrator of the unit does")
    if not before.active:
        return UserView.of(before)
    after = before.model_copy(update={"active": False})
    guards = _keeps_an_admin(principal, before, after)
    ids = identities()
    ids.disable(before.login)
    _store(principal, after, AuditAction.USER_DEACTIVATED, f"Dezaktywacja użytkownika {before.login}",
           {"login": before.login}, new=False, guards=guards, undo=lambda: ids.enable(before.login))
    return UserView.of(after)


def reactivate(principal: Principal, unit: str, login: str) -> UserView:
    _admin(principal, unit)
    before = _member(unit, login)
    if before.active:
        return UserView.of(before)
    after = before.model_copy(update={"active": True})
    ids = identities()
    ids.enable(before.login)
    _store(principal, after, AuditAction.USER_REACTIVATED, f"Ponowna aktywacja użytkownika {before.login}",
           {"login": before.login}, new=False, undo=lambda: ids.disable(before.login))
    return UserView.of(after)


def reset_password(principal: Principal, unit: str, login: str, body: PasswordResetBody) -> UserWithPassword:
    """A temporary password (the administrator's or a generated one), shown once; the old
    password stops working and the user must choose a new one at the next login."""
    _admin(principal, unit)
    user = _member(unit, login)
    password = body.temporary_password or temporary_password()
    problem = policy_problem(password)
    if problem:
        raise ValidationFailed(f"temporary_password: {problem}")
    identities().set_temporary_password(user.login, password)
    audit.record(audit.users_object(unit), _actor(principal), AuditAction.PASSWORD_RESET,
                 summary=f"Reset hasła użytkownika {user.login}",
                 details={"login": user.login, "chosen_by": "administrator" if body.temporary_password else "system"})
    return UserWithPassword(user=UserView.of(user), temporary_password=password)


def history(principal: Principal, unit: str) -> list[AuditEntry]:
    """The unit's audit chain of user administration, oldest first."""
    _admin(principal, unit)
    return audit.entries(audit.users_object(unit))
