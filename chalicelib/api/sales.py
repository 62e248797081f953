"""``/sales``: record sales with their commission, list them, approve/reject, record
payment and void. Admins and managers see every sale; a technician user only the sales of
their own technician record."""
from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint
from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from chalicelib.api.schemas import Amount, Body, Email, IsoDate, Out, page_of, Query
from chalicelib.core.pagination import paginate
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.domain import roles
from chalicelib.services import sales

bp = Blueprint(__name__)
TAG = "sales"
Id = StrictInt
ApprovalStatus = Literal["pending", "approved", "rejected"]
PaymentStatus = Literal["unpaid", "partial", "paid", "refunded"]


class SaleIn(Body):
    """``sale_price_cents`` is the total for the line (all units). ``sale_date`` defaults
    to today in the business's timezone; it may not be in the future nor inside a closed
    pay period (409). Give ``customer_id`` to link an existing customer; otherwise
    ``customer_email`` links the customer with that e-mail, and a new customer is created
    from ``customer_name``/``customer_email`` when none matches."""

    technician_id: Id = Field(ge=1)
    item_id: Id = Field(ge=1)
    sale_price_cents: Amount
    quantity: StrictInt = Field(default=1, ge=1, le=100000)
    installer_id: Id | None = Field(default=None, ge=1)
    customer_id: Id | None = Field(default=None, ge=1)
    customer_name: str | None = Field(default=None, min_length=1, max_length=200)
    customer_email: Email | None = None
    notes: str | None = Field(default=None, max_length=2000)
    payment_type: str | None = Field(default=None, min_length=1, max_length=50)
    sale_date: IsoDate | None = None


class SalesQuery(Query):
    date_from: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    date_to: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    technician_id: int | None = Field(default=None, ge=1)
    approval_status: ApprovalStatus | None = None
    payment_status: PaymentStatus | None = None
    voided: bool | None = None
    customer_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _range(self) -> "SalesQuery":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class PaymentStatusIn(Body):
    """``unpaid`` clears ``payment_date``; otherwise it defaults to the date already
    recorded, else today."""

    status: PaymentStatus
    payment_date: IsoDate | None = None


class VoidIn(Body):
    voided: StrictBool = True
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("voided")
    @classmethod
    def _only_true(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("a voided sale cannot be restored; record it again instead")
        return value


class DecisionIn(Body):
    reason: str | None = Field(default=None, max_length=500)


class SaleOut(Out):
    id: int
    technician_id: int
    technician_name: str | None
    item_id: int
    item_name: str | None
    item_category: str | None
    installer_id: int | None
    quantity: int
    sale_price_cents: int
    list_price_cents: int | None
    commission_cents: int
    installer_commission_cents: int
    commission_snapshot: dict[str, Any]
    installer_commission_snapshot: dict[str, Any] | None
    customer_id: int | None
    customer_name: str | None
    customer_email: str | None
    notes: str | None
    payment_type: str | None
    sale_date: str
    approval_status: str
    approval_reason: str | None
    approved_by: int | None
    approved_at: str | None
    payment_status: str
    payment_date: str | None
    voided: bool
    voided_at: str | None
    void_reason: str | None
    clawback_cents: int | None
    created_by: int | None
    created_at: str | None
    updated_at: str | None


@endpoint(bp, "/sales", "POST", summary="Record a sale", tag=TAG, permission=roles.SELF,
          body=SaleIn, response=SaleOut, status=201)
def record_sale(req: ApiRequest) -> dict:
    """Computes the commission (and the installer's) and freezes it in
    ``commission_snapshot``. ``Idempotency-Key``: the same key and body within 24 h
    returns the first response; the same key with another body is 422; a concurrent
    duplicate is 409 and never creates a second sale. Technicians record only their own
    sales (403). Unknown or inactive technician, installer, item or customer: 422 naming
    the field. Emits ``sale.created`` and ``commission.calculated``."""
    body: SaleIn = req.body
    data = sales.SaleInput(**body.model_dump())
    key = req.headers.get("idempotency-key")
    return sales.record(req.user, data, body.model_dump(mode="json"), key,
                        req.lambda_context)


@endpoint(bp, "/sales", "GET", summary="List sales", tag=TAG, permission=roles.SELF,
          query=SalesQuery, response=page_of(SaleOut), paginated=True)
def list_sales(req: ApiRequest) -> dict:
    """Newest first (by ``sale_date``, then id). Filters: ``date_from``/``date_to``
    (inclusive), ``technician_id``, ``approval_status``, ``payment_status``, ``voided``,
    ``customer_id``. Technicians get their own sales only."""
    q: SalesQuery = req.query
    found = sales.list_sales(req.user, sales.SaleFilter(
        date_from=q.date_from, date_to=q.date_to, technician_id=q.technician_id,
        approval_status=q.approval_status, payment_status=q.payment_status,
        voided=q.voided, customer_id=q.customer_id))
    return paginate([sales.view(s) for s in found], req.page)  # type: ignore[arg-type]


@endpoint(bp, "/sales/{sale_id}", "GET", summary="Get a sale", tag=TAG,
          permission=roles.SELF, response=SaleOut)
def get_sale(req: ApiRequest) -> dict:
    return sales.view(sales.get(req.user, req.int_param("sale_id")))


@endpoint(bp, "/sales/{sale_id}/payment-status", "PATCH", summary="Update payment status",
          tag=TAG, permission=roles.SALES_ALL, body=PaymentStatusIn, response=SaleOut)
def update_payment_status(req: ApiRequest) -> dict:
    """Allowed on any sale, also in a closed pay period (customer payment does not
    change commission)."""
    body: PaymentStatusIn = req.body
    sale = sales.set_payment_status(req.user, req.int_param("sale_id"), body.status,
                                    body.payment_date)
    return sales.view(sale)


@endpoint(bp, "/sales/{sale_id}/void", "PATCH", summary="Void a sale", tag=TAG,
          permission=roles.SALES_ALL, body=VoidIn, response=SaleOut)
def void_sale(req: ApiRequest) -> dict:
    """In an open pay period the sale stops counting. In a closed one its commission is
    clawed back: negative adjustments dated in the current open period
    (``clawback_cents``). 409 while the sale's period is being closed (retry once it is
    closed). Voiding twice changes nothing."""
    sale = sales.void(req.user, req.int_param("sale_id"), req.body.reason)
    return sales.view(sale)


@endpoint(bp, "/sales/{sale_id}/approve", "PATCH", summary="Approve a sale", tag=TAG,
          permission=roles.SALES_APPROVE, body=DecisionIn, response=SaleOut)
def approve_sale(req: ApiRequest) -> dict:
    """pending -> approved (only approved, non-voided sales earn commission). 409 when
    the sale is not pending, is voided, or its pay period is closed or being closed.
    Emits ``sale.approved``."""
    sale = sales.decide(req.user, req.int_param("sale_id"), "approved", req.body.reason)
    return sales.view(sale)


@endpoint(bp, "/sales/{sale_id}/reject", "PATCH", summary="Reject a sale", tag=TAG,
          permission=roles.SALES_APPROVE, body=DecisionIn, response=SaleOut)
def reject_sale(req: ApiRequest) -> dict:
    """pending -> rejected, with an optional ``reason``. Emits ``sale.rejected``."""
    sale = sales.decide(req.user, req.int_param("sale_id"), "rejected", req.body.reason)
    return sales.view(sale)
