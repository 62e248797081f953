"""Count what DynamoDB reads while a block runs: calls by operation and items read
(a Query's ``ScannedCount``, the items a GetItem or BatchGetItem returned)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Reads:
    calls: Counter[str] = field(default_factory=Counter)
    items: int = 0
    queried: int = 0  # of which by Query


def _items_read(operation: str, reply: dict) -> int:
    if operation in ("Query", "Scan"):
        return int(reply.get("ScannedCount", 0))
    if operation == "GetItem":
        return 1 if "Item" in reply else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in reply.get("Responses", {}).values())
    return 0


@contextlib.contextmanager
def counting_reads() -> Iterator[Reads]:
    import botocore.client

    reads = Reads()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        reply = original(self, operation_name, api_params)
        if self.meta.service_model.service_name == "dynamodb":
            reads.calls[operation_name] += 1
            n = _items_read(operation_name, reply)
            reads.items += n
            if operation_name == "Query":
                reads.queried += n
        return reply

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
