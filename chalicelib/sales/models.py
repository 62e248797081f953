"""The sales wire format: what a client sends (``SaleIn``, the list filters) and what it
gets back (``SaleOut``, built straight from the stored ``SaleItem``). The API module and the
service share these, so a sale's fields are written out once for input and once for
output."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, field_validator

from chalicelib.core.schemas import (
    Amount,
    Body,
    DateRange,
    Email,
    Id,
    IdQuery,
    IsoDate,
    Out,
    Timestamp,
    id_from,
    reference_example,
)

ApprovalStatus = Literal["pending", "approved", "rejected"]
PaymentStatus = Literal["unpaid", "partial", "paid", "refunded"]


def _canonical(value: Any) -> Any:
    """Keys sorted at every level: the first response and an idempotent replay (which
    Powertools stores as sorted JSON) are then byte-for-byte the same."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


Snapshot = Annotated[dict[str, Any], BeforeValidator(_canonical)]


class SaleIn(Body):
    """``sale_price_cents`` is the total for the line (all units). ``sale_date`` defaults
    to today in the business's timezone; it may not be in the future nor inside a closed
    pay period (409). Give ``customer_id`` to link an existing customer; otherwise
    ``customer_email`` links the customer with that e-mail, and a new customer is created
    from ``customer_name``/``customer_email`` when none matches."""

    model_config = reference_example(
        {
            "technician_id": 1,
            "item_id": 5,
            "sale_price_cents": 150000,
            "customer_name": "John Doe",
            "notes": "Annual maintenance package",
            "payment_type": "credit_card",
        }
    )

    technician_id: Id
    item_id: Id
    sale_price_cents: Amount
    quantity: StrictInt = Field(default=1, ge=1, le=100000)
    installer_id: Id | None = None
    customer_id: Id | None = None
    customer_name: str | None = Field(default=None, min_length=1, max_length=200)
    customer_email: Email | None = None
    notes: str | None = Field(default=None, max_length=2000)
    payment_type: str | None = Field(default=None, min_length=1, max_length=50)
    sale_date: IsoDate | None = None


class SaleFilter(DateRange):
    """The filters of ``GET /sales`` (and of the sales CSV export)."""

    technician_id: IdQuery | None = None
    approval_status: ApprovalStatus | None = None
    payment_status: PaymentStatus | None = None
    voided: bool | None = None
    customer_id: IdQuery | None = None


class PaymentStatusIn(Body):
    """``unpaid`` clears ``payment_date``; otherwise it defaults to the date already
    recorded, else today."""

    model_config = reference_example({"status": "paid", "payment_date": "2026-03-15"})

    status: PaymentStatus
    payment_date: IsoDate | None = None


class VoidIn(Body):
    model_config = reference_example({"voided": True})

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
    id: int = id_from("sale_id")
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
    commission_snapshot: Snapshot
    installer_commission_snapshot: Snapshot | None
    customer_id: int | None
    customer_name: str | None
    customer_email: str | None
    notes: str | None
    payment_type: str | None
    sale_date: str
    approval_status: str
    approval_reason: str | None
    approved_by: int | None
    approved_at: Timestamp
    payment_status: str
    payment_date: str | None
    voided: bool
    voided_at: Timestamp
    void_reason: str | None
    clawback_cents: int | None
    created_by: int | None
    created_at: Timestamp
    updated_at: Timestamp


def view(sale: Any) -> dict[str, Any]:
    """The sale as the API returns it (also the ``sale.created`` event payload and the
    input of payroll's statements)."""
    return SaleOut.model_validate(sale).model_dump(mode="json")
