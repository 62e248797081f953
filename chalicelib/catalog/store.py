"""Line items (the price book): name, category, list price, optional default rate.

Keys (``platform.keys``): ``T#<tid>#ITEM`` / ``<id>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, change_actions, register

UPDATABLE = (
    "name",
    "category",
    "price_cents",
    "description",
    "sku",
    "default_commission_bps",
    "active",
)


@register
class LineItemItem(BaseItem):
    tenant_id = UnicodeAttribute()
    item_id = NumberAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    price_cents = NumberAttribute()
    description = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    default_commission_bps = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


def get(tenant_id: str, item_id: int) -> LineItemItem | None:
    return LineItemItem.find(keys.line_item_key(tenant_id, item_id), tenant_id=tenant_id)


def ref(tenant_id: str, item_id: int) -> tuple[type[LineItemItem], tuple[str, str]]:
    """A line item, to read with other items in one batch."""
    return LineItemItem, keys.line_item_key(tenant_id, item_id)


def list_all(tenant_id: str) -> list[LineItemItem]:
    """Every line item of the tenant, by id (one Query per 1 MB; price books are small)."""
    return list(LineItemItem.query(keys.line_items_pk(tenant_id)))


def create(tenant_id: str, item_id: int, fields: dict[str, Any], now: datetime) -> LineItemItem:
    item = LineItemItem(
        *keys.line_item_key(tenant_id, item_id),
        tenant_id=tenant_id,
        item_id=item_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    item.save(condition=LineItemItem.pk.does_not_exist())
    return item


def update(item: LineItemItem, changes: dict[str, Any], now: datetime) -> LineItemItem:
    """Apply ``changes`` (None removes an optional attribute); returns the updated item."""
    actions = change_actions(LineItemItem, changes, UPDATABLE)
    actions.append(LineItemItem.updated_at.set(now))
    item.update(actions=actions, condition=LineItemItem.pk.exists())
    return item
