"""The pay-period ledger: which period holds a date (the tenant's schedule), each period's
item (status, counters, integer id), the close's state transitions, and the commission
adjustments dated in periods.

Sales put ``touch`` (count an open period, or create a new one with its id; fail when it
is closing or closed) and ``check_closed`` into their own transactions, having read the
period and its id counter in their own batch (``ref``, ``counter_ref``, ``read_of``);
payroll drives the close (``begin_close`` ... ``finish_close``), creates the period after
a closed one (``ensure``), lists periods (``page``) and reads the adjustments. The store
stays private to this package; these are the parts other features compose.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.accounts.service import TenantItem
from chalicelib.core import clock
from chalicelib.core.errors import Conflict
from chalicelib.payperiods import listing, store
from chalicelib.payperiods.rules import PeriodWindow, Schedule
from chalicelib.payperiods.store import CLOSED as CLOSED
from chalicelib.payperiods.store import CLOSING as CLOSING
from chalicelib.payperiods.store import NEW_PERIOD_LABELS as NEW_PERIOD_LABELS
from chalicelib.payperiods.store import OPEN, PayPeriodItem
from chalicelib.payperiods.store import AdjustmentItem as AdjustmentItem
from chalicelib.payperiods.store import PeriodRead as PeriodRead
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, labelled_transaction, retries

MAX_PERIODS_AHEAD = 24
MAX_REMEMBERED = 10_000  # tenants whose schedule ``likely_window`` remembers

# Transaction parts (a sale's transaction touches or checks the period of its date).
touch, check_closed = store.touch, store.check_closed
new_adjustment, add_adjustment = store.new_adjustment, store.add_adjustment
# Reads of period items (``ref`` and ``counter_ref`` go into the writer's own batch).
get, status_of, ref, counter_ref = store.get, store.status_of, store.ref, store.counter_ref
read_of = store.read_of
# The lists (a page of periods, and the start-date bounds of their date filters).
bounds, page = listing.bounds, listing.page
# Once, at deploy time: ids and counts for the periods created before ids were given at
# creation (``python -m chalicelib.payperiods.backfill <tenant id>...``).
backfill = store.backfill
# The close, step by step (payroll drives it; each step is a conditional update).
begin_close, take_over, release = store.begin_close, store.take_over, store.release
mark_frozen, save_exports, finish_close = store.mark_frozen, store.save_exports, store.finish_close


def schedule(settings: Mapping[str, Any]) -> Schedule:
    """The tenant's pay-period schedule (its frequency and the changes of it)."""
    return Schedule.from_settings(settings)


_remembered: dict[str, tuple[Schedule, str | None]] = {}


def window_for(tenant_id: str, settings: Mapping[str, Any], day: date) -> PeriodWindow:
    """The period holding ``day`` under the tenant's settings; remembers the schedule
    and timezone for ``likely_window``."""
    found = schedule(settings)
    if len(_remembered) >= MAX_REMEMBERED:
        _remembered.clear()
    _remembered[tenant_id] = (found, settings.get("timezone"))
    return found.window_for(day)


def likely_window(tenant_id: str, day: date | None) -> PeriodWindow:
    """The period that probably holds ``day`` (None: the tenant's today), from the
    schedule this process last saw for the tenant (else the default one), so that a
    writer can read the period in the same batch as the settings that decide it. Only a
    guess: ``window_for`` on the settings read says which period it really is."""
    found, zone = _remembered.get(tenant_id, (Schedule.single(), None))
    return found.window_for(day or clock.today_in(zone))


def read(tenant_id: str, window: PeriodWindow) -> PeriodRead:
    """The period of ``window`` and the id counter (one consistent BatchGetItem), for a
    writer whose batch read another period than the one it needs."""
    return store.read(tenant_id, window.key)


def ensure(tenant_id: str, window: PeriodWindow) -> PayPeriodItem:
    """The period of ``window``, created with its id (its own transaction) when it does
    not exist yet; a writer that takes the id or the period first makes this read again."""
    for _ in retries():
        found = store.read(tenant_id, window.key)
        if found.item is not None:
            return found.item
        try:
            with labelled_transaction() as tx:
                item = store.create(tx, tenant_id, window, found.counter)
        except (ConditionFailed, Contention):
            continue
        return item
    raise Conflict(f"the pay period {window.start}..{window.end} is being created; retry")


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


def open_period_day(
    tenant_id: str, schedule_: Schedule, today: date
) -> tuple[date, PeriodWindow, PeriodRead]:
    """The day an adjustment takes effect: today, or the first day of the next open period
    when today's period is closed or being closed. Returns (effective day, its period,
    the period as read with the id counter: one consistent BatchGetItem per period
    looked at, for ``touch``)."""
    window = schedule_.window_for(today)
    for _ in range(MAX_PERIODS_AHEAD):
        found = store.read(tenant_id, window.key)
        if found.item is None or status(found.item) == OPEN:
            return max(today, window.start), window, found
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
