"""Invoices (issue 13 item 2): create, read, list and change drafts. Sending, payments,
voiding and the PDF are ``invoices.moves``. The rules (totals, statuses, moves) are
``invoices.rules``.

Creating (``POST /admin/invoices``), DynamoDB calls besides the caller's account:

1. one consistent ``BatchGetItem``: the invoice id counter, the customer (``customer_id``)
   or its e-mail pointer (``customer_email``), and the customer id counter when the
   invoice may create its customer;
2. one ``TransactWriteItems``: the invoice, its counts in the list's rollups, the id
   counter (compare-and-set on the value read in 1: the invoice number is the next
   one) and, when no customer was found, the new customer with its e-mail pointer,
   search entries, count and id (``customers.service``: linked, never duplicated).

So 2 calls. When another invoice took the number first, the request reserves one
outright (``UpdateItem ADD``, one more call) and retries; likewise a new customer's id. A
number reserved by a request that then fails is never reused (numbers can have a gap;
they never repeat). A concurrent transaction on the same rollup items is retried after a
short jittered wait (``tx.retries``), never answered 409.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, found
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.invoices import listing, rules, store
from chalicelib.invoices.models import DocumentCustomer, InvoiceFilter, InvoiceIn
from chalicelib.invoices.store import InvoiceItem
from chalicelib.platform import documents
from chalicelib.platform.tx import ConditionFailed, Contention, retries

log = logging.getLogger("tradekitt.invoices")
ENTITY = "invoice"
PATCHABLE = ("line_items", "due_date", "tax_bps", "notes")


def today() -> Any:
    return clock.now().date()


def view(invoice: InvoiceItem) -> dict[str, Any]:
    return {
        "id": int(invoice.invoice_id),
        "invoice_number": rules.number_of(int(invoice.invoice_id)),
        "status": rules.shown_status(invoice.status, invoice.due_date, today()),
        "customer_id": int(invoice.customer_id),
        "customer_name": invoice.customer_name,
        "customer_email": invoice.customer_email,
        "line_items": list(invoice.line_items or []),
        "tax_bps": int(invoice.tax_bps or 0),
        "subtotal_cents": int(invoice.subtotal_cents),
        "tax_cents": int(invoice.tax_cents),
        "total_cents": int(invoice.total_cents),
        "paid_cents": int(invoice.paid_cents or 0),
        "balance_cents": int(invoice.balance_cents),
        "payments": list(invoice.payments or []),
        "due_date": invoice.due_date,
        "notes": invoice.notes,
        "created_at": invoice.created_at,
        "updated_at": invoice.updated_at,
        "sent_at": invoice.sent_at,
        "paid_at": invoice.paid_at,
        "voided_at": invoice.voided_at,
    }


def _totals(lines: list[dict[str, Any]], tax_bps: int) -> dict[str, int]:
    t = rules.totals(lines, tax_bps)
    return {
        "subtotal_cents": t.subtotal_cents,
        "tax_cents": t.tax_cents,
        "total_cents": t.total_cents,
        "balance_cents": t.total_cents,
    }


# --- creating ------------------------------------------------------------------------------
def create(
    principal: Principal, data: InvoiceIn, *, link: Callable[[int], store.Part] | None = None
) -> dict[str, Any]:
    """``link(invoice_id)``: a part of the invoice's own transaction, labelled
    ``"linked"``, that records the invoice on another feature's item (an estimate it
    converts), so the two are written together or not at all; its failed condition is 409."""
    lines = rules.check_lines([line.model_dump() for line in data.line_items])
    amounts = _totals(lines, data.tax_bps)

    def build(invoice_id: int, customer: Any, at: str) -> InvoiceItem:
        return store.new_invoice(
            principal.tenant_id,
            invoice_id,
            customer_id=customer.customer_id,
            customer_name=customer.name,
            customer_email=customer.email,
            line_items=lines,
            tax_bps=data.tax_bps,
            **amounts,
            paid_cents=0,
            payments=[],
            due_date=data.due_date.isoformat(),
            notes=data.notes,
            status=rules.DRAFT,
            revision=1,
            created_by=principal.user_id,
            created_at=at,
            updated_at=at,
        )

    invoice = create_numbered(
        principal.tenant_id, store.DOCS, ENTITY, data, source="invoice", build=build, link=link
    )
    return view(invoice)


def create_numbered(
    tenant_id: str,
    docs: documents.Dated,
    entity: str,
    data: DocumentCustomer,
    *,
    source: str,
    build: Callable[[int, Any, str], Any],
    link: Callable[[int], store.Part] | None = None,
) -> Any:
    """A new numbered document (an invoice, an estimate: ``docs`` keeps it, ``entity`` is
    its id counter) with the tenant's next number and its customer linked or created from
    ``data`` (``customers.resolve_for``), written as one transaction with its counts;
    ``build(number, customer, at)`` makes the item. Reads: one consistent BatchGetItem.
    When another document (or customer) took the number first, one is reserved outright
    (so a burst of N creates costs O(N) attempts) and the create retried; a customer that
    appeared with the e-mail meanwhile is found by the next read (linked, never
    duplicated). Returns the item written."""
    email = customers.normalize_email(data.customer_email)
    number = documents.Number(tenant_id, entity)  # label "counter"
    reserved_customer: int | None = None
    for _ in retries():
        got = documents.load(
            {"counter": number.ref(), **customers.refs_for(tenant_id, data.customer_id, email)}
        )
        now = clock.now()
        customer = customers.resolve_for(
            tenant_id,
            got,
            customer_id=data.customer_id,
            name=data.customer_name,
            email=email,
            now=now,
            source=source,
            reserved=reserved_customer,
        )
        doc_id, claim = number.take(got["counter"])
        item = build(doc_id, customer, clock.iso_utc(now))
        parts: list[store.Part] = [*customer.parts, docs.counted(item, new=True), *claim]
        if link is not None:
            parts.append(link(doc_id))
        try:
            docs.create(item, parts)
        except ConditionFailed as exc:
            if "linked" in exc.failed:
                raise Conflict(
                    f"the record this {docs.label} is linked to changed meanwhile"
                ) from exc
            number.lost(exc.failed)
            reserved_customer = customers.reserve_if_lost(tenant_id, exc.failed, reserved_customer)
            log.info("%s ids taken concurrently (%s); retrying", docs.label, exc.failed)
            continue
        except Contention:
            continue
        return item
    raise Conflict(f"too many concurrent {docs.name}; retry the request")


# --- reading -------------------------------------------------------------------------------
def get_item(tenant_id: str, invoice_id: int, consistent: bool = False) -> InvoiceItem:
    return found(
        store.get(tenant_id, invoice_id, consistent=consistent),
        f"invoice {invoice_id} not found",
    )


def get(tenant_id: str, invoice_id: int) -> dict[str, Any]:
    return view(get_item(tenant_id, invoice_id))


def page(tenant_id: str, flt: InvoiceFilter, request: PageRequest) -> dict[str, Any]:
    body = listing.page(
        tenant_id,
        request,
        today=today(),
        status=flt.status,
        customer_id=flt.customer_id,
        due_from=flt.due_from.isoformat() if flt.due_from else None,
        due_to=flt.due_to.isoformat() if flt.due_to else None,
    )
    body["items"] = [view(item) for item in body["items"]]
    return body


def of_customer(
    tenant_id: str, customer_id: int, limit: int = 50, before: tuple[str, int] | None = None
) -> list[dict[str, Any]]:
    """A customer's invoices (their views), latest due date first (then id), at most
    ``limit``, those strictly before ``before`` = (due date, invoice id) when given (one
    Query on gsi2): for the customer's history."""
    return [view(item) for item in store.of_customer(tenant_id, customer_id, limit, before)]


# --- changing a draft ------------------------------------------------------------------------
def update(tenant_id: str, invoice_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """A draft's ``line_items``, ``due_date``, ``tax_bps``, ``notes`` (409 once sent)."""
    changes = {k: v for k, v in changes.items() if k in PATCHABLE}
    if "due_date" in changes:
        changes["due_date"] = changes["due_date"].isoformat()
    if "line_items" in changes:
        changes["line_items"] = rules.check_lines(changes["line_items"])
    for _ in retries():
        invoice = get_item(tenant_id, invoice_id, consistent=True)
        rules.check_update(invoice.status)
        if not changes:
            return view(invoice)
        lines = changes.get("line_items", invoice.line_items)
        tax = changes.get("tax_bps", int(invoice.tax_bps or 0))
        write = {**changes, **_totals(lines, tax), "updated_at": clock.iso_utc(clock.now())}
        parts = []
        if "due_date" in changes and changes["due_date"] != invoice.due_date:
            parts.append(listing.counted(invoice, due_date=changes["due_date"]))
        try:
            store.change(invoice, write, parts)
        except (ConditionFailed, Contention):
            continue  # changed meanwhile: check and apply to what it is now
        return view(invoice)
    raise Conflict(f"invoice {invoice_id} is being changed by other requests; retry")
