"""``/admin/invoices``: invoices with line items, tax in bps and integer-cent totals,
their moves (send, payments, void) and their PDF (admins and managers)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, Raw, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.invoices import moves, service
from chalicelib.invoices.models import (
    InvoiceFilter,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    PaymentIn,
    SentOut,
)

bp = Blueprint(__name__)
TAG = "invoices"
PATH = "/admin/invoices"
ONE = f"{PATH}/{{invoice_id}}"
PDF = "application/pdf"


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Create an invoice",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    body=InvoiceIn,
    response=InvoiceOut,
    status=201,
)
def create_invoice(req: ApiRequest) -> Any:
    """A draft with the tenant's next invoice number (sequential, never reused). The
    customer is ``customer_id``, else the one with ``customer_email``, else a new one.
    ``total_cents`` = subtotal + tax, the tax rounded half to even once per invoice."""
    return service.create(req.user, req.body)


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List invoices",
    tag=TAG,
    permission=roles.INVOICES_READ,
    query=InvoiceFilter,
    response=page_of(InvoiceOut),
    paginated=True,
)
def list_invoices(req: ApiRequest) -> Any:
    """Latest due date first. ``status=overdue``: sent or partial and due before today
    (UTC); ``status=sent``/``partial``: those not overdue. ``total`` is exact."""
    return service.page(req.tenant_id, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get an invoice",
    tag=TAG,
    permission=roles.INVOICES_READ,
    response=InvoiceOut,
)
def get_invoice(req: ApiRequest) -> Any:
    return service.get(req.tenant_id, req.int_param("invoice_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Change a draft invoice",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    body=InvoicePatch,
    response=InvoiceOut,
)
def update_invoice(req: ApiRequest) -> Any:
    """Line items, due date, tax and notes of a draft (409 once sent); totals follow."""
    changes = changes_of(req.body, ("line_items", "due_date", "tax_bps"))
    return service.update(req.tenant_id, req.int_param("invoice_id"), changes)


@endpoint(
    bp,
    f"{ONE}/send",
    "POST",
    summary="Send an invoice",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    response=SentOut,
)
def send_invoice(req: ApiRequest) -> Any:
    """A draft becomes ``sent`` and the customer is e-mailed a link to its PDF; sending
    an open one again re-sends it and keeps its status. A paid or void invoice is 409."""
    return moves.send(req.user, req.int_param("invoice_id"))


@endpoint(
    bp,
    f"{ONE}/payments",
    "POST",
    summary="Record a payment",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    body=PaymentIn,
    response=InvoiceOut,
    status=201,
)
def record_payment(req: ApiRequest) -> Any:
    """Full or partial: ``balance_cents`` goes down and the status becomes ``partial`` or
    ``paid``. More than the balance is 422; a draft, paid or void invoice is 409. Emits
    ``payment.reconciled``."""
    body = req.body
    return moves.pay(
        req.user, req.int_param("invoice_id"), body.amount_cents, body.method, body.reference
    )


@endpoint(
    bp,
    f"{ONE}/void",
    "POST",
    summary="Void an invoice",
    tag=TAG,
    permission=roles.INVOICES_WRITE,
    response=InvoiceOut,
)
def void_invoice(req: ApiRequest) -> Any:
    """Draft, sent, partial or overdue invoices; a paid (or void) one is 409. Payments
    already recorded stay on record."""
    return moves.void(req.user, req.int_param("invoice_id"))


@endpoint(
    bp,
    f"{ONE}/pdf",
    "GET",
    summary="Invoice PDF",
    tag=TAG,
    permission=roles.INVOICES_READ,
    content_type=PDF,
)
def invoice_pdf(req: ApiRequest) -> Raw:
    """Branded like the payroll PDFs; kept in S3 per revision and served again."""
    body, filename = moves.pdf(req.tenant_id, req.int_param("invoice_id"))
    return Raw(
        body=body,
        content_type=PDF,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
