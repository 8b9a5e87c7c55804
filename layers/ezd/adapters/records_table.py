"""The records table as pynamodb models (single-table design, see docs/data-model.md).

Items keep their typed content as a JSON document in ``data`` (validated by the pydantic
models on the way in and out); key and index attributes, and the few attributes that
queries filter on, are top-level.
"""

from __future__ import annotations

import os
import threading

from pynamodb.connection import Connection
from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class GSI1(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class GSI2(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class RecordItem(Model):
    """Every item of the table: keys, two optional index keys, a kind and a JSON body."""

    class Meta:
        table_name = os.environ.get("EZD_TABLE", "ezd-local-records")
        region = os.environ.get("AWS_REGION", "eu-central-1")

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    kind = UnicodeAttribute(attr_name="kind")
    channel = UnicodeAttribute(null=True)
    sender_search = UnicodeAttribute(null=True)
    title_search = UnicodeAttribute(null=True)  # the title folded (ezd.search_text) for the register's search
    value = NumberAttribute(null=True)
    case_ref = UnicodeAttribute(null=True)  # on a register line: the case its document joined
    # On a register line, for the register's filters: where its document stands on its way
    # (models.routing.RoutingStatus) and the JRWA class it was given.
    line_status = UnicodeAttribute(null=True)
    jrwa_symbol = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds: DynamoDB's TTL removes the item after it
    quota_bytes = NumberAttribute(null=True)  # a quota counter's bytes (ADDed atomically beside `value`)
    data = JSONAttribute(null=True)

    gsi1 = GSI1()
    gsi2 = GSI2()


_bind_lock = threading.Lock()


def bind_table(table_name: str, region: str | None = None) -> None:
    """Point the models at a table chosen at run time (from the template's environment),
    with its connection and botocore client made now, once, under a lock.

    pynamodb makes both lazily and without a lock, each thread with a botocore session of
    its own: when many steps start together, dozens of threads each loaded the DynamoDB
    service model (~100 ms of CPU apiece) before one of their clients was kept."""
    if _bound_to(table_name, region):
        return
    with _bind_lock:
        if not _bound_to(table_name, region):
            RecordItem.Meta.table_name = table_name
            if region:
                RecordItem.Meta.region = region
            RecordItem._connection = None  # noqa: SLF001 - pynamodb caches the table connection here
        RecordItem._get_connection().connection.client  # noqa: B018, SLF001 - made now, under the lock


def _bound_to(table_name: str, region: str | None) -> bool:
    connection = RecordItem._connection  # noqa: SLF001
    return (RecordItem.Meta.table_name == table_name and (not region or RecordItem.Meta.region == region)
            and connection is not None and connection.table_name == table_name
            and connection.connection._client is not None)  # noqa: SLF001


_connections: dict[tuple[str, str | None], Connection] = {}
_connections_lock = threading.Lock()


def transaction_connection() -> Connection:
    """One connection per region and endpoint for TransactWrite, its client made under
    the lock: building a new one creates a botocore client each time (~150 ms)."""
    key = (RecordItem.Meta.region, os.environ.get("AWS_ENDPOINT_URL"))
    with _connections_lock:
        if key not in _connections:
            connection = Connection(region=RecordItem.Meta.region)
            connection.client  # noqa: B018 - the botocore client, made once here
            _connections[key] = connection
        return _connections[key]


def reset_connections() -> None:
    """Forget the connections (the endpoint or credentials changed)."""
    with _bind_lock, _connections_lock:
        RecordItem._connection = None  # noqa: SLF001
        _connections.clear()
