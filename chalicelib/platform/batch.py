"""Read items of different models in one ``BatchGetItem`` (PynamoDB's ``batch_get`` takes
one model class only). Keys are built by ``platform.keys``; results come back as model
instances, ``None`` for a missing item, in the order asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.platform.table import shared_client, table_name

M = TypeVar("M", bound=Model)
MAX_KEYS = 100
MAX_ROUNDS = 8


def get_many(
    requests: Sequence[tuple[type[Model], tuple[str, str]]], consistent: bool = False
) -> list[Model | None]:
    """``requests`` are ``(ModelClass, (pk, sk))``; duplicates are read once."""
    raws = get_raw([key for _, key in requests], consistent=consistent)
    return [
        None if raw is None else model.from_raw_data(raw)
        for (model, _), raw in zip(requests, raws, strict=True)
    ]


def get_raw(wanted: Sequence[tuple[str, str]], consistent: bool = False) -> list[dict | None]:
    """The raw items (DynamoDB JSON) at ``(pk, sk)`` keys, None where missing, in the order
    asked; one ``BatchGetItem`` unless throttled."""
    if not wanted:
        return []
    unique = list(dict.fromkeys(wanted))
    if len(unique) > MAX_KEYS:
        raise ValueError(f"at most {MAX_KEYS} keys per batch")
    client = shared_client()
    name = table_name()
    pending = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in unique]
    found: dict[tuple[str, str], dict] = {}
    for attempt in range(MAX_ROUNDS):
        if attempt:
            clock.sleep(min(1.0, 0.05 * 2**attempt))  # throttled: back off
        request = {name: {"Keys": pending, "ConsistentRead": consistent}}
        reply = client.batch_get_item(RequestItems=request)
        for raw in reply.get("Responses", {}).get(name, []):
            found[(raw["pk"]["S"], raw["sk"]["S"])] = raw
        pending = reply.get("UnprocessedKeys", {}).get(name, {}).get("Keys", [])
        if not pending:
            break
    else:
        raise RuntimeError("BatchGetItem left keys unprocessed after retries")
    return [found.get(key) for key in wanted]


def put_raw(items: Sequence[dict]) -> None:
    """Put raw items (DynamoDB JSON) with ``BatchWriteItem`` in 25s, retrying what comes
    back unprocessed (bulk loads and recounts; not for writes that must agree)."""
    client = shared_client()
    name = table_name()
    for start in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        for attempt in range(MAX_ROUNDS):
            if attempt:
                clock.sleep(min(1.0, 0.05 * 2**attempt))
            reply = client.batch_write_item(RequestItems={name: pending})
            pending = reply.get("UnprocessedItems", {}).get(name, [])
            if not pending:
                break
        else:
            raise RuntimeError("BatchWriteItem left items unprocessed after retries")
