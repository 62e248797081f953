"""Line items (the price book): name, category, list price, optional default rate; and the
spelling each category was first given.

Keys (``platform.keys``): items ``T#<tid>#ITEM`` / ``<id>``; spellings
``T#<tid>#ITEMCAT`` / ``SPELLINGS``. The list's counts are ``catalog.listing``: creating
an item and changing its ``category`` or ``active`` are transactions that carry the
service's ``parts`` (the count moves, the category's spelling), and such a change requires
``category`` and ``active`` to be as read, so the counts it moves are exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.catalog.rules import category_key
from chalicelib.platform import keys
from chalicelib.platform.batch import get_raw
from chalicelib.platform.table import BaseItem, change_actions, register
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]  # another write of the item's transaction
FACETED = ("category", "active")  # what the list filters on
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
    """A line item. ``category_key`` is ``catalog.rules.category_key(category)``, kept so
    that the list's category filter is a filter expression."""

    tenant_id = UnicodeAttribute()
    item_id = NumberAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    category_key = UnicodeAttribute(null=True)
    price_cents = NumberAttribute()
    description = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    default_commission_bps = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


@register
class CategorySpellingsItem(BaseItem):
    """The tenant's category spellings: one attribute ``s#<escaped key>`` per category key
    ever used, holding the spelling it was first given (read raw)."""


def get(tenant_id: str, item_id: int, consistent: bool = False) -> LineItemItem | None:
    return LineItemItem.find(
        keys.line_item_key(tenant_id, item_id), tenant_id=tenant_id, consistent=consistent
    )


def ref(tenant_id: str, item_id: int) -> tuple[type[LineItemItem], tuple[str, str]]:
    """A line item, to read with other items in one batch."""
    return LineItemItem, keys.line_item_key(tenant_id, item_id)


def new_item(tenant_id: str, item_id: int, fields: dict[str, Any], now: datetime) -> LineItemItem:
    """The (unsaved) line item."""
    return LineItemItem(
        *keys.line_item_key(tenant_id, item_id),
        tenant_id=tenant_id,
        item_id=item_id,
        category_key=category_key(fields["category"]),
        created_at=now,
        updated_at=now,
        **fields,
    )


def create(
    tenant_id: str, item_id: int, fields: dict[str, Any], now: datetime, parts: Sequence[Part]
) -> LineItemItem:
    """Write the item with the ``parts`` (its count, its category's spelling)."""
    item = new_item(tenant_id, item_id, fields, now)
    with labelled_transaction() as tx:
        tx.create("line_item", item)
        for part in parts:
            part(tx)
    return item


def as_read(item: LineItemItem) -> Condition:
    """The item exists with the category and ``active`` it was read with."""
    return (
        LineItemItem.pk.exists()
        & (LineItemItem.category == item.category)
        & (LineItemItem.active == bool(item.active))
    )


def update(
    item: LineItemItem, changes: dict[str, Any], now: datetime, parts: Sequence[Part] = ()
) -> LineItemItem:
    """Apply ``changes`` (None removes an optional attribute); returns the updated item. A
    change of ``category`` or ``active`` is one transaction with the ``parts`` and requires
    both as read (``ConditionFailed`` labelled ``line_item`` otherwise)."""
    actions = change_actions(LineItemItem, changes, UPDATABLE)
    actions.append(LineItemItem.updated_at.set(now))
    if "category" in changes:
        actions.append(LineItemItem.category_key.set(category_key(changes["category"])))
    if not any(name in changes for name in FACETED) and not parts:
        item.update(actions=actions, condition=LineItemItem.pk.exists())
        return item
    with labelled_transaction() as tx:
        tx.update("line_item", item, actions, condition=as_read(item))
        for part in parts:
            part(tx)
    for name, value in changes.items():
        setattr(item, name, value)
    if "category" in changes:
        item.category_key = category_key(changes["category"])
    item.updated_at = now
    return item


# --- category spellings -----------------------------------------------------------------
_SPELLING = "s#"


def keep_spelling(tenant_id: str, escaped_key: str, spelling: str) -> Part:
    """The part that records ``spelling`` for a category key unless it has one already
    (``escaped_key``: the key as a facet spells it, safe as an attribute name)."""
    attr = UnicodeAttribute(attr_name=_SPELLING + escaped_key)

    def part(tx: Labelled) -> None:
        item = CategorySpellingsItem(*keys.line_item_categories_key(tenant_id))
        tx.update("category_spelling", item, [attr.set(attr | spelling)])

    return part


def spellings(tenant_id: str) -> dict[str, str]:
    """Escaped category key -> spelling (one GetItem, consistent)."""
    (raw,) = get_raw([keys.line_item_categories_key(tenant_id)], consistent=True)
    return {
        name[len(_SPELLING) :]: value["S"]
        for name, value in (raw or {}).items()
        if name.startswith(_SPELLING)
    }
