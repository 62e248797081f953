"""What the pay-period tests (and their e2e ones) share: the table writes made while a
block runs (to prove that a GET writes nothing), which periods a filter keeps, and
builders of periods as they were stored before ids were given at creation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tests.support.aws_calls import Call, wrapped

WRITES = {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
}


def _keys(operation: str, params: dict[str, Any]) -> list[str]:
    if operation == "TransactWriteItems":
        bodies = [next(iter(part.values())) for part in params["TransactItems"]]
        return [(body.get("Key") or body["Item"])["pk"]["S"] for body in bodies]
    if operation == "BatchWriteItem":
        found = []
        for requests in params["RequestItems"].values():
            for request in requests:
                body = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
                found.append(body["pk"]["S"])
        return found
    return [(params.get("Key") or params["Item"])["pk"]["S"]]


@contextlib.contextmanager
def table_writes() -> Iterator[list[str]]:
    """The partition keys written to DynamoDB while the block runs, except the rate
    limiter's windows (``RL#``: every request counts in them)."""
    written: list[str] = []

    def recording(call: Call, client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb" and operation in WRITES:
            written.extend(pk for pk in _keys(operation, params) if not pk.startswith("RL#"))
        return call(client, operation, params)

    with wrapped(recording):
        yield written


def matches(period: dict, flt: dict) -> bool:
    """Whether a listed period (``status``, ``start_date``, ``end_date``) is one a list
    filtered by ``flt`` (``status``, ``date``, ``date_from``, ``date_to``) shows."""
    return (
        ("status" not in flt or period["status"] == flt["status"])
        and ("date" not in flt or period["start_date"] <= flt["date"] <= period["end_date"])
        and ("date_from" not in flt or period["end_date"] >= flt["date_from"])
        and ("date_to" not in flt or period["start_date"] <= flt["date_to"])
    )


def legacy_period(tenant_id: str, window: Any, status: str = "open", period_id: int | None = None):
    """A period item as it was stored before ids were given at creation: no ``listed``
    mark, not counted in the lists' rollup, an id only if it was listed then."""
    from chalicelib.payperiods.store import new_item, new_pointer

    item = new_item(tenant_id, window, status, period_id)
    item.save()
    if period_id is not None:
        new_pointer(tenant_id, period_id, window.key).save()
    return item
