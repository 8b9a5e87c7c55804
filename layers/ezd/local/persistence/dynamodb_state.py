"""DynamoDB items: what is journaled when an item changes, and how items go back into moto.

A change is journaled as the item's resulting image (or its deletion), never as the
request that made it: replaying an image is deterministic and idempotent, whatever the
request was (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems —
moto_patches' own version of it included — or PartiQL). Every one of these ends in
``Table.put_item``, ``Table.delete_item`` or ``DynamoDBBackend.update_item`` (which
changes the item in place), so those three are where touched keys are reported.

Records: an item is ``("ddb", account, region, table, kinds, names, values)`` — its
attribute names, one type code per attribute (``S``, ``N``, ``B``; ``T`` for BOOL, ``0``
for NULL; ``*`` when the value is a whole AttributeValue: lists, maps, sets) and the
values; a deletion is ``("ddb", account, region, table, None, hash AttributeValue, range
AttributeValue or None)``. Flat tuples rather than DynamoDB's nested wire format: a
snapshot holds millions of items, and each dict fewer per attribute is time saved at
every restart. Items of one shape share one names tuple and one kinds string, which a
frame then stores once.

Loading builds moto's objects directly: the constructors re-validate every attribute
(the item size check is quadratic in the number of attributes), which would make a
restart several times slower for items that were validated when they were written.
"""

from __future__ import annotations

from collections.abc import Iterator
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


_CODES = {"S": "S", "N": "N", "B": "B", "BOOL": "T", "NULL": "0"}
TYPES = {"S": "S", "N": "N", "B": "B", "T": "BOOL", "0": "NULL"}
_shapes: dict[Any, Any] = {}  # one object per names tuple and kinds string


def _shared(value: Any) -> Any:
    if len(_shapes) > 10_000:  # items of ever new shapes: stop sharing, stay correct
        return value
    return _shapes.setdefault(value, value)


def _item_record(table: Any, item: Any) -> Record:
    names, kinds, values = [], [], []
    for name, value in item.attrs.items():
        code = None if isinstance(value, dict) else _CODES.get(value.type)
        names.append(name)
        if code is None:
            kinds.append("*")
            values.append(_plain(value))
        else:
            kinds.append(code)
            values.append(str(value.value) if code == "N" else value.value)
    return (KIND, table.account_id, table.region_name, table.name, _shared("".join(kinds)),
            _shared(tuple(names)), tuple(values))


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
        if item is not None:
            records.append(_item_record(table, item))
        else:
            records.append((KIND, table.account_id, table.region_name, table.name, None, _plain(hash_key),
                            _plain(range_key) if range_key is not None else None))
    return records


# --------------------------------------------------------------------------- plain -> moto

class Loader:
    """Applies records to moto's DynamoDB backends (the tables exist: provisioned).

    Items of one partition share their hash-key object (moto keys the partition by it
    and never changes a key attribute in place): a restored year of registers holds
    millions of items in a few hundred thousand partitions."""

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
        self._new, self._type = new, DynamoType

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

    def _partition(self, table: Any, kind: str, raw: Any) -> tuple[Any, Any]:
        cache_key = (id(table), kind, raw)
        found = self._partitions.get(cache_key)
        if found is None:
            hash_key = self._dynamo({kind: raw})
            partition = table.items.get(hash_key)
            if partition is None:
                partition = table.items[hash_key] = {}
            elif partition:  # the object moto already keys the partition by
                hash_key = next(iter(partition.values())).hash_key
            found = self._partitions[cache_key] = (hash_key, partition)
        return found

    def apply(self, record: Record) -> None:
        _, account, region, name, kinds, first, second = record
        table = self._tables.get((account, region, name)) or self._table(account, region, name)
        if table is None:
            return
        dynamo = self._dynamo
        if kinds is None:  # a deletion: (hash AttributeValue, range AttributeValue)
            if table.range_key_attr is None:
                table.items.pop(dynamo(first), None)
            else:
                ((kind, raw),) = first.items()
                partition = self._partition(table, kind, raw)[1]
                partition.pop(dynamo(second), None)
            return
        names, values = first, second
        new, types = self._new, TYPES
        attrs = self._attrs.__new__(self._attrs)
        for attribute, code, value in zip(names, kinds, values):
            if code == "*":
                built = dynamo(value)
            else:
                built = new(self._type)
                built.type = types[code]
                built.value = value
            dict.__setitem__(attrs, attribute, built)
        item = self._item.__new__(self._item)
        item.attrs = attrs
        if table.range_key_attr is None:
            item.hash_key = attrs[table.hash_key_attr]
            item.range_key = None
            table.items[item.hash_key] = item
            return
        own = attrs[table.hash_key_attr]
        hash_key, partition = self._partition(table, own.type, own.value)
        dict.__setitem__(attrs, table.hash_key_attr, hash_key)
        item.hash_key = hash_key
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
                        records.append(_item_record(table, item))
            if records:
                yield records
