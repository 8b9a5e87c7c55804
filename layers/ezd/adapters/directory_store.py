"""DynamoDB access for units (jednostki) and users."""

from __future__ import annotations

from typing import Any, Iterable

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.directory import Cell, Unit, User


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _unit_item(unit: Unit) -> RecordItem:
    return RecordItem(
        f"UNIT#{unit.symbol}",
        "PROFILE",
        kind="unit",
        gsi1pk=f"ESP#{unit.esp_address}",
        gsi1sk="UNIT",
        gsi2pk="UNITS",
        gsi2sk=unit.symbol,
        data=unit.model_dump(mode="json"),
    )


def put_unit(unit: Unit) -> None:
    _bound()
    _unit_item(unit).save()


def put_units(units: Iterable[Unit]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for unit in units:
            batch.save(_unit_item(unit))


def get_unit(symbol: str) -> Unit | None:
    _bound()
    try:
        return Unit.model_validate(RecordItem.get(f"UNIT#{symbol}", "PROFILE").data)
    except RecordItem.DoesNotExist:
        return None


def unit_by_box(esp_address: str) -> Unit | None:
    _bound()
    for item in RecordItem.gsi1.query(f"ESP#{esp_address}", RecordItem.gsi1sk == "UNIT", limit=1):
        return Unit.model_validate(item.data)
    return None


def list_units() -> list[Unit]:
    _bound()
    return [Unit.model_validate(item.data) for item in RecordItem.gsi2.query("UNITS")]


def _user_item(user: User) -> RecordItem:
    return RecordItem(
        f"USER#{user.login}",
        "PROFILE",
        kind="user",
        gsi2pk=f"USERS#{user.unit}",
        gsi2sk=user.login,
        data=user.model_dump(mode="json"),
    )


def put_user(user: User) -> None:
    _bound()
    _user_item(user).save()


def put_users(users: Iterable[User]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for user in users:
            batch.save(_user_item(user))


def get_user(login: str, *, consistent: bool = False) -> User | None:
    _bound()
    try:
        return User.model_validate(RecordItem.get(f"USER#{login}", "PROFILE", consistent_read=consistent).data)
    except RecordItem.DoesNotExist:
        return None


def list_users(unit: str) -> list[User]:
    _bound()
    return [User.model_validate(item.data) for item in RecordItem.gsi2.query(f"USERS#{unit}")]


def _cell_item(cell: Cell) -> RecordItem:
    return RecordItem(f"UNIT#{cell.unit}", f"CELL#{cell.symbol}", kind="cell", data=cell.model_dump(mode="json"))


def put_cells(cells: Iterable[Cell]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for cell in cells:
            batch.save(_cell_item(cell))


def list_cells(unit: str) -> list[Cell]:
    _bound()
    return [Cell.model_validate(i.data) for i in RecordItem.query(f"UNIT#{unit}", RecordItem.sk.startswith("CELL#"))]


def get_cell(unit: str, symbol: str) -> Cell | None:
    _bound()
    try:
        return Cell.model_validate(RecordItem.get(f"UNIT#{unit}", f"CELL#{symbol}").data)
    except RecordItem.DoesNotExist:
        return None


def user_write(user: User, *, new: bool) -> tuple[RecordItem, Any]:
    """The user's item and its condition, for a transaction of the caller's (with the audit
    entry of the change): a new login must be free city-wide, a change must find the user."""
    _bound()
    return _user_item(user), (RecordItem.pk.does_not_exist() if new else RecordItem.pk.exists())


# A counter per unit, moved by every change that takes an administrator away: two such
# changes at once cannot both pass the "another administrator stays" check.
ADMIN_SET_SK = "ADMINS"


def admin_set_version(unit: str) -> int:
    _bound()
    try:
        item = RecordItem.get(f"UNIT#{unit}", ADMIN_SET_SK, consistent_read=True)
    except RecordItem.DoesNotExist:
        return 0
    return int(item.value or 0)


def admin_set_write(unit: str, seen: int) -> tuple[RecordItem, Any]:
    """The counter moved on from ``seen``, for the caller's transaction: it fails if another
    change moved it since ``seen`` was read."""
    _bound()
    item = RecordItem(f"UNIT#{unit}", ADMIN_SET_SK, kind="admin_set", value=seen + 1)
    return item, (RecordItem.pk.does_not_exist() if seen == 0 else RecordItem.value == seen)
