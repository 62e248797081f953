"""Line items (the price book) and their categories.

DynamoDB calls: create 2 (id counter, conditional put); get 1; list 1 Query; update 2.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.domain.sales import category_key
from chalicelib.store import counters
from chalicelib.store import line_items as store
from chalicelib.store.models import LineItemItem

ENTITY = "line_item"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def tidy_category(category: str) -> str:
    """Collapse inner whitespace; matching is case-insensitive (``category_key``)."""
    return " ".join(category.split())


def view(item: LineItemItem) -> dict[str, Any]:
    return {
        "id": int(item.item_id), "name": item.name, "category": item.category,
        "price_cents": int(item.price_cents), "description": item.description,
        "sku": item.sku,
        "default_commission_bps": (int(item.default_commission_bps)
                                   if item.default_commission_bps is not None else None),
        "active": bool(item.active),
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
    }


def get(tenant_id: str, item_id: int) -> LineItemItem:
    item = store.get(tenant_id, item_id)
    if item is None:
        raise NotFound(f"line item {item_id} not found")
    return item


def list_all(tenant_id: str, *, category: str | None = None,
             active: bool | None = None) -> list[LineItemItem]:
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
        entry = found.setdefault(category_key(item.category), {
            "category": item.category, "item_count": 0, "active_item_count": 0})
        entry["item_count"] += 1
        entry["active_item_count"] += 1 if item.active else 0
    return sorted(found.values(), key=lambda e: e["category"].lower())


def create(tenant_id: str, fields: dict[str, Any]) -> LineItemItem:
    fields = {**fields, "category": tidy_category(fields["category"])}
    return store.create(tenant_id, counters.next_id(tenant_id, ENTITY), fields, _now())


def update(tenant_id: str, item_id: int, changes: dict[str, Any]) -> LineItemItem:
    item = get(tenant_id, item_id)
    if "category" in changes and changes["category"] is not None:
        changes = {**changes, "category": tidy_category(changes["category"])}
    if not changes:
        return item
    return store.update(item, changes, _now())
