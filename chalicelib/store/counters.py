"""Per-tenant integer id sequences (one atomic counter item per entity type)."""
from __future__ import annotations

from chalicelib.store import keys
from chalicelib.store.models import CounterItem


def next_id(tenant_id: str, entity: str, count: int = 1) -> int:
    """Reserve ``count`` ids and return the last one (``UpdateItem ADD``, never reused)."""
    item = CounterItem(*keys.counter_key(tenant_id, entity))
    item.update(actions=[CounterItem.value.add(count)])
    return int(item.value)
