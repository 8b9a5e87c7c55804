"""DynamoDB access for file plans (JRWA): one item per class of a plan version."""

from __future__ import annotations

from typing import Iterable

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.jrwa import JrwaClass

CITY_PLAN = "CITY"


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def put_plan(owner: str, version: int, classes: Iterable[JrwaClass]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for jrwa_class in classes:
            batch.save(
                RecordItem(f"JRWA#{owner}#v{version}", jrwa_class.symbol, kind="jrwa_class",
                           data=jrwa_class.model_dump(mode="json"))
            )


def get_plan(owner: str, version: int) -> list[JrwaClass]:
    _bound()
    return [JrwaClass.model_validate(i.data) for i in RecordItem.query(f"JRWA#{owner}#v{version}")]
