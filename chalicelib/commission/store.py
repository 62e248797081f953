"""Technician x line item commission overrides (rule level 1). Category rates and plans
are stored on the technician (the technicians feature), item defaults on the line item
(catalog), tenant defaults and the discount scale in the tenant settings.

Keys (``platform.keys``): ``T#<tid>#COMMCFG`` / ``TECH#<tech>#ITEM#<item>``.
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
from chalicelib.platform.table import BaseItem, register, take
from chalicelib.platform.tx import applied


@register
class CommissionOverrideItem(BaseItem):
    """Technician x line item override (rule level 1)."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    item_id = NumberAttribute()
    commission_rate_bps = NumberAttribute(null=True)
    flat_cents = NumberAttribute(null=True)
    ov_rate_bps = NumberAttribute(default=0)
    discount_scale_enabled = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute()
    updated_by = NumberAttribute(null=True)


def ref(
    tenant_id: str, technician_id: int, item_id: int
) -> tuple[type[CommissionOverrideItem], tuple[str, str]]:
    return CommissionOverrideItem, keys.commission_override_key(tenant_id, technician_id, item_id)


def get_override(tenant_id: str, technician_id: int, item_id: int) -> CommissionOverrideItem | None:
    return CommissionOverrideItem.find(
        keys.commission_override_key(tenant_id, technician_id, item_id)
    )


def put_override(
    tenant_id: str,
    technician_id: int,
    item_id: int,
    rule: dict[str, Any],
    actor: int | None,
    now: datetime,
) -> CommissionOverrideItem:
    """Create or replace (PUT semantics); ``rule``: commission_rate_bps, flat_cents,
    ov_rate_bps, discount_scale_enabled."""
    item = CommissionOverrideItem(
        *keys.commission_override_key(tenant_id, technician_id, item_id),
        tenant_id=tenant_id,
        technician_id=technician_id,
        item_id=item_id,
        updated_at=now,
        updated_by=actor,
        **rule,
    )
    item.save()
    return item


def delete_override(tenant_id: str, technician_id: int, item_id: int) -> bool:
    """False when nothing was configured."""
    item = CommissionOverrideItem(*keys.commission_override_key(tenant_id, technician_id, item_id))
    return applied(lambda: item.delete(condition=CommissionOverrideItem.pk.exists()))


MAX_OVERRIDES_SHOWN = 1000


def list_overrides(tenant_id: str, technician_id: int) -> list[CommissionOverrideItem]:
    """A technician's item overrides by item id: at most ``MAX_OVERRIDES_SHOWN`` (one Query
    of that limit; a technician with more sees the first ones in the configuration view,
    and each is still read one by one when a sale uses it)."""
    pk, prefix = keys.commission_overrides_prefix(tenant_id, technician_id)
    query = CommissionOverrideItem.query(
        pk, CommissionOverrideItem.sk.startswith(prefix), limit=MAX_OVERRIDES_SHOWN
    )
    return take(query, MAX_OVERRIDES_SHOWN)
