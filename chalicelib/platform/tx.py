"""Conditional writes and transactions, and the failures they report.

A transaction remembers a label per item, so a cancelled ``TransactWriteItems`` says which
conditions failed (PynamoDB sends condition checks, deletes, puts and updates in that
order, whatever order they were added in). Services compose one transaction from the
parts each feature's store adds to it (``tx.save``, ``tx.update``, ``tx.check``), so two
items that must agree are written together or not at all.

Failures are free of PynamoDB types, so services need not import them:
``ConditionFailed`` names the labels whose condition failed, ``Contention`` says only a
concurrent transaction got in the way (retry). ``applied`` and ``labelled`` are the one
way a single conditional write turns its failed condition into a result.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from chalicelib.core import clock
from chalicelib.platform.table import transaction

CONDITION_FAILED = "ConditionalCheckFailedException"
_WRITE_ERRORS = (PutError, UpdateError, DeleteError)


class ConditionFailed(Exception):
    """A conditional write lost: ``failed`` names the items (by label) whose condition
    failed."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"condition failed for: {', '.join(failed) or 'unknown'}")
        self.failed = failed


class Contention(Exception):
    """The transaction lost a race with another one on the same items (retry it)."""


RETRY_BUDGET_S = 8.0  # well inside API Gateway's 29 s


def retries(
    budget_s: float = RETRY_BUDGET_S, first_s: float = 0.01, cap_s: float = 0.25
) -> Iterator[int]:
    """Attempt numbers (0, 1, 2...) for an optimistic write that may lose a race (a
    compare-and-set on a counter, a transaction conflict on a shared item): between
    attempts it sleeps a jittered delay that doubles up to ``cap_s``, until ``budget_s``
    is spent. Losing such a race is not an error a client should see."""
    deadline = clock.monotonic() + budget_s
    attempt = 0
    while True:
        yield attempt
        attempt += 1
        if clock.monotonic() >= deadline:
            return
        clock.sleep(random.uniform(0, min(cap_s, first_s * 2**attempt)))


def condition_failed(exc: BaseException) -> bool:
    """True when a single write failed only because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == CONDITION_FAILED


def applied(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when it was applied, False when its condition
    failed (any other failure raises)."""
    try:
        write()
    except _WRITE_ERRORS as exc:
        if condition_failed(exc):
            return False
        raise
    return True


@contextlib.contextmanager
def labelled(label: str) -> Iterator[None]:
    """Around one conditional write: a failed condition becomes
    ``ConditionFailed([label])``."""
    try:
        yield
    except _WRITE_ERRORS as exc:
        if condition_failed(exc):
            raise ConditionFailed([label]) from exc
        raise


class Labelled:
    """A ``TransactWrite`` whose every part carries a label."""

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

    def create(self, label: str, item: Any) -> None:
        """Put ``item`` only if its key is free."""
        self.save(label, item, condition=type(item).pk.does_not_exist())

    @property
    def labels(self) -> list[str]:
        return [
            *self._labels["check"],
            *self._labels["delete"],
            *self._labels["put"],
            *self._labels["update"],
        ]


@contextlib.contextmanager
def labelled_transaction() -> Iterator[Labelled]:
    """Commit on exit. Raises ``ConditionFailed`` naming the labels whose condition
    failed, or ``Contention`` when only a concurrent transaction got in the way."""
    labelled_tx: Labelled | None = None
    try:
        with transaction() as tx:
            labelled_tx = Labelled(tx)
            yield labelled_tx
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        labels = labelled_tx.labels if labelled_tx else []
        # an error without cancellation reasons (not a cancellation) names no label
        failed = [
            label
            for label, reason in zip(labels, reasons, strict=False)
            if reason is not None and reason.code == "ConditionalCheckFailed"
        ]
        if failed:
            raise ConditionFailed(failed) from exc
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise Contention(str(exc)) from exc
        raise


def create_all(labelled_items: list[tuple[str, Any]]) -> None:
    """Put every item only if its key is free, atomically; ``ConditionFailed`` names the
    labels of the keys that were taken."""
    with labelled_transaction() as tx:
        for label, item in labelled_items:
            tx.create(label, item)
