"""Per-tenant integer id sequences (one atomic counter item per entity type)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import Labelled


@register
class CounterItem(BaseItem):
    value = NumberAttribute(default=0)


def next_id(tenant_id: str, entity: str, count: int = 1) -> int:
    """Reserve ``count`` ids and return the last one (``UpdateItem ADD``, never reused)."""
    item = CounterItem(*keys.counter_key(tenant_id, entity))
    item.update(actions=[CounterItem.value.add(count)])
    return int(item.value)


def ref(tenant_id: str, entity: str) -> tuple[type[CounterItem], tuple[str, str]]:
    """The counter item of an entity, for reading it with other items in one batch."""
    return CounterItem, keys.counter_key(tenant_id, entity)


def current_value(item: CounterItem | None) -> int:
    return int(item.value or 0) if item is not None else 0


def claim(tx: Labelled, label: str, tenant_id: str, entity: str, current: int) -> int:
    """Take id ``current + 1`` inside ``tx``: a compare-and-set on the counter read just
    before, so the id costs no extra call. The transaction fails (``label``) when another
    writer took it first (the caller re-reads and retries); ids stay unique and are never
    reused."""
    item = CounterItem(*keys.counter_key(tenant_id, entity))
    condition = (
        (CounterItem.value == current)
        if current
        else (CounterItem.value.does_not_exist() | (CounterItem.value == 0))
    )
    tx.update(label, item, [CounterItem.value.set(current + 1)], condition=condition)
    return current + 1
