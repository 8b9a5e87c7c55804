"""What a unit administrator sends and sees when managing the unit's users.

A login is the unit's symbol in lower case, a dot and a name part (``sp13.nowak``,
``woiw.kowalska-nowak2``): unique in the city because the prefix is the unit and the
directory refuses a login it holds already. No answer here ever carries password data
except the one-time temporary password of a new user or a reset.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from ezd.models.directory import Role, User

NAME_PART = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
LOGIN_NAME_MAX = 40
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _distinct(roles: list[Role]) -> list[Role]:
    if len(set(roles)) != len(roles):
        raise ValueError("a role is named twice")
    return roles


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not EMAIL.match(value) or len(value) > 254:
        raise ValueError("not an e-mail address")
    return value


class NewUser(BaseModel):
    """A user to add to the unit. The login is checked against the unit (LOGIN_INVALID)."""

    login: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=3, max_length=120)
    position: str = Field(min_length=2, max_length=120)
    cell: str = Field(min_length=1, max_length=21)
    roles: list[Role] = Field(min_length=1)
    email: str = Field(max_length=254)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return _distinct(value)

    @field_validator("email")
    @classmethod
    def _mail(cls, value: str) -> str:
        return _email(value) or value

    @field_validator("full_name", "position", "login", "cell")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value


class UserChange(BaseModel):
    """What changes of a user; fields left out stay as they are."""

    roles: list[Role] | None = Field(default=None, min_length=1)
    cell: str | None = Field(default=None, min_length=1, max_length=21)
    position: str | None = Field(default=None, min_length=2, max_length=120)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role] | None) -> list[Role] | None:
        return None if value is None else _distinct(value)


class UserView(BaseModel):
    """A user as the unit administrator sees them: never any password data."""

    login: str
    full_name: str
    position: str
    unit: str
    roles: list[Role]
    cell: str | None = None
    email: str | None = None
    active: bool

    @classmethod
    def of(cls, user: User) -> "UserView":
        return cls(login=user.login, full_name=user.full_name, position=user.position, unit=user.unit,
                   roles=user.roles, cell=user.cell, email=user.email, active=user.active)


class CellOption(BaseModel):
    """A komórka a user may be placed in."""

    symbol: str
    name: str


class UserList(BaseModel):
    unit: str
    count: int
    users: list[UserView]
    cells: list[CellOption]  # the unit's komórki, for the forms


class UserWithPassword(BaseModel):
    """A new user or a reset: the temporary password, shown once, to hand to the user,
    who must replace it at the first login."""

    user: UserView
    temporary_password: str
    must_change_password: bool = True


class PasswordResetBody(BaseModel):
    """An administrator may set the temporary password; without one the system makes one."""

    temporary_password: str | None = Field(default=None, min_length=12, max_length=256)
