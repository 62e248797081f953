"""A transaction that remembers a label per item, so a cancelled ``TransactWriteItems``
says which conditions failed (PynamoDB sends condition checks, deletes, puts and updates
in that order, whatever order they were added in)."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from pynamodb.exceptions import TransactWriteError

from chalicelib.store.errors import ConditionFailed
from chalicelib.store.table import transaction


class Contention(Exception):
    """The transaction lost a race with another one on the same items (retry it)."""


class Labelled:
    def __init__(self, tx: Any) -> None:
        self.tx = tx
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def check(self, label: str, model_cls: Any, key: tuple[str, str], condition: Any) -> None:
        self.tx.condition_check(model_cls, key[0], key[1], condition=condition)
        self._labels["check"].append(label)

    def delete(self, label: str, item: Any, condition: Any = None) -> None:
        self.tx.delete(item, condition=condition)
        self._labels["delete"].append(label)

    def save(self, label: str, item: Any, condition: Any = None) -> None:
        self.tx.save(item, condition=condition)
        self._labels["put"].append(label)

    def update(self, label: str, item: Any, actions: list[Any], condition: Any = None) -> None:
        self.tx.update(item, actions=actions, condition=condition)
        self._labels["update"].append(label)

    @property
    def labels(self) -> list[str]:
        return [*self._labels["check"], *self._labels["delete"], *self._labels["put"],
                *self._labels["update"]]


@contextlib.contextmanager
def labelled_transaction() -> Iterator[Labelled]:
    """Commit on exit. Raises ``ConditionFailed`` naming the labels whose condition
    failed, or ``Contention`` when only a concurrent transaction got in the way."""
    labelled: Labelled | None = None
    try:
        with transaction() as tx:
            labelled = Labelled(tx)
            yield labelled
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        labels = labelled.labels if labelled else []
        failed = [label for label, reason in zip(labels, reasons)
                  if reason is not None and reason.code == "ConditionalCheckFailed"]
        if failed:
            raise ConditionFailed(failed) from exc
        if any(reason is not None and reason.code == "TransactionConflict"
               for reason in reasons):
            raise Contention(str(exc)) from exc
        raise


def create_all(labelled_items: list[tuple[str, Any]]) -> None:
    """Put every item only if its key is free, atomically; ``ConditionFailed`` names the
    labels of the keys that were taken."""
    with labelled_transaction() as tx:
        for label, item in labelled_items:
            tx.save(label, item, condition=type(item).pk.does_not_exist())
