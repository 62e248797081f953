"""A period's reads and the transaction parts that create, touch and check it, and the
one-off ``backfill`` of periods created before ids were given at creation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.payperiods.rules import PeriodWindow
from chalicelib.payperiods.store.items import (
    CLOSED,
    ID_COUNTER,
    NEW_PERIOD,
    OPEN,
    PERIOD_COUNTER,
    PERIOD_POINTER,
    ROLLUP,
    PayPeriodItem,
    PayPeriodPointerItem,
    counter_ref,
    entry,
    key_of,
    new_item,
    new_pointer,
)
from chalicelib.platform import counters, keys, rollups
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import (
    ConditionFailed,
    Contention,
    Labelled,
    labelled_transaction,
    retries,
)


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


def list_all(tenant_id: str) -> Iterator[PayPeriodItem]:
    """Every period item of the tenant, oldest first (one Query per 1 MB; periods are
    few: 26 a year when biweekly). For ``backfill`` only: the lists read pages
    (``payperiods.listing``)."""
    return iter(PayPeriodItem.query(keys.pay_periods_pk(tenant_id), consistent_read=True))


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
