"""Technician x line item commission overrides (rule level 1). Category rates and plans
are stored on the technician (``store.technicians``); item defaults on the line item;
tenant defaults and the discount scale in the tenant settings."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist

from chalicelib.store import keys
from chalicelib.store.batch import get_many
from chalicelib.store.models import CommissionOverrideItem, LineItemItem, TechnicianItem


def override_key(tenant_id: str, technician_id: int, item_id: int) -> tuple[str, str]:
    return keys.commission_override_key(tenant_id, technician_id, item_id)


def get_override(tenant_id: str, technician_id: int,
                 item_id: int) -> CommissionOverrideItem | None:
    try:
        return CommissionOverrideItem.get(*override_key(tenant_id, technician_id, item_id))
    except DoesNotExist:
        return None


def put_override(tenant_id: str, technician_id: int, item_id: int, *,
                 commission_rate_bps: int | None, flat_cents: int | None, ov_rate_bps: int,
                 discount_scale_enabled: bool, actor: int | None,
                 now: datetime) -> CommissionOverrideItem:
    """Create or replace (PUT semantics)."""
    item = CommissionOverrideItem(
        *override_key(tenant_id, technician_id, item_id), tenant_id=tenant_id,
        technician_id=technician_id, item_id=item_id, commission_rate_bps=commission_rate_bps,
        flat_cents=flat_cents, ov_rate_bps=ov_rate_bps,
        discount_scale_enabled=discount_scale_enabled, updated_at=now, updated_by=actor)
    item.save()
    return item


def delete_override(tenant_id: str, technician_id: int, item_id: int) -> bool:
    """False when nothing was configured."""
    item = CommissionOverrideItem(*override_key(tenant_id, technician_id, item_id))
    try:
        item.delete(condition=CommissionOverrideItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def list_overrides(tenant_id: str, technician_id: int) -> list[CommissionOverrideItem]:
    pk, prefix = keys.commission_overrides_prefix(tenant_id, technician_id)
    return list(CommissionOverrideItem.query(pk, CommissionOverrideItem.sk.startswith(prefix)))


def technician_and_item(tenant_id: str, technician_id: int, item_id: int
                        ) -> tuple[TechnicianItem | None, LineItemItem | None]:
    """Both in one ``BatchGetItem`` (None where missing)."""
    tech, item = get_many([(TechnicianItem, keys.technician_key(tenant_id, technician_id)),
                           (LineItemItem, keys.line_item_key(tenant_id, item_id))])
    return tech, item  # type: ignore[return-value]
