"""Line items (the price book) and their categories.

DynamoDB calls: create 2 (id counter, conditional put); get 1; list 1 Query; update 2.
"""

from __future__ import annotations

from typing import Any

from chalicelib.catalog import store
from chalicelib.catalog.rules import category_key, tidy_category
from chalicelib.catalog.store import LineItemItem as LineItemItem
from chalicelib.core import clock
from chalicelib.core.errors import found
from chalicelib.platform import counters

ENTITY = "line_item"
ref = store.ref  # a line item for another feature's batch read


def get(tenant_id: str, item_id: int) -> LineItemItem:
    return found(store.get(tenant_id, item_id), f"line item {item_id} not found")


def list_all(
    tenant_id: str, *, category: str | None = None, active: bool | None = None
) -> list[LineItemItem]:
    items = store.list_all(tenant_id)
    if category is not None:
        wanted = category_key(category)
        items = [i for i in items if category_key(i.category) == wanted]
    if active is not None:
        items = [i for i in items if bool(i.active) == active]
    return items


def categories(tenant_id: str) -> list[dict[str, Any]]:
    """Distinct categories (first spelling seen) with how many items, active ones counted."""
    found: dict[str, dict[str, Any]] = {}
    for item in store.list_all(tenant_id):
        entry = found.setdefault(
            category_key(item.category),
            {"category": item.category, "item_count": 0, "active_item_count": 0},
        )
        entry["item_count"] += 1
        entry["active_item_count"] += 1 if item.active else 0
    return sorted(found.values(), key=lambda e: e["category"].lower())


def create(tenant_id: str, fields: dict[str, Any]) -> LineItemItem:
    fields = {**fields, "category": tidy_category(fields["category"])}
    return store.create(tenant_id, counters.next_id(tenant_id, ENTITY), fields, clock.now())


def update(tenant_id: str, item_id: int, changes: dict[str, Any]) -> LineItemItem:
    item = get(tenant_id, item_id)
    if "category" in changes and changes["category"] is not None:
        changes = {**changes, "category": tidy_category(changes["category"])}
    if not changes:
        return item
    return store.update(item, changes, clock.now())


def set_default_rate(item: LineItemItem, rate_bps: int | None) -> LineItemItem:
    """The item's default commission rate (rule level 4); None removes it."""
    return store.update(item, {"default_commission_bps": rate_bps}, clock.now())
