"""Count what DynamoDB reads while a block runs: calls by operation and items read
(a Query's ``ScannedCount``, the items a GetItem or BatchGetItem returned)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.support.aws_calls import Call, wrapped


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
    reads = Reads()

    def counting(call: Call, client: Any, operation: str, params: dict[str, Any]) -> Any:
        reply = call(client, operation, params)
        if client.meta.service_model.service_name == "dynamodb":
            reads.calls[operation] += 1
            n = _items_read(operation, reply)
            reads.items += n
            if operation == "Query":
                reads.queried += n
        return reply

    with wrapped(counting):
        yield reads


def id_pages_read_o_limit(api: Any, account: Any, path: str) -> None:
    """``path``, a list by id of the ids 1..230 counted in blocks of 100 ids, reads
    O(limit) unfiltered: page 1 and the page after its cursor (10 a page) read their 10
    entries (one Query for page 1), page 20 at most also the earlier ids of its block."""
    with counting_reads() as reads:
        first = api.get(f"{path}?limit=10", as_=account).data
    assert [e["id"] for e in first["items"]] == list(range(1, 11)) and first["total"] == 230
    assert reads.calls["Query"] == 1 and reads.queried == 10
    with counting_reads() as reads:
        deep = api.get(f"{path}?limit=10&page=20", as_=account).data
    assert [e["id"] for e in deep["items"]] == list(range(191, 201))
    assert reads.queried <= 10 + 100  # the page, and the earlier ids of its block of 100
    with counting_reads() as reads:
        nxt = api.get(f"{path}?limit=10&cursor={first['next_cursor']}", as_=account)
    assert [e["id"] for e in nxt.data["items"]] == list(range(11, 21))
    assert reads.queried == 10
