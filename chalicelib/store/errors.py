"""Store-level failures, free of PynamoDB types so services need not import them."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError


class ConditionFailed(Exception):
    """A conditional write lost: ``failed`` names the items (by label) whose condition failed."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"condition failed for: {', '.join(failed) or 'unknown'}")
        self.failed = failed


def failed_labels(error: TransactWriteError, labels: list[str]) -> list[str]:
    """Map a cancelled transaction's reasons back to the labels of its items, in order."""
    reasons = error.cancellation_reasons or []
    return [label for label, reason in zip(labels, reasons)
            if reason is not None and reason.code == "ConditionalCheckFailed"]
