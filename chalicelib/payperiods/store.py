"""Pay period items, their integer ids, the close transitions, and the signed commission
adjustments dated in periods.

Keys (``platform.keys``): the period ``T#<tid>#PAYPERIOD`` / ``<first day>``; the id pointer
``T#<tid>#PAYPERIODID`` / ``<id>``; adjustments ``T#<tid>#ADJUSTMENT`` /
``<effective date>#SALE#<id>#<role>``.

``status`` is "open" | "closing" | "closed"; a missing item means open. Anything that
records or changes a sale dated in a period does so in a transaction that *touches* the
period item (``touch``: one UpdateItem that creates it when absent, requires it open and
counts the change), so a period that left "open" can no longer gain or change sales, and
the period's counters say how many sales (and sale revisions) closing must find.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.core import clock
from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.platform import counters, keys
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import ConditionFailed, Labelled, labelled, labelled_transaction

OPEN, CLOSING, CLOSED = "open", "closing", "closed"
ID_COUNTER = "payperiod"


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
    holds every sale at its latest version. ``period_id`` is the integer id (assigned on
    first listing, with a ``PayPeriodPointerItem``). Closing sets ``close_token`` and
    ``lease_until`` (the closer's lease), then ``summary`` (period totals) with
    ``frozen_at`` once the totals and statement data are frozen, ``exports`` (S3 keys,
    sizes, SHA-256) as files are written, and ``closed_at``/``closed_by``."""

    tenant_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    frequency = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute(null=True)
    end_date = UnicodeAttribute(null=True)
    period_id = NumberAttribute(null=True)
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


# --- conditions and transaction parts --------------------------------------------------------
def open_condition() -> Condition:
    """The period is open (a missing item is an open period)."""
    return PayPeriodItem.pk.does_not_exist() | (PayPeriodItem.status == OPEN)


def closed_condition() -> Condition:
    return PayPeriodItem.status == CLOSED


def _create_actions(tenant_id: str, window: PeriodWindow) -> list[Any]:
    """Set the item's identity when it does not exist yet (``if_not_exists``)."""
    P = PayPeriodItem
    return [
        P.tenant_id.set(P.tenant_id | tenant_id),
        P.status.set(P.status | OPEN),
        P.frequency.set(P.frequency | window.frequency),
        P.start_date.set(P.start_date | window.start.isoformat()),
        P.end_date.set(P.end_date | window.end.isoformat()),
    ]


def touch(
    tx: Labelled,
    label: str,
    tenant_id: str,
    window: PeriodWindow,
    *,
    sales: int = 0,
    revision: int = 0,
    adjustments: int = 0,
) -> None:
    """Add to labelled transaction ``tx`` one Update of the period item that creates it
    when absent, fails (``label``) unless it is open, and adds to its counters."""
    actions = _create_actions(tenant_id, window)
    if sales:
        actions.append(PayPeriodItem.sales_count.add(sales))
    if revision:
        actions.append(PayPeriodItem.revision.add(revision))
    if adjustments:
        actions.append(PayPeriodItem.adjustments_count.add(adjustments))
    tx.update(label, PayPeriodItem(*key_of(tenant_id, window)), actions, condition=open_condition())


def check_closed(tx: Labelled, label: str, tenant_id: str, window: PeriodWindow) -> None:
    tx.check(label, PayPeriodItem, key_of(tenant_id, window), closed_condition())


# --- reads -----------------------------------------------------------------------------------
def get(tenant_id: str, start_date: str, consistent: bool = True) -> PayPeriodItem | None:
    item = PayPeriodItem.find(keys.pay_period_key(tenant_id, start_date), consistent=consistent)
    return item if item is not None and item.tenant_id in (None, tenant_id) else None


def status_of(tenant_id: str, window: PeriodWindow) -> str:
    """ "open" | "closing" | "closed" (consistent read; no item is open)."""
    item = get(tenant_id, window.key)
    return (item.status or OPEN) if item is not None else OPEN


def list_all(tenant_id: str) -> list[PayPeriodItem]:
    """Every period item of the tenant, oldest first (one Query per 1 MB; periods are
    few: 26 a year when biweekly)."""
    return list(PayPeriodItem.query(keys.pay_periods_pk(tenant_id), consistent_read=True))


def pointer_ref(
    tenant_id: str, period_id: int
) -> tuple[type[PayPeriodPointerItem], tuple[str, str]]:
    """The pointer from an integer id to its period, for a batch read."""
    return PayPeriodPointerItem, keys.pay_period_id_key(tenant_id, period_id)


def by_pointer(
    tenant_id: str, pointer: PayPeriodPointerItem | None, period_id: int
) -> PayPeriodItem | None:
    """The period a pointer names (one GetItem), if it still has that id."""
    if pointer is None:
        return None
    item = get(tenant_id, pointer.start_date)
    if item is None or item.period_id is None or int(item.period_id) != period_id:
        return None
    return item


# --- writes outside sales ----------------------------------------------------------------------
def ensure(tenant_id: str, window: PeriodWindow) -> None:
    """Make sure the period item exists (idempotent; an existing item is left as is)."""
    PayPeriodItem(*key_of(tenant_id, window)).update(actions=_create_actions(tenant_id, window))


def assign_ids(tenant_id: str, items: Iterable[PayPeriodItem]) -> None:
    """Give every item without an id the next ids of the tenant's counter (oldest period
    first) and write its id pointer, each in one transaction conditional on the item still
    having no id. A lost race re-reads the item (the reserved id stays unused)."""
    missing = sorted((i for i in items if i.period_id is None), key=lambda i: i.sk)
    if not missing:
        return
    last = counters.next_id(tenant_id, ID_COUNTER, count=len(missing))
    for offset, item in enumerate(missing):
        period_id = last - len(missing) + 1 + offset
        pointer = PayPeriodPointerItem(
            *keys.pay_period_id_key(tenant_id, period_id), tenant_id=tenant_id, start_date=item.sk
        )
        try:
            with labelled_transaction() as tx:
                tx.update(
                    "period",
                    item,
                    [PayPeriodItem.period_id.set(period_id)],
                    condition=(
                        PayPeriodItem.pk.exists() & PayPeriodItem.period_id.does_not_exist()
                    ),
                )
                tx.save("pointer", pointer, condition=PayPeriodPointerItem.pk.does_not_exist())
        except ConditionFailed:
            item.refresh(consistent_read=True)
            continue
        item.period_id = period_id


def _update(item: PayPeriodItem, actions: list[Any], condition: Condition) -> PayPeriodItem:
    with labelled("period"):
        item.update(actions=actions, condition=condition)
    return item


def begin_close(
    item: PayPeriodItem, token: str, lease_until: int, started_at: str, actor: int | None
) -> PayPeriodItem:
    """open -> closing under a lease (``ConditionFailed`` when it is no longer open).
    From here on no sale dated in the period can be recorded or changed."""
    P = PayPeriodItem
    return _update(
        item,
        [
            P.status.set(CLOSING),
            P.close_token.set(token),
            P.lease_until.set(lease_until),
            P.closing_started_at.set(started_at),
            P.closed_by.set(actor) if actor is not None else P.closed_by.remove(),
        ],
        (P.status == OPEN),
    )


def take_over(
    item: PayPeriodItem, token: str, lease_until: int, actor: int | None
) -> PayPeriodItem:
    """Resume a close whose closer stopped (its lease ran out)."""
    P = PayPeriodItem
    actions = [P.close_token.set(token), P.lease_until.set(lease_until)]
    if actor is not None:
        actions.append(P.closed_by.set(actor))
    return _update(item, actions, (P.status == CLOSING) & (P.lease_until < int(clock.time())))


def release(item: PayPeriodItem, token: str) -> None:
    """Give the lease up after a failed attempt, so the next close may take over at once
    (best effort: an expired lease does the same)."""
    P = PayPeriodItem
    try:
        _update(item, [P.lease_until.set(0)], _holder(token))
    except ConditionFailed:
        pass


def _holder(token: str) -> Condition:
    return (PayPeriodItem.status == CLOSING) & (PayPeriodItem.close_token == token)


def mark_frozen(
    item: PayPeriodItem,
    token: str,
    summary: dict[str, Any],
    exports: dict[str, Any],
    frozen_at: str,
) -> PayPeriodItem:
    """The totals and statement data are written: later steps (and a resumed close)
    start from them, never from the sales again."""
    P = PayPeriodItem
    return _update(
        item,
        [P.summary.set(summary), P.exports.set(exports), P.frozen_at.set(frozen_at)],
        _holder(token),
    )


def save_exports(item: PayPeriodItem, token: str, exports: dict[str, Any]) -> PayPeriodItem:
    """Record the files written so far (a resumed close skips them)."""
    return _update(item, [PayPeriodItem.exports.set(exports)], _holder(token))


def finish_close(
    item: PayPeriodItem, token: str, exports: dict[str, Any], closed_at: str
) -> PayPeriodItem:
    """closing -> closed, by the lease holder only."""
    P = PayPeriodItem
    return _update(
        item,
        [
            P.status.set(CLOSED),
            P.exports.set(exports),
            P.closed_at.set(closed_at),
            P.lease_until.remove(),
        ],
        _holder(token),
    )


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
