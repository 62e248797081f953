"""Line items (the price book) and their categories.

DynamoDB calls: create 2 (id counter, one transaction with the item, its count and its
category's spelling); get 1; list 1 BatchGetItem (the counts) + about 1 Query of
``limit`` items (``catalog.listing``); categories 2 (the counts, the spellings); update 2
(read, conditional update; a transaction with the counts when ``category`` or ``active``
is sent, retried when either changed since it was read).
"""

from __future__ import annotations

from typing import Any

from chalicelib.catalog import listing, store
from chalicelib.catalog.rules import category_key, tidy_category
from chalicelib.catalog.store import LineItemItem as LineItemItem
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import counters
from chalicelib.platform.bulk import BulkWrite
from chalicelib.platform.tx import ConditionFailed, Contention, retries

ENTITY = "line_item"
ref = store.ref  # a line item for another feature's batch read


def get(tenant_id: str, item_id: int, consistent: bool = False) -> LineItemItem:
    return found(store.get(tenant_id, item_id, consistent), f"line item {item_id} not found")


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    category: str | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """One page of the price book, by id; ``category`` matches any spelling."""
    return listing.page(tenant_id, request, category=category, active=active)


def categories(tenant_id: str) -> list[dict[str, Any]]:
    """Distinct categories in use (first spelling given) with how many items, active ones
    counted: read from the list's counts, not from the items."""
    return listing.categories(tenant_id)


def create(tenant_id: str, fields: dict[str, Any]) -> LineItemItem:
    fields = {**fields, "category": tidy_category(fields["category"])}
    item_id = counters.next_id(tenant_id, ENTITY)
    parts = listing.counted(
        tenant_id, item_id, None, (bool(fields.get("active", True)), fields["category"])
    )
    for _ in retries():  # another write of the tenant's counts got in the way
        try:
            return store.create(tenant_id, item_id, fields, clock.now(), parts)
        except Contention:
            continue
    raise Conflict("the price book is being changed by other requests; retry")


def create_many(tenant_id: str, rows: list[dict[str, Any]], token: str) -> list[int]:
    """Create line items in bulk (the onboarding import), each as ``create`` would: ids
    in row order from one ``ADD`` of ``len(rows)`` on the id counter, the items in
    BatchWriteItems of 25, their list counts summed into one transaction, and one write of
    the spelling of each category (``platform.bulk``; ``token`` is unique to the
    import). Returns the new ids."""
    n = len(rows)
    if n == 0:
        return []
    first = counters.next_id(tenant_id, ENTITY, n) - n + 1
    now = clock.now()
    bulk = BulkWrite()
    spelled: set[str] = set()
    for k, fields in enumerate(rows):
        fields = {**fields, "category": tidy_category(fields["category"])}
        bulk.create("line_item", store.new_item(tenant_id, first + k, fields, now))
        count, *spelling = listing.counted(
            tenant_id, first + k, None, (bool(fields.get("active", True)), fields["category"])
        )
        count(bulk)  # type: ignore[arg-type]
        if category_key(fields["category"]) not in spelled:
            spelled.add(category_key(fields["category"]))
            for part in spelling:
                part(bulk)  # type: ignore[arg-type]
    bulk.flush(token)
    return list(range(first, first + n))


def update(tenant_id: str, item_id: int, changes: dict[str, Any]) -> LineItemItem:
    """A change of ``category`` or ``active`` moves the list's counts in the same
    transaction; it requires both as read and is applied again to what the item is now
    when another request changed them meanwhile."""
    if "category" in changes and changes["category"] is not None:
        changes = {**changes, "category": tidy_category(changes["category"])}
    if not any(name in changes for name in store.FACETED):
        item = get(tenant_id, item_id)
        return store.update(item, changes, clock.now()) if changes else item
    for _ in retries():
        item = get(tenant_id, item_id, consistent=True)
        old = (bool(item.active), str(item.category))
        new = (bool(changes.get("active", old[0])), str(changes.get("category", old[1])))
        parts = listing.counted(tenant_id, item_id, old, new)
        try:
            return store.update(item, changes, clock.now(), parts)
        except (ConditionFailed, Contention):
            continue  # changed meanwhile: apply the change to what it is now
    raise Conflict(f"line item {item_id} is being changed by other requests; retry")


def set_default_rate(item: LineItemItem, rate_bps: int | None) -> LineItemItem:
    """The item's default commission rate (rule level 4); None removes it."""
    return store.update(item, {"default_commission_bps": rate_bps}, clock.now())
