"""What the pay-period tests share: the table writes made while a block runs (to prove
that a GET writes nothing), and builders of periods as they were stored before ids were
given at creation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

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
    import botocore.client

    written: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        if self.meta.service_model.service_name == "dynamodb" and operation_name in WRITES:
            written.extend(
                pk for pk in _keys(operation_name, api_params) if not pk.startswith("RL#")
            )
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield written
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def legacy_period(tenant_id: str, window: Any, status: str = "open", period_id: int | None = None):
    """A period item as it was stored before ids were given at creation: no ``listed``
    mark, not counted in the lists' rollup, an id only if it was listed then."""
    from chalicelib.payperiods.store import PayPeriodItem, PayPeriodPointerItem
    from chalicelib.platform import keys

    item = PayPeriodItem(
        *keys.pay_period_key(tenant_id, window.key),
        tenant_id=tenant_id,
        status=status,
        frequency=window.frequency,
        start_date=window.start.isoformat(),
        end_date=window.end.isoformat(),
        period_id=period_id,
    )
    item.save()
    if period_id is not None:
        PayPeriodPointerItem(
            *keys.pay_period_id_key(tenant_id, period_id),
            tenant_id=tenant_id,
            start_date=window.key,
        ).save()
    return item
