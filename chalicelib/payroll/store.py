"""A closed period's frozen per-technician totals.

Keys (``platform.keys``): ``T#<tid>#PAYTOTAL#<period first day>`` / ``<technician id>``;
one Query reads a period's totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, register


@register
class PayTotalItem(BaseItem):
    """One technician's frozen totals of a closed period (``keys.pay_total_key``):
    ``totals`` is ``payroll.rules.TechnicianTotals.to_dict()``."""

    tenant_id = UnicodeAttribute()
    period_start = UnicodeAttribute()
    technician_id = NumberAttribute()
    totals = JSONAttribute()
    lines_count = NumberAttribute(default=0)
    adjustments_count = NumberAttribute(default=0)


def write_totals(tenant_id: str, period_start: str, rows: Iterable[dict[str, Any]]) -> None:
    """Frozen per-technician totals, ``BatchWriteItem`` (25 a call). Each row:
    ``{"totals": TechnicianTotals dict, "lines_count", "adjustments_count"}``. Rewriting
    the same rows (a resumed close) is harmless."""
    with PayTotalItem.batch_write() as batch:
        for row in rows:
            totals = row["totals"]
            tech_id = int(totals["technician_id"])
            batch.save(
                PayTotalItem(
                    *keys.pay_total_key(tenant_id, period_start, tech_id),
                    tenant_id=tenant_id,
                    period_start=period_start,
                    technician_id=tech_id,
                    totals=totals,
                    lines_count=int(row.get("lines_count", 0)),
                    adjustments_count=int(row.get("adjustments_count", 0)),
                )
            )


def frozen_totals(tenant_id: str, period_start: str) -> list[PayTotalItem]:
    """A closed period's frozen totals, by technician id (one Query)."""
    return list(
        PayTotalItem.query(keys.pay_totals_pk(tenant_id, period_start), consistent_read=True)
    )
