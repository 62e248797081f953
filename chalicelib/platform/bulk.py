"""Bulk writes of many new items (onboarding imports): the same transaction parts the
features compose for one item, collected and written in batches instead of one
``TransactWriteItems`` per item.

``BulkWrite`` stands in for a ``tx.Labelled`` transaction: the parts a feature adds to
it (``create``/``save`` of new items, ``update``) are collected, then ``flush`` writes

- every put with ``BatchWriteItem``, 25 a call, unprocessed items retried
  (``batch.put_raw``); conditions on puts are dropped: bulk writes are for items whose
  keys the caller just reserved (ids from a block taken with one ``ADD``), or checked
  just before, so they are free;
- every update made only of ``ADD`` on numbers without a condition (the lists' rollup
  counts, a period's counters) summed per item, so a thousand new entries of one bucket
  are one ``ADD`` of 1,000; applied in ``TransactWriteItems`` of up to 100 items (each
  update at most ``MAX_ADDS`` attributes), each with a ``ClientRequestToken`` derived
  from the caller's ``token`` so that a retried call is applied once; a cancellation by
  a concurrent transaction is retried with backoff (``tx.retries``);
- any other update (``if_not_exists`` sets...) one ``UpdateItem`` each, in order (a
  caller that repeats one says it once).

Condition checks and deletes are refused (they need a real transaction). The writes are
not atomic as a whole: a caller validates everything first and records its progress.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import AddAction

from chalicelib.platform.batch import put_raw
from chalicelib.platform.table import shared_client, table_name
from chalicelib.platform.tx import retries

MAX_TX_ITEMS = 100
MAX_ADDS = 100  # attributes per update (an update expression stays far below 4 KB)
Key = tuple[str, str]


def _adds(actions: list[Any]) -> dict[str, int] | None:
    """``{attribute: n}`` when every action is an ``ADD`` of a number, else None."""
    found: dict[str, int] = {}
    for action in actions:
        if not isinstance(action, AddAction):
            return None
        path, value = action.values
        if not isinstance(path, Path) or not isinstance(value, Value) or len(path.path) != 1:
            return None
        number = value.value.get("N") if isinstance(value.value, dict) else None
        if number is None:
            return None
        found[path.path[0]] = found.get(path.path[0], 0) + int(number)
    return found


def _key_of(item: Any) -> Key:
    raw = item.serialize()
    return raw["pk"]["S"], raw["sk"]["S"]


class BulkWrite:
    """Collects transaction parts and writes them in batches (see the module docstring)."""

    def __init__(self) -> None:
        self.puts: dict[Key, dict[str, Any]] = {}
        self.adds: dict[Key, Counter[str]] = defaultdict(Counter)
        self.updates: list[tuple[Any, list[Any], Any]] = []
        self.calls: Counter[str] = Counter()  # what flush sent, by operation

    # --- the tx.Labelled interface --------------------------------------------------------
    def create(self, label: str, item: Any) -> None:
        self.save(label, item)

    def save(self, label: str, item: Any, condition: Any = None) -> None:
        raw = item.serialize()
        self.puts[(raw["pk"]["S"], raw["sk"]["S"])] = raw

    def update(self, label: str, item: Any, actions: list[Any], condition: Any = None) -> None:
        adds = _adds(actions) if condition is None else None
        key = _key_of(item)
        if adds is not None:
            self.adds[key].update(adds)
            return
        self.updates.append((item, actions, condition))

    def check(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a bulk write cannot check conditions: use a transaction")

    def delete(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a bulk write does not delete")

    # --- writing --------------------------------------------------------------------------
    def flush(self, token: str) -> None:
        """Write everything collected (puts first, then the counts, then other updates)."""
        items = list(self.puts.values())
        put_raw(items)
        self.calls["BatchWriteItem"] += -(-len(items) // 25)
        for n, chunk in enumerate(self._transactions()):
            self._transact(chunk, f"{token}#{n}")
        for item, actions, condition in self.updates:
            item.update(actions=actions, condition=condition)
            self.calls["UpdateItem"] += 1
        self.puts.clear()
        self.adds.clear()
        self.updates.clear()

    def _transactions(self) -> Iterator[list[tuple[Key, list[tuple[str, int]]]]]:
        """Updates of at most ``MAX_ADDS`` attributes, packed into transactions of at most
        ``MAX_TX_ITEMS`` distinct items (an item split in several updates goes into
        several transactions)."""
        pending: list[list[tuple[Key, list[tuple[str, int]]]]] = []
        for key, counts in self.adds.items():
            attrs = sorted((name, n) for name, n in counts.items() if n)
            for start in range(0, len(attrs), MAX_ADDS):
                unit = (key, attrs[start : start + MAX_ADDS])
                for chunk in pending:  # the first with room and without this item
                    if len(chunk) < MAX_TX_ITEMS and all(k != key for k, _ in chunk):
                        chunk.append(unit)
                        break
                else:
                    pending.append([unit])
        yield from pending

    def _transact(self, chunk: list[tuple[Key, list[tuple[str, int]]]], token: str) -> None:
        name = table_name()
        actions = []
        for (pk, sk), attrs in chunk:
            names = {f"#a{i}": attr for i, (attr, _) in enumerate(attrs)}
            values = {f":v{i}": {"N": str(n)} for i, (_, n) in enumerate(attrs)}
            expression = "ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(attrs)))
            actions.append(
                {
                    "Update": {
                        "TableName": name,
                        "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                        "UpdateExpression": expression,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        client = shared_client()
        request_token = hashlib.sha256(token.encode()).hexdigest()[:36]
        for _ in retries(budget_s=20.0):
            self.calls["TransactWriteItems"] += 1
            try:
                client.transact_write_items(TransactItems=actions, ClientRequestToken=request_token)
            except client.exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons", [])
                if any(r.get("Code") == "TransactionConflict" for r in reasons):
                    continue  # a concurrent write held one of the items: retry
                raise
            except client.exceptions.TransactionInProgressException:
                continue
            return
        raise RuntimeError("the counts could not be written: too much contention")
