"""The pay-period ledger: which period holds a date (the tenant's schedule), each period's
item (status, counters, integer id), the close's state transitions, and the commission
adjustments dated in periods.

Sales put ``touch`` (create or count an open period, fail when it is closing or closed)
and ``check_closed`` into their own transactions; payroll drives the close
(``begin_close`` ... ``finish_close``) and reads the adjustments. The store stays private
to this package; these are the parts other features compose.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.accounts.service import TenantItem
from chalicelib.core.errors import Conflict
from chalicelib.payperiods import store
from chalicelib.payperiods.rules import PeriodWindow, Schedule
from chalicelib.payperiods.store import CLOSED as CLOSED
from chalicelib.payperiods.store import CLOSING as CLOSING
from chalicelib.payperiods.store import OPEN, PayPeriodItem
from chalicelib.payperiods.store import AdjustmentItem as AdjustmentItem
from chalicelib.platform.batch import get_many

MAX_PERIODS_AHEAD = 24

# Transaction parts (a sale's transaction touches or checks the period of its date).
touch, check_closed = store.touch, store.check_closed
new_adjustment, add_adjustment = store.new_adjustment, store.add_adjustment
# Reads and writes of period items.
get, status_of, list_all, ensure, assign_ids = (
    store.get,
    store.status_of,
    store.list_all,
    store.ensure,
    store.assign_ids,
)
# The close, step by step (payroll drives it; each step is a conditional update).
begin_close, take_over, release = store.begin_close, store.take_over, store.release
mark_frozen, save_exports, finish_close = store.mark_frozen, store.save_exports, store.finish_close


def schedule(settings: Mapping[str, Any]) -> Schedule:
    """The tenant's pay-period schedule (its frequency and the changes of it)."""
    return Schedule.from_settings(settings)


def window_of(item: PayPeriodItem) -> PeriodWindow:
    return PeriodWindow(
        date.fromisoformat(item.start_date or item.sk),
        date.fromisoformat(item.end_date),
        item.frequency or "",
    )


def status(item: PayPeriodItem) -> str:
    return item.status or OPEN


def by_id(tenant_id: str, period_id: int) -> tuple[PayPeriodItem | None, TenantItem | None]:
    """The period with integer id ``period_id`` and the tenant: one BatchGetItem (id
    pointer + tenant) and one GetItem."""
    pointer, tenant = get_many(
        [store.pointer_ref(tenant_id, period_id), accounts.tenant_ref(tenant_id)], consistent=True
    )
    return store.by_pointer(tenant_id, pointer, period_id), tenant  # type: ignore[arg-type]


def open_period_day(tenant_id: str, schedule_: Schedule, today: date) -> tuple[date, PeriodWindow]:
    """The day an adjustment takes effect: today, or the first day of the next open period
    when today's period is closed or being closed. Returns (effective day, its period)."""
    window = schedule_.window_for(today)
    for _ in range(MAX_PERIODS_AHEAD):
        if store.status_of(tenant_id, window) == OPEN:
            return max(today, window.start), window
        window = schedule_.next_window(window)
    raise Conflict("no open pay period found for the clawback adjustment")


def adjustments_between(
    tenant_id: str, date_from: date, date_to: date, consistent: bool = False
) -> list[dict[str, Any]]:
    """Adjustments dated in a range (what a pay period totals), as plain data."""
    return [
        {
            "technician_id": int(a.technician_id),
            "sale_id": int(a.sale_id),
            "role": a.role,
            "amount_cents": int(a.amount_cents),
            "reason": a.reason,
            "effective_date": a.effective_date,
            "period_start": a.period_start,
        }
        for a in store.adjustments_between(
            tenant_id, date_from.isoformat(), date_to.isoformat(), consistent
        )
    ]
