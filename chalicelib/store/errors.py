"""Store-level failures, free of PynamoDB types so services need not import them."""
from __future__ import annotations


class ConditionFailed(Exception):
    """A conditional write lost: ``failed`` names the items (by label) whose condition failed."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"condition failed for: {', '.join(failed) or 'unknown'}")
        self.failed = failed

