"""Signed commission adjustments dated in pay periods: built, added to a transaction, read
by date range."""

from __future__ import annotations

from datetime import datetime

from chalicelib.payperiods.store.items import AdjustmentItem
from chalicelib.platform import keys
from chalicelib.platform.tx import Labelled


# --- adjustments -----------------------------------------------------------------------------
def new_adjustment(
    tenant_id: str,
    *,
    effective_date: str,
    period_start: str,
    sale_id: int,
    role: str,
    technician_id: int,
    amount_cents: int,
    reason: str,
    actor: int,
    now: datetime,
) -> AdjustmentItem:
    return AdjustmentItem(
        *keys.adjustment_key(tenant_id, effective_date, sale_id, role),
        tenant_id=tenant_id,
        technician_id=technician_id,
        sale_id=sale_id,
        role=role,
        amount_cents=amount_cents,
        reason=reason,
        effective_date=effective_date,
        period_start=period_start,
        created_by=actor,
        created_at=now,
    )


def add_adjustment(tx: Labelled, adjustment: AdjustmentItem, label: str = "adjustment") -> None:
    tx.create(label, adjustment)


def adjustments_between(
    tenant_id: str, date_from: str, date_to: str, consistent: bool = False
) -> list[AdjustmentItem]:
    """Adjustments dated ``date_from``..``date_to`` (for pay-period totals)."""
    return list(
        AdjustmentItem.query(
            keys.adjustments_pk(tenant_id),
            AdjustmentItem.sk.between(date_from, date_to + "#~"),
            consistent_read=consistent,
        )
    )
