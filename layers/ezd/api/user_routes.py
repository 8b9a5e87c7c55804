"""The unit administrator's users and roles (services/unit_users.py).

    GET  /units/{unit}/users                          the unit's users, roles, komórki, active or not
    POST /units/{unit}/users                          {login, full_name, position, cell, roles, email}
                                                      -> the user and a temporary password, once (201)
    PATCH /units/{unit}/users/{login}                 {roles?, cell?, position?}
    POST /units/{unit}/users/{login}/deactivate       no more logins, no more requests with a token
    POST /units/{unit}/users/{login}/reactivate
    POST /units/{unit}/users/{login}/password-reset   {temporary_password?} -> the temporary password, once
    GET  /units/{unit}/user-history                   who added, changed, deactivated whom (audit chain)

Only a ``unit_admin`` of the unit; everyone else gets 403.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ezd.api.common import Blueprint, Response, handled, json_body, principal_in
from ezd.api.openapi import responds
from ezd.models.audit import AuditEntry
from ezd.models.unit_users import NewUser, PasswordResetBody, UserChange, UserList, UserView, UserWithPassword
from ezd.services import unit_users

blueprint = Blueprint(__name__)


class UserHistory(BaseModel):
    unit: str
    count: int
    entries: list[AuditEntry]


def _caller(unit: str) -> Any:
    return principal_in(blueprint.current_request, unit)


@blueprint.route("/units/{unit}/users", methods=["GET"])
@responds(UserList)
@handled
def list_users(unit: str) -> Any:
    """The unit's users with their roles, komórka and whether they are active (never any password data)."""
    return unit_users.list_users(_caller(unit), unit).model_dump(mode="json")


@blueprint.route("/units/{unit}/users", methods=["POST"])
@responds(UserWithPassword, 201)
@handled
def add_user(unit: str) -> Response:
    """Add a user to the unit: the answer carries a temporary password, shown once, to be changed at the first login."""
    principal = _caller(unit)
    body = NewUser.model_validate(json_body(blueprint.current_request))
    added = unit_users.add_user(principal, unit, body)
    return Response(body=added.model_dump(mode="json"), status_code=201)


@blueprint.route("/units/{unit}/users/{login}", methods=["PATCH"])
@responds(UserView)
@handled
def change_user(unit: str, login: str) -> Any:
    """Change a user's roles, komórka or position."""
    principal = _caller(unit)
    body = UserChange.model_validate(json_body(blueprint.current_request))
    return unit_users.change_user(principal, unit, login, body).model_dump(mode="json")


@blueprint.route("/units/{unit}/users/{login}/deactivate", methods=["POST"])
@responds(UserView)
@handled
def deactivate_user(unit: str, login: str) -> Any:
    """Deactivate a user: they can no longer log in, and their tokens are refused at the next request."""
    return unit_users.deactivate(_caller(unit), unit, login).model_dump(mode="json")


@blueprint.route("/units/{unit}/users/{login}/reactivate", methods=["POST"])
@responds(UserView)
@handled
def reactivate_user(unit: str, login: str) -> Any:
    """Reactivate a deactivated user."""
    return unit_users.reactivate(_caller(unit), unit, login).model_dump(mode="json")


@blueprint.route("/units/{unit}/users/{login}/password-reset", methods=["POST"])
@responds(UserWithPassword)
@handled
def reset_password(unit: str, login: str) -> Any:
    """Reset a user's password to a temporary one (given, or made by the system), shown once."""
    principal = _caller(unit)
    body = PasswordResetBody.model_validate(json_body(blueprint.current_request))
    return unit_users.reset_password(principal, unit, login, body).model_dump(mode="json")


@blueprint.route("/units/{unit}/user-history", methods=["GET"])
@responds(UserHistory)
@handled
def user_history(unit: str) -> Any:
    """Who added, changed, deactivated or reset whom in the unit, oldest first (the audit chain USERS#<unit>)."""
    entries = unit_users.history(_caller(unit), unit)
    return UserHistory(unit=unit, count=len(entries), entries=entries).model_dump(mode="json")
