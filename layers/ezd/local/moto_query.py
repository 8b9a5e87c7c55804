"""moto's DynamoDB Query, answered in O(log p + limit) for a base-table partition of p items.

moto's ``Table.query`` lists every item of the table, sorts them (``DynamoType``
comparisons), keeps the partition's, sorts those again, and only then walks them in
order until ``Limit`` matches or 1 MB. A clerk's inbox after a year (``Limit=50``, newest
first, 75,000 items in the partition) cost a sort of the whole partition on every view.

Here each partition a Query reads becomes a ``SortedPartition``: the same dict moto keeps
(range key -> item), which also keeps its keys in moto's order (by ``cast_value``, what
``DynamoType.__lt__`` compares). The order is built once, at the partition's first query,
and kept up to date by every later change, whatever path makes it (moto's put, delete and
transactions, the persistence loader's replay): they all set or pop keys of this dict. An
item updated in place keeps its key, so the order still holds. Partitions made outside a
query (moto's defaultdict, a restore at start) are plain dicts until their first query,
which orders them: nothing is saved of the order, so a restored table rebuilds it.

A query then bisects to the key condition's range, skips to after ``ExclusiveStartKey``
and walks from the right end (newest first) or the left, only as far as moto's own loop
would go: the ``Limit`` matches, the item at which moto stops (it returns
``LastEvaluatedKey`` when it meets one more item of the partition after ``Limit``
matches, or one that would take the page over 1 MB — even one that does not match the
key condition). moto's own ``Table.query`` then runs over just that window, so the filter,
projection, counts, ``LastEvaluatedKey`` and errors are moto's own. Anything this does not
model exactly (an index, a table without a range key, legacy ``QueryFilter``, a start
key of another partition or type) goes to moto's code with the partition's items (an
index query: the table's items in one unsorted pass, which moto sorts itself).

Requests into moto are serialised by the local server (moto_server.py), so a partition
is replaced by its sorted copy, and the sorted copy changed, by one request at a time.
The only references to a partition held across calls are the persistence loader's, within
one restore, before anything is served.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from typing import Any

# moto's limits (moto/dynamodb/models/table.py and dynamo_type.LimitedSizeDict)
RESULT_SIZE_LIMIT = 1_000_000
MAX_ITEM_SIZE = 405_000

_stock_query: Any = None


def _cast(key: Any) -> Any:
    return key.cast_value


class SortedPartition(dict):
    """A partition (range key -> item) that keeps its keys in moto's sort order."""

    __slots__ = ("_order",)

    def __init__(self, source: Any = ()) -> None:
        super().__init__(source)
        self._order: list[Any] | None = None  # built at the first query, then maintained

    def __reduce__(self) -> Any:  # copy, deepcopy and pickle rebuild the order lazily
        return (type(self), (dict(self),))

    def sorted_keys(self) -> list[Any] | None:
        """The keys in moto's order, or None when they cannot be ordered (mixed types)."""
        if self._order is None:
            try:
                self._order = sorted(dict.keys(self), key=_cast)
            except TypeError:
                return None
        return self._order

    def _insert(self, key: Any) -> None:
        order = self._order
        if order is None:
            return
        try:
            if not order or _cast(order[-1]) < _cast(key):
                order.append(key)  # the usual case: a newer item at the end
            else:
                insort(order, key, key=_cast)
        except TypeError:
            self._order = None

    def _remove(self, key: Any) -> None:
        order = self._order
        if order is None:
            return
        try:
            at = bisect_left(order, _cast(key), key=_cast)
        except TypeError:
            self._order = None
            return
        if at < len(order) and order[at] == key:
            del order[at]
        else:  # keys of equal cast value and other types (S and B): order again when asked
            self._order = None

    def __setitem__(self, key: Any, value: Any) -> None:
        if not dict.__contains__(self, key):
            self._insert(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._remove(key)

    def pop(self, key: Any, *default: Any) -> Any:
        if dict.__contains__(self, key):
            self._remove(key)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        key, value = dict.popitem(self)
        self._remove(key)
        return key, value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if not dict.__contains__(self, key):
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> SortedPartition:
        self.update(other)
        return self

    def clear(self) -> None:
        dict.clear(self)
        if self._order is not None:
            self._order = []


def install() -> None:
    from moto.dynamodb.models.table import Table

    global _stock_query
    if _stock_query is not None:
        return
    _stock_query = Table.query
    Table.query = _query  # type: ignore[method-assign]


@contextlib.contextmanager
def stock() -> Iterator[None]:
    """moto's own Query for a while (tests and benchmarks compare against it)."""
    from moto.dynamodb.models.table import Table

    patched = Table.query
    Table.query = _stock_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = patched  # type: ignore[method-assign]


_POSITIONAL = ("range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward",
               "projection_expressions", "index_name", "consistent_read", "filter_expression")
_KNOWN = frozenset(_POSITIONAL) | {"hash_key_conditions", "range_key_conditions"}


def _query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    call = dict(zip(_POSITIONAL, args), **kwargs)
    candidates = None
    if call.get("index_name") is None and self.range_key_attr is not None and hash_key is not None:
        partition = self.items.get(hash_key)  # .get: a miss must not create a partition
        if not partition:
            candidates = []
        else:
            if type(partition) is not SortedPartition:
                partition = SortedPartition(partition)
                self.items[hash_key] = partition  # the dict keeps its own key object
            candidates = _window(self, partition, call)
            if candidates is None:
                candidates = list(partition.values())
    elif call.get("index_name") is None:
        partition = self.items.get(hash_key) if hash_key is not None else None
        candidates = [partition] if partition is not None else []
    else:
        candidates = [item for part in self.items.values()
                      for item in (part.values() if self.range_key_attr else [part])]
    # moto's query reads self.all_items(); this instance attribute shadows it (which sorts
    # the whole table) for this one call. Requests are serialised, no other call sees it.
    self.all_items = lambda: candidates
    try:
        return _stock_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


def _bounds(order: list[Any], comparison: str, values: list[Any]) -> tuple[int, int] | None:
    """[lo, hi) of the keys the key condition accepts, None if not modelled here."""
    op = comparison.upper()
    cast = [v.cast_value for v in values]
    if op in ("=", "EQ") and len(cast) == 1:
        return bisect_left(order, cast[0], key=_cast), bisect_right(order, cast[0], key=_cast)
    if op in ("<", "LT") and len(cast) == 1:
        return 0, bisect_left(order, cast[0], key=_cast)
    if op in ("<=", "LE") and len(cast) == 1:
        return 0, bisect_right(order, cast[0], key=_cast)
    if op in (">", "GT") and len(cast) == 1:
        return bisect_right(order, cast[0], key=_cast), len(order)
    if op in (">=", "GE") and len(cast) == 1:
        return bisect_left(order, cast[0], key=_cast), len(order)
    if op == "BETWEEN" and len(cast) == 2:
        lo = bisect_left(order, cast[0], key=_cast)
        return lo, max(lo, bisect_right(order, cast[1], key=_cast))
    if op == "BEGINS_WITH" and len(cast) == 1 and isinstance(cast[0], str):
        prefix = cast[0]
        lo = bisect_left(order, prefix, key=_cast)
        # Past the prefix's keys, none starts with it again (they are sorted).
        return lo, bisect_left(order, True, lo=lo, key=lambda k: not k.cast_value.startswith(prefix))
    return None


def _window(table: Any, partition: SortedPartition, call: dict[str, Any]) -> list[Any] | None:
    """The items of the partition moto's loop would look at, in ascending order; None to
    hand moto the whole partition instead."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if set(call) - _KNOWN or len(call.get("range_key_conditions") or ()) > 1:
        return None  # legacy QueryFilter or multi-attribute keys: moto's way
    limit = call.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return None
    order = partition.sorted_keys()
    if order is None:
        return None
    key_type = table.range_key_type
    comparison, values = call.get("range_comparison"), list(call.get("range_objs") or ())
    lo, hi = 0, len(order)
    if comparison:
        if any(v.type != key_type for v in values):
            return None
        bounds = _bounds(order, comparison, values)
        if bounds is None:
            return None
        lo, hi = bounds
    forward = call.get("scan_index_forward") is not False
    start_key = call.get("exclusive_start_key")
    skip_to = 0 if forward else len(order)  # candidates after the start key: [skip_to, n) or [0, skip_to)
    if start_key is not None:
        try:
            start_hash = DynamoType(start_key[table.hash_key_attr])
            start_range = DynamoType(start_key[table.range_key_attr])
        except (KeyError, TypeError, AttributeError, IndexError):
            return None
        if start_hash != _hash_of(partition) or start_range.type != key_type:
            return None
        # moto skips the items up to and including the start key, in the query's direction.
        if forward:
            skip_to = bisect_right(order, start_range.cast_value, key=_cast)
        else:
            skip_to = bisect_left(order, start_range.cast_value, key=_cast)
    if forward:
        matches = range(max(lo, skip_to), hi)
        trailing = range(max(hi, skip_to), len(order))
    else:
        matches = range(min(hi, skip_to) - 1, lo - 1, -1)
        trailing = range(min(lo, skip_to) - 1, -1, -1)
    picked: list[Any] = []
    taken = size = 0
    for at in matches:
        item = dict.__getitem__(partition, order[at])
        if taken == limit:
            picked.append(item)  # moto stops here: LastEvaluatedKey
            break
        item_size = item.size()
        if size + item_size > RESULT_SIZE_LIMIT:
            picked.append(item)
            break
        picked.append(item)
        taken += 1
        size += item_size
    else:
        # The matches ran out before moto stopped. It still walks the rest of the
        # partition, stopping at the next item if Limit matches were taken, or at one that
        # would pass 1 MB (possible only near 1 MB already).
        if taken == limit:
            picked.extend(dict.__getitem__(partition, order[at]) for at in trailing[:1])
        elif size + MAX_ITEM_SIZE > RESULT_SIZE_LIMIT:
            for at in trailing:
                item = dict.__getitem__(partition, order[at])
                if size + item.size() > RESULT_SIZE_LIMIT:
                    picked.append(item)
                    break
    if not forward:
        picked.reverse()
    return picked


def _hash_of(partition: SortedPartition) -> Any:
    """The partition's hash key (every item of a non-empty partition carries it)."""
    return next(iter(dict.values(partition))).hash_key
