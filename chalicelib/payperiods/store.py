"""Pay period items, their integer ids, the close transitions, and the signed commission
adjustments dated in periods.

Keys (``platform.keys``): the period ``T#<tid>#PAYPERIOD`` / ``<first day>``; the id pointer
``T#<tid>#PAYPERIODID`` / ``<id>``; adjustments ``T#<tid>#ADJUSTMENT`` /
``<effective date>#SALE#<id>#<role>``.

``status`` is "open" | "closing" | "closed"; a missing item means open. Anything that
records or changes a sale dated in a period does so in a transaction that *touches* the
period item (``touch``: requires it open and counts the change), so a period that left
"open" can no longer gain or change sales, and the period's counters say how many sales
(and sale revisions) closing must find.

A period is created with its integer id, in the transaction of the write that needs it
(a sale dated in it, a clawback adjustment dated in it, the close of the period before
it): the writer read the period and the ``payperiod`` counter in its own consistent
batch (``PeriodRead``); when the period is new, ``touch`` puts it with id ``counter + 1``
(a compare-and-set claim on the counter), its id pointer, and its count in the lists'
rollup (``ROLLUP``). A writer that loses the race for the id or the item fails with
``NEW_PERIOD_LABELS`` and reads again. Every status change (open -> closing -> closed)
moves the period's count from one facet to the other in the same transaction. Periods
created before ids were given at creation get theirs, and their count, from
``backfill`` (once, at deploy time); ``listed`` says a period is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.core import clock
from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.platform import counters, keys, rollups
from chalicelib.platform.batch import get_many
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.table import BaseItem, register
from chalicelib.platform.tx import (
    ConditionFailed,
    Contention,
    Labelled,
    labelled,
    labelled_transaction,
    retries,
)

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


@dataclass(frozen=True)
class PeriodRead:
    """A period as a writer read it just before its transaction, consistently and in one
    batch with the ``payperiod`` counter: ``item`` None means the period does not exist
    yet, and the transaction creates it with id ``counter + 1``."""

    item: PayPeriodItem | None
    counter: int


def read_of(item: Any, counter: Any) -> PeriodRead:
    """A ``PeriodRead`` from the items a batch returned for ``ref`` and ``counter_ref``."""
    return PeriodRead(item, counters.current_value(counter))


def read(tenant_id: str, start_date: str) -> PeriodRead:
    """The period starting on ``start_date`` and the id counter: one consistent
    BatchGetItem."""
    item, counter = get_many(
        [
            (PayPeriodItem, keys.pay_period_key(tenant_id, start_date)),
            counter_ref(tenant_id),
        ],
        consistent=True,
    )
    return read_of(item, counter)


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


# --- conditions and transaction parts --------------------------------------------------------
def open_condition() -> Condition:
    """The period exists and is open."""
    return PayPeriodItem.status == OPEN


def closed_condition() -> Condition:
    return PayPeriodItem.status == CLOSED


def _counts(sales: int, revision: int, adjustments: int) -> dict[str, int]:
    """The period's counters a change moves, by attribute name (those it moves by 0 left
    out)."""
    moved = {"sales_count": sales, "revision": revision, "adjustments_count": adjustments}
    return {name: n for name, n in moved.items() if n}


def create(
    tx: Labelled,
    tenant_id: str,
    window: PeriodWindow,
    counter: int,
    counts: dict[str, int] | None = None,
) -> PayPeriodItem:
    """Add to ``tx`` the parts that create the (open) period of ``window`` with id
    ``counter + 1`` and its counters at ``counts`` (by attribute name, as ``touch`` moves
    them; the others unset): the compare-and-set claim on the counter read just before
    (``PERIOD_COUNTER``), the item if its key is free (``NEW_PERIOD``), its id pointer
    (``PERIOD_POINTER``) and its count in the lists' rollup."""
    period_id = counters.claim(tx, PERIOD_COUNTER, tenant_id, ID_COUNTER, counter)
    item = new_item(tenant_id, window, OPEN, period_id, listed=True, **(counts or {}))
    tx.create(NEW_PERIOD, item)
    tx.create(PERIOD_POINTER, new_pointer(tenant_id, period_id, item.sk))
    rollups.move(tx, tenant_id, ROLLUP, None, entry(item))
    return item


def touch(
    tx: Labelled,
    label: str,
    tenant_id: str,
    window: PeriodWindow,
    *,
    sales: int = 0,
    revision: int = 0,
    adjustments: int = 0,
    read: PeriodRead | None = None,
) -> None:
    """Add to labelled transaction ``tx`` the write that counts a change in the period of
    ``window`` and fails (``label``) unless the period is open.

    ``read``: the period as the caller read it (``read``, or ``ref`` and ``counter_ref``
    in the caller's own batch). When it did not exist, this creates it with its id
    (``create``: a lost race fails with one of ``NEW_PERIOD_LABELS``; read again and
    retry). Without ``read`` the period must exist already (the period of a recorded
    sale, which the sale's transaction created): a missing one fails ``label``."""
    counts = _counts(sales, revision, adjustments)
    if read is not None and read.item is None:
        create(tx, tenant_id, window, read.counter, counts)
        return
    P = PayPeriodItem
    actions = [getattr(P, name).add(n) for name, n in counts.items()]
    if actions:
        tx.update(label, P(*key_of(tenant_id, window)), actions, condition=open_condition())
    else:
        tx.check(label, P, key_of(tenant_id, window), open_condition())


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
    few: 26 a year when biweekly). For ``backfill`` only: the lists read pages
    (``payperiods.listing``)."""
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


# --- periods created before ids were given at creation -----------------------------------------
def _count_existing(tx: Labelled, tenant_id: str, item: PayPeriodItem, counter: int) -> None:
    """Count an uncounted period in the lists' rollup, and give it id ``counter + 1`` when
    it has none, conditional on the item as read."""
    P = PayPeriodItem
    condition = P.listed.does_not_exist() & (P.status == (item.status or OPEN))
    actions = [P.listed.set(True)]
    if item.period_id is None:
        period_id = counters.claim(tx, PERIOD_COUNTER, tenant_id, ID_COUNTER, counter)
        tx.create(PERIOD_POINTER, new_pointer(tenant_id, period_id, item.sk))
        actions.append(P.period_id.set(period_id))
        condition &= P.period_id.does_not_exist()
    else:
        condition &= P.period_id == int(item.period_id)
    tx.update("backfill", item, actions, condition=condition)
    rollups.move(tx, tenant_id, ROLLUP, None, entry(item))


def backfill(tenant_id: str) -> int:
    """Give every period of the tenant that is not counted yet (created before ids were
    given at creation) its id, oldest period first, and its count in the lists' rollup:
    one transaction per period, conditional on the period as read, retried when a
    concurrent write got in the way. Run once per tenant at deploy time; running it again
    changes nothing. Returns how many periods it counted."""
    done = 0
    for start in sorted(i.sk for i in list_all(tenant_id) if not i.listed):
        for _ in retries():
            found = read(tenant_id, start)
            if found.item is None or found.item.listed:
                break
            try:
                with labelled_transaction() as tx:
                    _count_existing(tx, tenant_id, found.item, found.counter)
            except (ConditionFailed, Contention):
                continue
            done += 1
            break
    return done


# --- the close's transitions -----------------------------------------------------------------
def _update(item: PayPeriodItem, actions: list[Any], condition: Condition) -> PayPeriodItem:
    with labelled("period"):
        item.update(actions=actions, condition=condition)
    return item


def _as_counted(item: PayPeriodItem) -> Condition:
    """The item is counted in the lists' rollup, or not, as it was read."""
    return (
        (PayPeriodItem.listed == True)  # noqa: E712 - a DynamoDB condition, not a test
        if item.listed
        else PayPeriodItem.listed.does_not_exist()
    )


def _transition(
    item: PayPeriodItem, actions: list[Any], condition: Condition, old: str, new: str
) -> None:
    """Status ``old`` -> ``new``: the item's update (``ConditionFailed`` labelled "period")
    and, when the item is counted, the move of its count, in one transaction."""
    with labelled_transaction() as tx:
        tx.update("period", item, actions, condition=condition & _as_counted(item))
        if item.listed:
            rollups.move(tx, str(item.tenant_id), ROLLUP, (item.sk, old), (item.sk, new))


def begin_close(
    item: PayPeriodItem, token: str, lease_until: int, started_at: str, actor: int | None
) -> PayPeriodItem:
    """open -> closing under a lease (``ConditionFailed`` when it is no longer open).
    From here on no sale dated in the period can be recorded or changed. Returns the item
    read again (consistent): its counters as they are once locked, which the close checks
    the sales against."""
    P = PayPeriodItem
    _transition(
        item,
        [
            P.status.set(CLOSING),
            P.close_token.set(token),
            P.lease_until.set(lease_until),
            P.closing_started_at.set(started_at),
            P.closed_by.set(actor) if actor is not None else P.closed_by.remove(),
        ],
        P.status == OPEN,
        OPEN,
        CLOSING,
    )
    item.refresh(consistent_read=True)
    return item


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
    """closing -> closed, by the lease holder only (``ConditionFailed`` otherwise). A
    period that ``backfill`` counted meanwhile is read again and moved as it now is."""
    P = PayPeriodItem
    actions = [
        P.status.set(CLOSED),
        P.exports.set(exports),
        P.closed_at.set(closed_at),
        P.lease_until.remove(),
    ]
    for _ in range(3):
        try:
            _transition(item, actions, _holder(token), CLOSING, CLOSED)
            break
        except ConditionFailed:
            counted = bool(item.listed)
            item.refresh(consistent_read=True)
            if item.status != CLOSING or item.close_token != token or bool(item.listed) == counted:
                raise
    else:
        raise ConditionFailed(["period"])
    item.status, item.exports, item.closed_at, item.lease_until = CLOSED, exports, closed_at, None
    return item


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
