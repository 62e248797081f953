"""Line items (the price book): name, category, list price, optional default rate."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.store import keys
from chalicelib.store.models import LineItemItem

_UPDATABLE = ("name", "category", "price_cents", "description", "sku",
              "default_commission_bps", "active")


def get(tenant_id: str, item_id: int) -> LineItemItem | None:
    try:
        item = LineItemItem.get(*keys.line_item_key(tenant_id, item_id))
    except DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def list_all(tenant_id: str) -> list[LineItemItem]:
    """Every line item of the tenant, by id (one Query per 1 MB; price books are small)."""
    return list(LineItemItem.query(keys.line_items_pk(tenant_id)))


def create(tenant_id: str, item_id: int, fields: dict[str, Any], now: datetime) -> LineItemItem:
    item = LineItemItem(*keys.line_item_key(tenant_id, item_id), tenant_id=tenant_id,
                        item_id=item_id, created_at=now, updated_at=now, **fields)
    item.save(condition=LineItemItem.pk.does_not_exist())
    return item


def update(item: LineItemItem, changes: dict[str, Any], now: datetime) -> LineItemItem:
    """Apply ``changes`` (None removes an optional attribute); returns the updated item."""
    actions = []
    for name, value in changes.items():
        if name not in _UPDATABLE:
            raise ValueError(f"line item attribute {name!r} cannot be changed")
        attr = getattr(LineItemItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    actions.append(LineItemItem.updated_at.set(now))
    item.update(actions=actions, condition=LineItemItem.pk.exists())
    return item
