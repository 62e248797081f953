"""moto's ``TransactWriteItems`` without its whole-table copies (test speed only).

moto 5.2 keeps a rollback copy of a transaction's table by deep-copying the whole table,
once for every item of the transaction: a six-item transaction on a table of 1,000 items
copies 6,000 items, so a test that writes N items through transactions costs O(N^2) (the
list tests over several id blocks took 25-32 s). Here a transaction keeps a copy of only
the items it names and puts exactly those back when it fails, which is all a rollback
changes: a failed transaction leaves every item as it was, a successful one writes all
of them (``tests/platform/test_test_speedups.py`` checks both against moto's own behaviour).

``install()`` is idempotent and runs from ``tests/conftest.py``; nothing under
``chalicelib/`` or ``infra/`` depends on it (``make run`` serves DynamoDB with dynoxide,
or with moto serialised, ``infra/local/emulator.py``).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

_MARK = "_tradekitt_touched_items_rollback"


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend, DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend.transact_write_items, _MARK, False):
        return
    original = DynamoDBBackend.transact_write_items

    def deepcopy(value: Any, memo: Any = None) -> Any:
        # the module copies a Table only for its transaction rollback, replaced below
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)

    def key_of(table: Table, op: dict[str, Any]) -> tuple[Any, Any] | None:
        attrs = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in attrs:
            return None  # moto rejects it before writing anything
        range_attr = table.range_key_attr
        if range_attr is not None and range_attr not in attrs:
            return None
        hash_value = DynamoType(attrs[table.hash_key_attr])
        return hash_value, (DynamoType(attrs[range_attr]) if range_attr else None)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        before: list[tuple[Table, Any, Any, Any]] = []
        for entry in transact_items:
            for op in entry.values():
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                key = key_of(table, op) if table is not None else None
                if key is not None:
                    found = table.get_item(*key) if key[1] is not None else table.get_item(key[0])
                    before.append((table, key[0], key[1], copy.deepcopy(found)))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(before):
                _restore(table, hash_value, range_value, item)
            raise

    transact_write_items.__doc__ = original.__doc__
    setattr(transact_write_items, _MARK, True)
    DynamoDBBackend.transact_write_items = transact_write_items


def _restore(table: Any, hash_value: Any, range_value: Any, item: Any) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        return
    if item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
        if hash_value in table.items and not table.items[hash_value]:
            del table.items[hash_value]
    else:
        table.items[hash_value][range_value] = item
