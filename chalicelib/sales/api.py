"""``/sales``: record sales with their commission, list them, approve/reject, record
payment and void. Admins and managers see every sale; a technician user only the sales of
their own technician record."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import page_of
from chalicelib.sales import changes, service
from chalicelib.sales.models import (
    DecisionIn,
    PaymentStatusIn,
    SaleFilter,
    SaleIn,
    SaleOut,
    VoidIn,
)

bp = Blueprint(__name__)
TAG = "sales"


@endpoint(
    bp,
    "/sales",
    "POST",
    summary="Record a sale",
    tag=TAG,
    permission=roles.SELF,
    body=SaleIn,
    response=SaleOut,
    status=201,
)
def record_sale(req: ApiRequest) -> Any:
    """Computes the commission (and the installer's) and freezes it in
    ``commission_snapshot``. ``Idempotency-Key``: the same key and body within 24 h
    returns the first response; the same key with another body is 422; a concurrent
    duplicate is 409 and never creates a second sale. Technicians record only their own
    sales (403). Unknown or inactive technician, installer, item or customer: 422 naming
    the field. Emits ``sale.created`` and ``commission.calculated``."""
    return service.record(
        req.user, req.body, req.headers.get("idempotency-key"), req.lambda_context
    )


@endpoint(
    bp,
    "/sales",
    "GET",
    summary="List sales",
    tag=TAG,
    permission=roles.SELF,
    query=SaleFilter,
    response=page_of(SaleOut),
    paginated=True,
)
def list_sales(req: ApiRequest) -> Any:
    """Newest first (by ``sale_date``, then id). Filters: ``date_from``/``date_to``
    (inclusive), ``technician_id``, ``approval_status``, ``payment_status``, ``voided``,
    ``customer_id``. Technicians get their own sales only. ``total`` is exact; pass a
    page's ``next_cursor`` as ``cursor`` to walk on at the same cost per page."""
    return service.list_sales(req.user, req.query, req.page)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/sales/{sale_id}",
    "GET",
    summary="Get a sale",
    tag=TAG,
    permission=roles.SELF,
    response=SaleOut,
)
def get_sale(req: ApiRequest) -> Any:
    return service.get(req.user, req.int_param("sale_id"))


@endpoint(
    bp,
    "/sales/{sale_id}/payment-status",
    "PATCH",
    summary="Update payment status",
    tag=TAG,
    permission=roles.SALES_ALL,
    body=PaymentStatusIn,
    response=SaleOut,
)
def update_payment_status(req: ApiRequest) -> Any:
    """Allowed on any sale, also in a closed pay period (customer payment does not
    change commission)."""
    body: PaymentStatusIn = req.body
    return changes.set_payment_status(
        req.user, req.int_param("sale_id"), body.status, body.payment_date
    )


@endpoint(
    bp,
    "/sales/{sale_id}/void",
    "PATCH",
    summary="Void a sale",
    tag=TAG,
    permission=roles.SALES_ALL,
    body=VoidIn,
    response=SaleOut,
)
def void_sale(req: ApiRequest) -> Any:
    """In an open pay period the sale stops counting. In a closed one its commission is
    clawed back: negative adjustments dated in the current open period
    (``clawback_cents``). 409 while the sale's period is being closed (retry once it is
    closed). Voiding twice changes nothing."""
    return changes.void(req.user, req.int_param("sale_id"), req.body.reason)


@endpoint(
    bp,
    "/sales/{sale_id}/approve",
    "PATCH",
    summary="Approve a sale",
    tag=TAG,
    permission=roles.SALES_APPROVE,
    body=DecisionIn,
    response=SaleOut,
)
def approve_sale(req: ApiRequest) -> Any:
    """pending -> approved (only approved, non-voided sales earn commission). 409 when
    the sale is not pending, is voided, or its pay period is closed or being closed.
    Emits ``sale.approved``."""
    return changes.decide(req.user, req.int_param("sale_id"), "approved", req.body.reason)


@endpoint(
    bp,
    "/sales/{sale_id}/reject",
    "PATCH",
    summary="Reject a sale",
    tag=TAG,
    permission=roles.SALES_APPROVE,
    body=DecisionIn,
    response=SaleOut,
)
def reject_sale(req: ApiRequest) -> Any:
    """pending -> rejected, with an optional ``reason``. Emits ``sale.rejected``."""
    return changes.decide(req.user, req.int_param("sale_id"), "rejected", req.body.reason)
