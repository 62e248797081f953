"""Invoices: the item by id (its payments inside it), two due-date indexes, and the
transactions that create and change an invoice.

Keys (``platform.keys``, "invoices"): main ``T#<tid>#INV`` / ``<id>``; gsi1
``T#<tid>#INVDUE`` / ``<due_date>#<id>`` (the tenant's invoices); gsi2
``T#<tid>#CUSTINV#<customer>`` / ``<due_date>#<id>`` (one customer's). The list's counts
are ``invoices.listing``. Every change is conditioned on the status, the balance and the
revision as read, so the counts moved in the same transaction stay exact and two
payments can never both spend the same balance.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import documents, keys
from chalicelib.platform.table import BaseItem, Gsi2, register, take

Part = documents.Part


@register
class InvoiceItem(BaseItem):
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    tenant_id = UnicodeAttribute()
    invoice_id = NumberAttribute()
    customer_id = NumberAttribute()
    customer_name = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    line_items = JSONAttribute()
    tax_bps = NumberAttribute(default=0)
    subtotal_cents = NumberAttribute()
    tax_cents = NumberAttribute()
    total_cents = NumberAttribute()
    paid_cents = NumberAttribute(default=0)
    balance_cents = NumberAttribute()
    payments = JSONAttribute(default=list)
    due_date = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    revision = NumberAttribute(default=1)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    voided_at = UnicodeAttribute(null=True)


def ref(tenant_id: str, invoice_id: int) -> tuple[type[InvoiceItem], tuple[str, str]]:
    return InvoiceItem, keys.invoice_key(tenant_id, invoice_id)


def get(tenant_id: str, invoice_id: int, consistent: bool = False) -> InvoiceItem | None:
    return InvoiceItem.find(
        keys.invoice_key(tenant_id, invoice_id), tenant_id=tenant_id, consistent=consistent
    )


def of_customer(
    tenant_id: str, customer_id: int, limit: int, before: tuple[str, int] | None = None
) -> list[InvoiceItem]:
    """A customer's invoices, latest due date first (then id), those strictly before
    ``before`` = (due date, invoice id) when given: one Query of at most ``limit``."""
    condition = None
    if before is not None:
        condition = InvoiceItem.gsi2sk < keys.invoice_sort(before[0], before[1])
    found = InvoiceItem.gsi2.query(
        keys.invoices_by_customer_pk(tenant_id, customer_id),
        condition,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
    )
    return take(found, limit)


load = documents.load  # the create's reads by name, one consistent BatchGetItem
DOCS = documents.Dated(
    model=InvoiceItem,
    label="invoice",
    id_field="invoice_id",
    date_field="due_date",
    name="invoices",
    key=keys.invoice_key,
    sort=keys.invoice_sort,
    tenant_pk=keys.invoices_by_due_pk,
    customer_pk=keys.invoices_by_customer_pk,
    rollup_scope=keys.invoices_rollup_scope,
)


new_invoice = DOCS.new  # (tenant_id, invoice_id, **fields): the item, not written
# the invoice (label ``invoice`` when its id is taken) with the parts (the id counter, a new
# customer, the counts) in one transaction
create = DOCS.create


def change(invoice: InvoiceItem, changes: dict[str, Any], parts: list[Part]) -> InvoiceItem:
    """Apply ``changes`` to the invoice as read (``invoice`` when its status, balance or
    revision moved meanwhile), with the parts (the counts, an event); the revision goes up
    by one. A new ``due_date`` moves its index entries."""
    condition = (
        (InvoiceItem.status == invoice.status)
        & (InvoiceItem.balance_cents == int(invoice.balance_cents))
        & (InvoiceItem.revision == int(invoice.revision))
    )
    return DOCS.change(invoice, changes, parts, condition)
