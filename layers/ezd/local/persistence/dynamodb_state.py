"""DynamoDB items: what is journaled when an item changes, and how items go back into moto.

A change is journaled as the item's resulting image (or its deletion), never as the
request that made it: replaying an image is deterministic and idempotent, whatever the
request was (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems —
moto_patches' own version of it included — or PartiQL). Every one of these ends in
``Table.put_item``, ``Table.delete_item`` or ``DynamoDBBackend.update_item`` (which
changes the item in place), so those three are where touched keys are reported.

Records: ``("ddb", account, region, table, hash AttributeValue, range AttributeValue or
None, item image as AttributeValues or None for a deletion)`` — the wire format of
DynamoDB, as plain data.

Loading builds moto's objects directly: the constructors re-validate every attribute
(the item size check is quadratic in the number of attributes), which would make a
restart several times slower for items that were validated when they were written.
"""

from __future__ import annotations

from collections.abc import Iterator
from sys import intern
from threading import RLock
from typing import Any

from ezd.local.persistence import changes

Record = tuple[Any, ...]
KIND = "ddb"
_installed = False


def install_hooks() -> None:
    """Makes moto report every item key it changes (a no-op while nothing is active)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.exceptions import ConditionalCheckFailed
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original_put = Table.put_item
    original_delete = Table.delete_item
    original_update = DynamoDBBackend.update_item

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, *args, **kwargs)
        changes.touched_item(self, item.hash_key, item.range_key)
        return item

    def delete_item(self: Any, hash_key: Any, range_key: Any = None) -> Any:
        item = original_delete(self, hash_key, range_key)
        if item is not None:
            changes.touched_item(self, hash_key, range_key)
        return item

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            item = original_update(self, table_name, key, *args, **kwargs)
        except ConditionalCheckFailed:
            raise  # nothing was changed
        except Exception:
            # moto updates in place: a failure half-way may have changed the item.
            table = self.get_table(table_name)
            if table.hash_key_attr in key:
                range_av = key.get(table.range_key_attr) if table.range_key_attr else None
                changes.touched_item(table, DynamoType(key[table.hash_key_attr]),
                                     DynamoType(range_av) if range_av is not None else None)
            raise
        changes.touched_item(self.get_table(table_name), item.hash_key, item.range_key)
        return item

    Table.put_item = put_item  # type: ignore[method-assign]
    Table.delete_item = delete_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    _installed = True


# --------------------------------------------------------------------------- moto -> plain

def _plain(value: Any) -> dict[str, Any]:
    """A moto DynamoType as the AttributeValue it came from."""
    if isinstance(value, dict):  # moto sometimes keeps a raw AttributeValue in a list
        return value
    kind = value.type
    if kind == "L":
        return {"L": [_plain(v) for v in value.value]}
    if kind == "M":
        return {"M": {k: _plain(v) for k, v in value.value.items()}}
    if kind == "N":
        return {"N": str(value.value)}
    if kind in ("SS", "NS", "BS"):
        return {kind: [str(v) if kind == "NS" else v for v in value.value]}
    return {kind: value.value}


def _image(item: Any) -> dict[str, Any]:
    return {name: _plain(value) for name, value in item.attrs.items()}


def _lookup(table: Any, hash_key: Any, range_key: Any) -> Any:
    # Not table.get_item: on a missing key it creates an empty partition (a defaultdict).
    partition = table.items.get(hash_key)
    if table.range_key_attr is None or partition is None:
        return partition
    return partition.get(range_key)


def images(touched: set[changes.ItemKey]) -> list[Record]:
    """The resulting state of each touched key, as records (caller holds the server lock)."""
    records: list[Record] = []
    for table, hash_key, range_key in touched:
        item = _lookup(table, hash_key, range_key)
        records.append((KIND, table.account_id, table.region_name, table.name, _plain(hash_key),
                        _plain(range_key) if range_key is not None else None,
                        _image(item) if item is not None else None))
    return records


# --------------------------------------------------------------------------- plain -> moto

class Loader:
    """Applies records to moto's DynamoDB backends (the tables exist: provisioned).

    Items of one partition share their hash-key object (moto keys the partition by it
    and never changes a key attribute in place), and attribute names are interned: a
    restored year of registers holds millions of these."""

    def __init__(self) -> None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

        self._backends = dynamodb_backends
        self._item = Item
        self._attrs = LimitedSizeDict
        self._tables: dict[tuple[str, str, str], Any] = {}
        self._partitions: dict[tuple[int, str, Any], tuple[Any, Any]] = {}
        self.unknown_tables: set[str] = set()
        new, kind_of_set = DynamoType.__new__, ("SS", "NS", "BS")

        def dynamo(value: dict[str, Any]) -> Any:
            ((kind, raw),) = value.items()
            result = new(DynamoType)
            result.type = kind
            if kind == "M":
                raw = {k: dynamo(v) for k, v in raw.items()}
            elif kind == "L":
                raw = [dynamo(v) for v in raw]
            elif kind in kind_of_set:
                raw = list(raw)
            result.value = raw
            return result

        self._dynamo = dynamo

    def _table(self, account: str, region: str, name: str) -> Any:
        key = (account, region, name)
        table = self._tables.get(key)
        if table is None:
            table = self._backends[account][region].tables.get(name)
            if table is None:
                self.unknown_tables.add(name)  # no longer in the template
                return None
            self._tables[key] = table
        return table

    def _partition(self, table: Any, hash_av: dict[str, Any]) -> tuple[Any, Any]:
        ((kind, raw),) = hash_av.items()
        cache_key = (id(table), kind, raw)
        found = self._partitions.get(cache_key)
        if found is None:
            hash_key = self._dynamo(hash_av)
            partition = table.items.get(hash_key)
            if partition is None:
                partition = table.items[hash_key] = {}
            else:  # the object moto already keys the partition by
                hash_key = next(iter(partition.values())).hash_key if partition else hash_key
            found = self._partitions[cache_key] = (hash_key, partition)
        return found

    def apply(self, record: Record) -> None:
        _, account, region, name, hash_av, range_av, image = record
        table = self._tables.get((account, region, name)) or self._table(account, region, name)
        if table is None:
            return
        dynamo = self._dynamo
        if table.range_key_attr is None:  # a table without a sort key: the item is the partition
            hash_key = dynamo(hash_av)
            if image is None:
                table.items.pop(hash_key, None)
                return
            partition = None
        else:
            hash_key, partition = self._partition(table, hash_av)
            if image is None:
                partition.pop(dynamo(range_av), None)
                return
        attrs = self._attrs.__new__(self._attrs)
        dict.update(attrs, {intern(attribute): dynamo(value) for attribute, value in image.items()})
        dict.__setitem__(attrs, table.hash_key_attr, hash_key)
        item = self._item.__new__(self._item)
        item.hash_key = hash_key
        item.attrs = attrs
        if partition is None:
            item.range_key = None
            table.items[hash_key] = item
        else:
            item.range_key = attrs[table.range_key_attr]
            partition[item.range_key] = item

    def finish(self) -> None:
        """Drops the partitions that ended up empty (moto's own deletes leave them too, but
        a restored state need not carry them)."""
        for table in self._tables.values():
            if table.range_key_attr is not None:
                for hash_key in [h for h, partition in table.items.items() if not partition]:
                    del table.items[hash_key]
        self._partitions.clear()


# --------------------------------------------------------------------------- snapshot

def item_counts() -> dict[str, int]:
    from moto.dynamodb.models import dynamodb_backends

    counts: dict[str, int] = {}
    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for table in backend.tables.values():
                counts[table.name] = counts.get(table.name, 0) + len(table)
    return counts


def snapshot_records(lock: RLock, chunk: int = 5000) -> Iterator[list[Record]]:
    """Every item, in chunks each imaged under the server's lock (requests go on between
    chunks: the snapshot is fuzzy, and the journal segment started before it holds every
    change it may have missed)."""
    from moto.dynamodb.models import dynamodb_backends

    with lock:
        tables = [table for regions in dynamodb_backends.values() for backend in regions.values()
                  for table in backend.tables.values()]
    for table in tables:
        with lock:
            hash_keys = list(table.items.keys())
        position = 0
        while position < len(hash_keys):
            records: list[Record] = []
            with lock:
                while position < len(hash_keys) and len(records) < chunk:
                    hash_key = hash_keys[position]
                    position += 1
                    partition = table.items.get(hash_key)
                    if partition is None:
                        continue
                    members = partition.values() if table.range_key_attr is not None else [partition]
                    for item in members:
                        records.append((KIND, table.account_id, table.region_name, table.name,
                                        _plain(item.hash_key),
                                        _plain(item.range_key) if item.range_key is not None else None,
                                        _image(item)))
            if records:
                yield records
