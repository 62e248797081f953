"""Sales: the main item by id, two date-sorted indexes, the idempotency guard, and the
transactions that create, approve/reject and void a sale.

Keys (``platform.keys``): main ``T#<tid>#SALE`` / ``<id>``; gsi1 ``T#<tid>#SALEDATE`` /
``<sale_date>#<id>`` (all sales by date); gsi2 ``T#<tid>#TECHSALE#<tech>`` /
``<sale_date>#<id>`` (one technician's sales by date); gsi3 ``T#<tid>#CUSTSALE#<cust>`` /
``<sale_date>#<id>`` (one customer's, sparse); guard ``T#<tid>#IDEMPOTENCY`` /
``SALEGUARD#<key>``. The list's counts are ``sales.listing``.

Every write that changes what the list filters on (approval, payment, voided) requires
those three to be as read, so the counts moved in the same transaction are exact.

Every change of a sale is one transaction: the sale's own write plus the ``parts`` the
service brings from the features that must agree with it (the pay period of its date,
its events, a new customer, the id counters, clawback adjustments).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
from chalicelib.platform import keys
from chalicelib.platform.batch import get_many
from chalicelib.platform.table import BaseItem, Gsi2, Gsi3, register, take
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]  # adds another feature's write to the sale's transaction


@register
class SaleItem(BaseItem):
    """A sale with its frozen commission snapshots. gsi1: tenant by date; gsi2: technician
    by date; gsi3: customer by date (all sort keys ``<sale_date>#<id>``)."""

    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi3 = Gsi3()
    tenant_id = UnicodeAttribute()
    sale_id = NumberAttribute()
    technician_id = NumberAttribute()
    technician_name = UnicodeAttribute(null=True)
    item_id = NumberAttribute()
    item_name = UnicodeAttribute(null=True)
    item_category = UnicodeAttribute(null=True)
    installer_id = NumberAttribute(null=True)
    quantity = NumberAttribute(default=1)
    sale_price_cents = NumberAttribute()
    list_price_cents = NumberAttribute(null=True)
    commission_cents = NumberAttribute()
    installer_commission_cents = NumberAttribute(default=0)
    commission_snapshot = JSONAttribute()
    installer_commission_snapshot = JSONAttribute(null=True)
    customer_id = NumberAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    payment_type = UnicodeAttribute(null=True)
    sale_date = UnicodeAttribute()
    approval_status = UnicodeAttribute(default="pending")
    approval_reason = UnicodeAttribute(null=True)
    approved_by = NumberAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)
    payment_status = UnicodeAttribute(default="unpaid")
    payment_date = UnicodeAttribute(null=True)
    voided = BooleanAttribute(default=False)
    voided_at = UTCDateTimeAttribute(null=True)
    voided_by = NumberAttribute(null=True)
    void_reason = UnicodeAttribute(null=True)
    clawback_cents = NumberAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    # +1 on every change that its pay period counts (see PayPeriodItem.revision)
    revision = NumberAttribute(null=True)


@register
class SaleGuardItem(BaseItem):
    """Written with a sale recorded under an Idempotency-Key: even if the Powertools record
    is lost (timeout between commit and completion), a retry finds this and never creates
    a second sale."""

    sale_id = NumberAttribute()
    payload_hash = UnicodeAttribute()


def ref(tenant_id: str, sale_id: int) -> tuple[type[SaleItem], tuple[str, str]]:
    return SaleItem, keys.sale_key(tenant_id, sale_id)


def get(tenant_id: str, sale_id: int, consistent: bool = False) -> SaleItem | None:
    return SaleItem.find(
        keys.sale_key(tenant_id, sale_id), tenant_id=tenant_id, consistent=consistent
    )


def get_guard(tenant_id: str, idempotency_key: str) -> SaleGuardItem | None:
    return SaleGuardItem.find(
        keys.sale_idempotency_guard_key(tenant_id, idempotency_key), consistent=True
    )


def load_inputs(requests: dict[str, tuple[Any, tuple[str, str]]]) -> dict[str, Any]:
    """Everything recording a sale reads, by name, in one consistent ``BatchGetItem``
    (consistent so that the counters read are current and the compare-and-set ids rarely
    collide); None where an item does not exist."""
    got = get_many(list(requests.values()), consistent=True)
    return dict(zip(requests, got, strict=True))


def new_sale(tenant_id: str, sale_id: int, **fields: Any) -> SaleItem:
    """The sale item (not written), with its index keys; revision 1."""
    sort = keys.sale_sort(fields["sale_date"], sale_id)
    if fields.get("customer_id") is not None:
        fields["gsi3pk"] = keys.sales_by_customer_pk(tenant_id, fields["customer_id"])
        fields["gsi3sk"] = sort
    return SaleItem(
        *keys.sale_key(tenant_id, sale_id),
        tenant_id=tenant_id,
        sale_id=sale_id,
        gsi1pk=keys.sales_by_date_pk(tenant_id),
        gsi1sk=sort,
        gsi2pk=keys.sales_by_technician_pk(tenant_id, fields["technician_id"]),
        gsi2sk=sort,
        revision=1,
        **fields,
    )


def new_guard(
    tenant_id: str, idempotency_key: str, sale_id: int, payload_hash: str, expires_at: int
) -> SaleGuardItem:
    return SaleGuardItem(
        *keys.sale_idempotency_guard_key(tenant_id, idempotency_key),
        sale_id=sale_id,
        payload_hash=payload_hash,
        expires_at=expires_at,
    )


@dataclass
class NewSale:
    """Everything recording a sale writes, in one ``TransactWriteItems``."""

    sale: SaleItem
    guard: SaleGuardItem | None = None
    parts: list[Part] = field(default_factory=list)


def create(new: NewSale) -> SaleItem:
    """Write the sale, its guard and the other features' parts atomically. Raises
    ``ConditionFailed`` naming the labels that failed (``guard``: a sale already exists for
    the Idempotency-Key; the parts' own labels) or ``Contention``."""
    with labelled_transaction() as tx:
        for part in new.parts:
            part(tx)
        tx.create("sale", new.sale)
        if new.guard is not None:  # a guard past its 24 h (not yet swept by TTL) is free
            tx.save(
                "guard",
                new.guard,
                condition=(
                    SaleGuardItem.pk.does_not_exist()
                    | (SaleGuardItem.expires_at < int(clock.time()))
                ),
            )
    return new.sale


def query(
    tenant_id: str,
    *,
    technician_id: int | None,
    date_from: str | None,
    date_to: str | None,
    approval_status: str | None = None,
    payment_status: str | None = None,
    voided: bool | None = None,
    customer_id: int | None = None,
) -> Iterator[SaleItem]:
    """Every sale dated ``date_from``..``date_to`` (inclusive), newest first, streamed page
    by page, for exports and the pay-period close (which contain every one of them; never
    a list's page, which is ``sales.listing``): Queries on gsi3 (a customer), gsi2 (a technician) or
    gsi1 (everyone), one per 1 MB read; the other filters run server side. Lists use
    ``sales.listing``."""
    low, high = keys.sale_date_range(date_from, date_to)
    filters: Condition | None = None
    for condition in (
        (SaleItem.approval_status == approval_status) if approval_status else None,
        (SaleItem.payment_status == payment_status) if payment_status else None,
        (SaleItem.voided == voided) if voided is not None else None,
        (SaleItem.technician_id == technician_id)
        if customer_id is not None and technician_id is not None
        else None,
    ):
        if condition is not None:
            filters = condition if filters is None else filters & condition
    if customer_id is not None:
        index, pk, sort = (
            SaleItem.gsi3,
            keys.sales_by_customer_pk(tenant_id, customer_id),
            SaleItem.gsi3sk,
        )
    elif technician_id is not None:
        index, pk, sort = (
            SaleItem.gsi2,
            keys.sales_by_technician_pk(tenant_id, technician_id),
            SaleItem.gsi2sk,
        )
    else:
        index, pk, sort = SaleItem.gsi1, keys.sales_by_date_pk(tenant_id), SaleItem.gsi1sk
    yield from index.query(
        pk, sort.between(low, high), filter_condition=filters, scan_index_forward=False
    )


def of_customer(
    tenant_id: str, customer_id: int, limit: int, before: tuple[str, int] | None = None
) -> list[SaleItem]:
    """At most ``limit`` of one customer's sales, newest first (by date, then id), those
    strictly before ``before`` = (sale date, sale id) when given: one Query on gsi3."""
    condition = None
    if before is not None:
        condition = SaleItem.gsi3sk < keys.sale_sort(before[0], before[1])
    found = SaleItem.gsi3.query(
        keys.sales_by_customer_pk(tenant_id, customer_id),
        condition,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
    )
    return take(found, limit)


def as_read(sale: SaleItem) -> Condition:
    """The sale still has the approval, payment and voided values it was read with."""
    return (
        (SaleItem.approval_status == sale.approval_status)
        & (SaleItem.payment_status == sale.payment_status)
        & (SaleItem.voided == bool(sale.voided))
    )


def set_approval(
    sale: SaleItem, status: str, reason: str | None, actor: int, now: datetime, parts: list[Part]
) -> None:
    """pending -> approved | rejected with the parts (its pay period, its event, its
    counts), unless it changed since it was read (``ConditionFailed`` labelled ``sale``)."""
    actions = [
        SaleItem.approval_status.set(status),
        SaleItem.approved_by.set(actor),
        SaleItem.approved_at.set(now),
        SaleItem.updated_at.set(now),
        SaleItem.revision.add(1),
    ]
    actions.append(
        SaleItem.approval_reason.set(reason) if reason else SaleItem.approval_reason.remove()
    )
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        tx.update("sale", sale, actions, condition=as_read(sale))
    sale.approval_status, sale.approved_by, sale.approved_at = status, actor, now
    sale.approval_reason, sale.updated_at = reason, now


def set_payment(
    sale: SaleItem, status: str, payment_date: str | None, now: datetime, parts: list[Part]
) -> None:
    """Record the payment status with the parts (its counts), unless the sale changed since
    it was read (``ConditionFailed`` labelled ``sale``)."""
    actions = [
        SaleItem.payment_status.set(status),
        SaleItem.updated_at.set(now),
        SaleItem.payment_date.set(payment_date) if payment_date else SaleItem.payment_date.remove(),
    ]
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        tx.update("sale", sale, actions, condition=as_read(sale))
    sale.payment_status, sale.payment_date, sale.updated_at = status, payment_date, now


def void(
    sale: SaleItem,
    *,
    actor: int,
    reason: str | None,
    now: datetime,
    clawed_cents: int | None,
    counts_in_period: bool,
    parts: list[Part],
) -> None:
    """Mark the sale voided with the parts (its period re-checked or touched, clawback
    adjustments and the open period they are dated in, its counts). ``counts_in_period``:
    the sale's period is open and counts this change (the sale's revision moves with it).
    ``ConditionFailed`` labelled ``sale`` when it changed since it was read."""
    actions = [
        SaleItem.voided.set(True),
        SaleItem.voided_at.set(now),
        SaleItem.voided_by.set(actor),
        SaleItem.updated_at.set(now),
    ]
    if reason:
        actions.append(SaleItem.void_reason.set(reason))
    if clawed_cents is not None:
        actions.append(SaleItem.clawback_cents.set(clawed_cents))
    if counts_in_period:
        actions.append(SaleItem.revision.add(1))
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        tx.update("sale", sale, actions, condition=as_read(sale))
    sale.voided, sale.voided_at, sale.voided_by, sale.updated_at = True, now, actor, now
    if reason:
        sale.void_reason = reason
    if clawed_cents is not None:
        sale.clawback_cents = clawed_cents
