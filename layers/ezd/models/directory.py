"""Units (jednostki organizacyjne) and their users."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["registry_clerk", "manager", "case_officer", "archivist", "unit_admin"]


class Unit(BaseModel):
    symbol: str = Field(pattern=r"^[A-Za-z0-9_]{1,20}$")
    name: str
    kind: str
    esp_address: str
    ade: str | None = None
    served_by_lceao: bool = False
    archive: str | None = None

    @property
    def podmiot(self) -> str:
        """ePUAP's identifier of the public body: the first part of its ESP address."""
        return self.esp_address.strip("/").split("/")[0]

    @property
    def box_name(self) -> str:
        return self.esp_address.strip("/").split("/")[-1]


class Cell(BaseModel):
    """A komórka organizacyjna; its symbol starts every znak sprawy it handles.

    A hyphen joins a department and its sub-cell (``WO-AO``), as the instrukcja
    kancelaryjna prescribes."""

    unit: str
    symbol: str = Field(pattern=r"^[A-Z][A-Z0-9]{0,9}(-[A-Z0-9]{1,10})?$")
    name: str


class User(BaseModel):
    login: str = Field(pattern=r"^[a-z0-9._-]{2,64}$")
    full_name: str
    position: str
    unit: str
    roles: list[Role]
    cell: str | None = None
    active: bool = True  # a deactivated user keeps their history but can no longer log in
    email: str | None = None  # where the identity provider writes (Cognito requires one); demo users have none
