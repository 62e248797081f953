"""The pay-period lists (``GET /admin/pay-periods``, ``GET /tech/pay-periods``) on
``platform.listing``.

Entries: the period items themselves, partition ``T#<tid>#PAYPERIOD`` (the table, no
index), sort key the start date ``YYYY-MM-DD``, newest first. Counted by
``store.ROLLUP`` (scope ``keys.PAY_PERIODS_ROLLUP_SCOPE``): fine buckets are whole start
dates (one period per bucket, so date bounds cut no bucket and totals stay exact),
coarse buckets years; the facet is the status ("open" | "closing" | "closed"), the one
filter that is not a key condition. The date filters are key conditions on the start
date: periods tile the calendar (``payperiods.rules.schedule``), so "periods ending on or
after D" are those starting on or after the start of the period holding D.

Every write that creates a period or changes its status moves its count in its own
transaction (``store.create``, ``store.begin_close``, ``store.finish_close``,
``store.backfill``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.payperiods.rules import Schedule
from chalicelib.payperiods.store import ROLLUP, PayPeriodItem
from chalicelib.platform import keys, listing


def bounds(
    schedule: Schedule, day: date | None, date_from: date | None, date_to: date | None
) -> tuple[str | None, str | None]:
    """Inclusive start-date bounds of the periods that hold ``day`` and overlap
    ``date_from``..``date_to`` (None: open)."""
    lows, highs = [], []
    if day is not None:
        lows.append(schedule.window_for(day).key)
        highs.append(day.isoformat())
    if date_from is not None:
        lows.append(schedule.window_for(date_from).key)
    if date_to is not None:
        highs.append(date_to.isoformat())
    return max(lows, default=None), min(highs, default=None)


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    status: str | None,
    low: str | None,
    high: str | None,
) -> dict[str, Any]:
    """One page of the tenant's periods starting ``low``..``high``, newest first, with
    ``status`` (None: any); ``items`` are ``PayPeriodItem``."""
    source = listing.Source.partition(PayPeriodItem, keys.pay_periods_pk(tenant_id))
    return listing.page(
        source,
        ROLLUP,
        tenant_id,
        request,
        name=f"pay-periods|s={status}",
        low=low,
        high=high,
        matches=(lambda facet: facet == status) if status is not None else None,
        condition=(PayPeriodItem.status == status) if status is not None else None,
    )
