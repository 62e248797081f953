"""Sales: the main item by id, two date-sorted indexes, and the transactions that create,
approve/reject and void a sale together with its events, ids and adjustments.

Keys (``store.keys``): main ``T#<tid>#SALE`` / ``<id>``; gsi1 ``T#<tid>#SALEDATE`` /
``<sale_date>#<id>`` (all sales by date); gsi2 ``T#<tid>#TECHSALE#<tech>`` /
``<sale_date>#<id>`` (one technician's sales by date).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.domain.pay_periods import PeriodWindow
from chalicelib.store import counters, keys
from chalicelib.store import pay_periods as period_store
from chalicelib.store.batch import get_many
from chalicelib.store.models import (AdjustmentItem, CommissionOverrideItem, CounterItem,
                                     CustomerItem, CustomerPointerItem, EventItem,
                                     LineItemItem, SaleGuardItem, SaleItem,
                                     TechnicianItem, TenantItem, UserItem)
from chalicelib.store.tx import labelled_transaction

SALE_COUNTER = "sale"
CUSTOMER_COUNTER = "customer"


def sale_key(tenant_id: str, sale_id: int) -> tuple[str, str]:
    return keys.sale_key(tenant_id, sale_id)


def guard_key(tenant_id: str, idempotency_key: str) -> tuple[str, str]:
    return keys.sale_idempotency_guard_key(tenant_id, idempotency_key)


def get(tenant_id: str, sale_id: int, consistent: bool = False) -> SaleItem | None:
    try:
        item = SaleItem.get(*sale_key(tenant_id, sale_id), consistent_read=consistent)
    except DoesNotExist:
        return None
    return item if item.tenant_id == tenant_id else None


def get_guard(tenant_id: str, idempotency_key: str) -> SaleGuardItem | None:
    try:
        return SaleGuardItem.get(*guard_key(tenant_id, idempotency_key), consistent_read=True)
    except DoesNotExist:
        return None


def new_sale_item(tenant_id: str, sale_id: int, fields: dict[str, Any]) -> SaleItem:
    sort = keys.sale_sort(fields["sale_date"], sale_id)
    return SaleItem(*sale_key(tenant_id, sale_id), tenant_id=tenant_id, sale_id=sale_id,
                    gsi1pk=keys.sales_by_date_pk(tenant_id), gsi1sk=sort,
                    gsi2pk=keys.sales_by_technician_pk(tenant_id, fields["technician_id"]),
                    gsi2sk=sort, **fields)


@dataclass
class NewSale:
    """Everything recording a sale writes, in one ``TransactWriteItems``."""

    tenant_id: str
    sale_counter: int          # counter value read with the sale's inputs
    sale_fields: dict[str, Any]
    window: PeriodWindow       # the pay period of the sale date (created or checked open)
    events: list[EventItem] = field(default_factory=list)
    customer_counter: int | None = None
    customer: CustomerItem | None = None
    customer_pointer: CustomerPointerItem | None = None
    guard: SaleGuardItem | None = None


def create(new: NewSale) -> SaleItem:
    """Write the sale, and create or count its pay period (``period_store.touch``: one
    Update, so the sale and its period agree). Raises ``ConditionFailed`` labelled
    ``period`` (the sale date's pay period is closed or being closed),
    ``sale_counter``/``customer_counter`` (another writer took the id:
    re-read and retry), ``customer_email`` (a customer with that e-mail appeared: retry,
    it will be linked) or ``guard`` (a sale already exists for the Idempotency-Key);
    ``Contention`` when a concurrent transaction interfered."""
    tid = new.tenant_id
    sale_id = new.sale_counter + 1
    sale = new_sale_item(tid, sale_id, new.sale_fields)
    sale.revision = 1
    with labelled_transaction() as tx:
        period_store.touch(tx, "period", tid, new.window, sales=1, revision=1)
        tx.save("sale", sale, condition=SaleItem.pk.does_not_exist())
        for event in new.events:
            tx.save("event", event, condition=EventItem.pk.does_not_exist())
        if new.guard is not None:  # a guard past its 24 h (not yet swept by TTL) is free
            tx.save("guard", new.guard,
                    condition=(SaleGuardItem.pk.does_not_exist()
                               | (SaleGuardItem.expires_at < int(time.time()))))
        if new.customer is not None:
            assert new.customer_counter is not None
            tx.save("customer", new.customer, condition=CustomerItem.pk.does_not_exist())
            if new.customer_pointer is not None:
                tx.save("customer_email", new.customer_pointer,
                        condition=CustomerPointerItem.pk.does_not_exist())
            counters.claim_in_transaction(_Labelled(tx, "customer_counter"), tid,
                                          CUSTOMER_COUNTER, new.customer_counter)
        counters.claim_in_transaction(_Labelled(tx, "sale_counter"), tid, SALE_COUNTER,
                                      new.sale_counter)
    return sale


class _Labelled:
    """Adapts ``counters.claim_in_transaction`` (plain TransactWrite API) to a label."""

    def __init__(self, tx: Any, label: str) -> None:
        self._tx, self._label = tx, label

    def update(self, item: Any, actions: list[Any], condition: Condition | None = None) -> None:
        self._tx.update(self._label, item, actions, condition=condition)


def new_guard(tenant_id: str, idempotency_key: str, sale_id: int, payload_hash: str,
              expires_at: int) -> SaleGuardItem:
    return SaleGuardItem(*guard_key(tenant_id, idempotency_key), sale_id=sale_id,
                         payload_hash=payload_hash, expires_at=expires_at)


def query(tenant_id: str, *, technician_id: int | None, date_from: str | None,
          date_to: str | None, approval_status: str | None = None,
          payment_status: str | None = None, voided: bool | None = None) -> list[SaleItem]:
    """Sales dated ``date_from``..``date_to`` (inclusive), newest first: one Query on gsi2
    (a technician) or gsi1 (everyone) per 1 MB read; status filters run server side."""
    low, high = keys.sale_date_range(date_from, date_to)
    filters: Condition | None = None
    for condition in ((SaleItem.approval_status == approval_status) if approval_status else None,
                      (SaleItem.payment_status == payment_status) if payment_status else None,
                      (SaleItem.voided == voided) if voided is not None else None):
        if condition is not None:
            filters = condition if filters is None else filters & condition
    if technician_id is not None:
        results = SaleItem.gsi2.query(keys.sales_by_technician_pk(tenant_id, technician_id),
                                      SaleItem.gsi2sk.between(low, high),
                                      filter_condition=filters, scan_index_forward=False)
    else:
        results = SaleItem.gsi1.query(keys.sales_by_date_pk(tenant_id),
                                      SaleItem.gsi1sk.between(low, high),
                                      filter_condition=filters, scan_index_forward=False)
    return list(results)


def set_approval(sale: SaleItem, status: str, reason: str | None, actor: int,
                 now: datetime, window: PeriodWindow, event: EventItem) -> None:
    """pending -> approved | rejected, with its event, unless the sale's pay period
    (``window``) is closed or being closed. Raises ``ConditionFailed`` labelled ``sale``
    (no longer pending or voided) or ``period``."""
    tid = sale.tenant_id
    actions = [SaleItem.approval_status.set(status), SaleItem.approved_by.set(actor),
               SaleItem.approved_at.set(now), SaleItem.updated_at.set(now),
               SaleItem.revision.add(1)]
    actions.append(SaleItem.approval_reason.set(reason) if reason
                   else SaleItem.approval_reason.remove())
    with labelled_transaction() as tx:
        period_store.touch(tx, "period", tid, window, revision=1)
        tx.save("event", event, condition=EventItem.pk.does_not_exist())
        still_pending = ((SaleItem.approval_status == "pending")
                         & (SaleItem.voided == False))  # noqa: E712
        tx.update("sale", sale, actions, condition=still_pending)
    sale.approval_status, sale.approved_by, sale.approved_at = status, actor, now
    sale.approval_reason, sale.updated_at = reason, now


def set_payment(tenant_id: str, sale_id: int, status: str, payment_date: str | None,
                now: datetime) -> SaleItem | None:
    """Record the payment status; None when the sale does not exist."""
    sale = SaleItem(*sale_key(tenant_id, sale_id))
    actions = [SaleItem.payment_status.set(status), SaleItem.updated_at.set(now),
               SaleItem.payment_date.set(payment_date) if payment_date
               else SaleItem.payment_date.remove()]
    try:
        sale.update(actions=actions, condition=SaleItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return sale


def new_adjustment(tenant_id: str, *, effective_date: str, period_start: str, sale_id: int,
                   role: str, technician_id: int, amount_cents: int, reason: str,
                   actor: int, now: datetime) -> AdjustmentItem:
    return AdjustmentItem(*keys.adjustment_key(tenant_id, effective_date, sale_id, role),
                          tenant_id=tenant_id, technician_id=technician_id, sale_id=sale_id,
                          role=role, amount_cents=amount_cents, reason=reason,
                          effective_date=effective_date, period_start=period_start,
                          created_by=actor, created_at=now)


def void(sale: SaleItem, *, actor: int, reason: str | None, now: datetime,
         window: PeriodWindow, period_closed: bool, adjustments: list[AdjustmentItem],
         adjustment_window: PeriodWindow | None) -> None:
    """Mark the sale voided; when its period (``window``) is closed, write the clawback
    adjustments in the same transaction. The period's status is re-checked atomically (a
    period closing meanwhile fails the ``period`` condition, and the caller re-decides),
    and the open period the adjustments are dated in is created or checked open
    (``adjustment_period``). ``sale`` fails when it was already voided."""
    tid = sale.tenant_id
    clawed = sum(int(a.amount_cents) for a in adjustments)
    actions = [SaleItem.voided.set(True), SaleItem.voided_at.set(now),
               SaleItem.voided_by.set(actor), SaleItem.updated_at.set(now)]
    if reason:
        actions.append(SaleItem.void_reason.set(reason))
    if adjustments:
        actions.append(SaleItem.clawback_cents.set(clawed))
    with labelled_transaction() as tx:
        if period_closed:
            period_store.check_closed(tx, "period", tid, window)
        else:
            period_store.touch(tx, "period", tid, window, revision=1)
            actions.append(SaleItem.revision.add(1))
        if adjustment_window is not None:
            period_store.touch(tx, "adjustment_period", tid, adjustment_window,
                               adjustments=len(adjustments))
        for adjustment in adjustments:
            tx.save("adjustment", adjustment, condition=AdjustmentItem.pk.does_not_exist())
        tx.update("sale", sale, actions, condition=(SaleItem.voided == False))  # noqa: E712
    sale.voided, sale.voided_at, sale.voided_by, sale.updated_at = True, now, actor, now
    if reason:
        sale.void_reason = reason
    if adjustments:
        sale.clawback_cents = clawed


def adjustments_between(tenant_id: str, date_from: str, date_to: str,
                        consistent: bool = False) -> list[AdjustmentItem]:
    """Adjustments dated ``date_from``..``date_to`` (for pay-period totals)."""
    return list(AdjustmentItem.query(keys.adjustments_pk(tenant_id),
                                     AdjustmentItem.sk.between(date_from, date_to + "#~"),
                                     consistent_read=consistent))


@dataclass
class SaleInputs:
    """Everything recording a sale reads, fetched in one ``BatchGetItem``."""

    tenant: TenantItem | None
    technician: TechnicianItem | None
    item: LineItemItem | None
    override: CommissionOverrideItem | None
    installer: TechnicianItem | None
    customer: CustomerItem | None
    customer_pointer: CustomerPointerItem | None
    user: UserItem | None
    sale_counter: int
    customer_counter: int


def load_inputs(tenant_id: str, *, technician_id: int, item_id: int,
                installer_id: int | None, customer_id: int | None,
                customer_email: str | None, user_id: int | None,
                need_customer_counter: bool) -> SaleInputs:
    """One consistent ``BatchGetItem`` (consistent so that the counters read are current
    and the compare-and-set ids rarely collide)."""
    requests: list[tuple[Any, tuple[str, str]]] = [
        (TenantItem, keys.tenant_key(tenant_id)),
        (TechnicianItem, keys.technician_key(tenant_id, technician_id)),
        (LineItemItem, keys.line_item_key(tenant_id, item_id)),
        (CommissionOverrideItem, keys.commission_override_key(tenant_id, technician_id, item_id)),
        (CounterItem, counters.counter_key(tenant_id, SALE_COUNTER)),
    ]
    optional: dict[str, tuple[Any, tuple[str, str]]] = {}
    if installer_id is not None:
        optional["installer"] = (TechnicianItem, keys.technician_key(tenant_id, installer_id))
    if customer_id is not None:
        optional["customer"] = (CustomerItem, keys.customer_key(tenant_id, customer_id))
    if customer_email:
        optional["customer_pointer"] = (CustomerPointerItem,
                                        keys.customer_email_key(tenant_id, customer_email))
    if user_id is not None:
        optional["user"] = (UserItem, keys.user_key(tenant_id, user_id))
    if need_customer_counter:
        optional["customer_counter"] = (CounterItem,
                                        counters.counter_key(tenant_id, CUSTOMER_COUNTER))
    got = get_many(requests + list(optional.values()), consistent=True)
    extra = dict(zip(optional, got[len(requests):]))
    tenant, tech, item, override, sale_counter = got[:len(requests)]
    return SaleInputs(
        tenant=tenant, technician=tech, item=item, override=override,  # type: ignore[arg-type]
        installer=extra.get("installer"), customer=extra.get("customer"),  # type: ignore[arg-type]
        customer_pointer=extra.get("customer_pointer"),  # type: ignore[arg-type]
        user=extra.get("user"),  # type: ignore[arg-type]
        sale_counter=counters.current_value(sale_counter),  # type: ignore[arg-type]
        customer_counter=counters.current_value(
            extra.get("customer_counter")))  # type: ignore[arg-type]


def get_with_context(tenant_id: str, sale_id: int, user_id: int | None = None,
                     consistent: bool = False
                     ) -> tuple[SaleItem | None, TenantItem | None, UserItem | None]:
    """The sale, its tenant (settings) and optionally the caller's user: one call."""
    requests: list[tuple[Any, tuple[str, str]]] = [
        (SaleItem, sale_key(tenant_id, sale_id)), (TenantItem, keys.tenant_key(tenant_id))]
    if user_id is not None:
        requests.append((UserItem, keys.user_key(tenant_id, user_id)))
    got = get_many(requests, consistent=consistent)
    user = got[2] if user_id is not None else None
    return got[0], got[1], user  # type: ignore[return-value]


def get_with_user(tenant_id: str, sale_id: int,
                  user_id: int) -> tuple[SaleItem | None, UserItem | None]:
    sale, user = get_many([(SaleItem, sale_key(tenant_id, sale_id)),
                           (UserItem, keys.user_key(tenant_id, user_id))])
    return sale, user  # type: ignore[return-value]
