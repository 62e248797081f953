"""The pay-period ledger's items (periods, their id pointers, adjustments), its constants,
and the keys and unsaved items the writes build from them."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.platform import counters, keys, rollups
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.table import BaseItem, register

OPEN, CLOSING, CLOSED = "open", "closing", "closed"
ID_COUNTER = "payperiod"
# The lists' counts: sort key the start date, one period per day bucket, years as coarse
# buckets; the facet is the status (both lists filter on it).
DAY, YEAR = 10, 4
ROLLUP = Rollup(keys.PAY_PERIODS_ROLLUP_SCOPE, DAY, YEAR)
# Labels of the parts that create a period; a failure of one of them is a lost race (the
# period or its id was taken meanwhile): read again and retry, never a 409.
NEW_PERIOD, PERIOD_COUNTER, PERIOD_POINTER = "new_period", "period_counter", "period_pointer"
NEW_PERIOD_LABELS = frozenset((NEW_PERIOD, PERIOD_COUNTER, PERIOD_POINTER))


@register
class AdjustmentItem(BaseItem):
    """A signed commission adjustment (negative: clawback of a sale voided after its pay
    period closed), dated in the open period it counts in."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    sale_id = NumberAttribute()
    role = UnicodeAttribute()
    amount_cents = NumberAttribute()
    reason = UnicodeAttribute()
    effective_date = UnicodeAttribute()
    period_start = UnicodeAttribute()
    created_by = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()


@register
class PayPeriodItem(BaseItem):
    """A pay period (``keys.pay_period_key``, keyed by its first day). ``status`` "open" |
    "closing" | "closed": anything but "open" locks the sales dated in it.

    Created (or checked) by the transaction that records a sale dated in it, which also
    counts ``sales_count`` and ``revision`` (the sum of the revisions of its sales: +1 per
    sale recorded, approved, rejected or voided), so closing can tell when the date index
    holds every sale at its latest version. ``period_id`` is the integer id (given when the
    item is created, with a ``PayPeriodPointerItem``); ``listed`` says the item is counted
    in the lists' rollup (every item created since ids are given at creation, and older
    ones once ``backfill`` counted them). Closing sets ``close_token`` and
    ``lease_until`` (the closer's lease), then ``summary`` (period totals) with
    ``frozen_at`` once the totals and statement data are frozen, ``exports`` (S3 keys,
    sizes, SHA-256) as files are written, and ``closed_at``/``closed_by``."""

    tenant_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    frequency = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute(null=True)
    end_date = UnicodeAttribute(null=True)
    period_id = NumberAttribute(null=True)
    listed = BooleanAttribute(null=True)
    sales_count = NumberAttribute(null=True)
    revision = NumberAttribute(null=True)
    adjustments_count = NumberAttribute(null=True)
    close_token = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    closing_started_at = UnicodeAttribute(null=True)
    frozen_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = NumberAttribute(null=True)
    summary = JSONAttribute(null=True)
    exports = JSONAttribute(null=True)


@register
class PayPeriodPointerItem(BaseItem):
    """``keys.pay_period_id_key``: integer id -> the period's first day."""

    tenant_id = UnicodeAttribute()
    start_date = UnicodeAttribute()


def key_of(tenant_id: str, window: PeriodWindow) -> tuple[str, str]:
    return keys.pay_period_key(tenant_id, window.key)


def ref(tenant_id: str, window: PeriodWindow) -> tuple[type[PayPeriodItem], tuple[str, str]]:
    """The period item of a window, for reading it with other items in one batch."""
    return PayPeriodItem, key_of(tenant_id, window)


def counter_ref(tenant_id: str) -> tuple[type[counters.CounterItem], tuple[str, str]]:
    """The tenant's ``payperiod`` id counter, for reading it with the period."""
    return counters.ref(tenant_id, ID_COUNTER)


def new_item(
    tenant_id: str, window: PeriodWindow, status: str, period_id: int | None, **fields: Any
) -> PayPeriodItem:
    """The (unsaved) period item of ``window`` with ``status``, ``period_id`` and
    ``fields``."""
    return PayPeriodItem(
        *key_of(tenant_id, window),
        tenant_id=tenant_id,
        status=status,
        frequency=window.frequency,
        start_date=window.start.isoformat(),
        end_date=window.end.isoformat(),
        period_id=period_id,
        **fields,
    )


def new_pointer(tenant_id: str, period_id: int, start_date: str) -> PayPeriodPointerItem:
    """The (unsaved) pointer from ``period_id`` to the period starting on ``start_date``."""
    return PayPeriodPointerItem(
        *keys.pay_period_id_key(tenant_id, period_id), tenant_id=tenant_id, start_date=start_date
    )


def entry(item: PayPeriodItem) -> rollups.Entry:
    """The period's entry in the lists' rollup: (start date, status)."""
    return item.sk, item.status or OPEN
