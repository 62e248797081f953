"""The request and response models of ``/admin/invoices`` (``invoices.api``)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, StrictInt, model_validator

from chalicelib.core.schemas import (
    Amount,
    Body,
    Bps,
    Email,
    Id,
    IdQuery,
    IsoDate,
    NonEmptyStr,
    Out,
    Query,
    reference_example,
)
from chalicelib.invoices.rules import MAX_LINES, MAX_QUANTITY, STATUSES

Status = Literal["draft", "sent", "partial", "paid", "void", "overdue"]
assert set(Status.__args__) == set(STATUSES)  # type: ignore[attr-defined]
Notes = Annotated[str, Field(max_length=2000)]
# The reference's example e-mail is the text its published page shows in place of an
# address ("[email protected]", an obfuscated link): accepted as "no e-mail" so the
# documented call works as written.
REFERENCE_PLACEHOLDER = "[email protected]"


def _placeholder_is_none(value: object) -> object:
    return None if isinstance(value, str) and value.strip() == REFERENCE_PLACEHOLDER else value


CustomerEmail = Annotated[Email | None, BeforeValidator(_placeholder_is_none)]


class LineIn(Body):
    description: NonEmptyStr
    amount_cents: Amount = Field(description="Unit price in integer cents")
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] = 1


class DocumentCustomer(Body):
    """The customer fields of a new document (an invoice, an estimate): ``customer_id``,
    else the tenant's customer with ``customer_email``, else a new customer made from
    ``customer_name``/``customer_email`` (``customers.service.resolve_for``)."""

    customer_id: Id | None = None
    customer_name: NonEmptyStr | None = None
    customer_email: CustomerEmail = None

    @model_validator(mode="after")
    def _a_customer(self) -> Self:
        if self.customer_id is None and not (self.customer_name or self.customer_email):
            raise ValueError("give customer_id, or customer_name and/or customer_email")
        return self


class InvoiceIn(DocumentCustomer):
    """The customer is ``customer_id``, else the tenant's customer with
    ``customer_email``, else a new customer made from ``customer_name``/``customer_email``
    (linked, never duplicated). ``tax_bps`` (0-10,000) applies to the whole subtotal."""

    model_config = reference_example(
        {
            "customer_name": "John Doe",
            "customer_email": "[email protected]",
            "line_items": [{"description": "AC Repair", "amount_cents": 15000, "quantity": 1}],
            "due_date": "2026-04-15",
        }
    )

    line_items: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    due_date: IsoDate
    tax_bps: Bps = 0
    notes: Notes | None = None


class InvoicePatch(Body):
    """A draft's line items, due date, tax and notes (``null`` notes clears them)."""

    model_config = reference_example({"due_date": "2026-04-30", "tax_bps": 825})

    line_items: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)] | None = None
    due_date: IsoDate | None = None
    tax_bps: Bps | None = None
    notes: Notes | None = None


class PaymentIn(Body):
    model_config = reference_example(
        {"amount_cents": 5000, "method": "card", "reference": "ch_3Nabc"}
    )

    amount_cents: Annotated[StrictInt, Field(ge=1, le=10**12)]
    method: Annotated[str, Field(min_length=1, max_length=50)]
    reference: Annotated[str, Field(max_length=200)] | None = None


class InvoiceFilter(Query):
    """``status`` (``overdue``: sent or partial, due before today, UTC), ``customer_id``
    and an inclusive due-date range."""

    status: Status | None = None
    customer_id: IdQuery | None = None
    due_from: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    due_to: IsoDate | None = Field(default=None, description="YYYY-MM-DD, inclusive")

    @model_validator(mode="after")
    def _range(self) -> InvoiceFilter:
        if self.due_from and self.due_to and self.due_from > self.due_to:
            raise ValueError("due_from must not be after due_to")
        return self


class LineOut(Out):
    description: str
    amount_cents: int
    quantity: int
    total_cents: int


class PaymentOut(Out):
    id: int
    amount_cents: int
    method: str
    reference: str | None
    recorded_at: str
    recorded_by: int | None = None


class InvoiceOut(Out):
    id: int
    invoice_number: str
    status: Status
    customer_id: int
    customer_name: str | None
    customer_email: str | None
    line_items: list[LineOut]
    tax_bps: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    paid_cents: int
    balance_cents: int
    payments: list[PaymentOut]
    due_date: str
    notes: str | None
    created_at: str
    updated_at: str
    sent_at: str | None
    paid_at: str | None
    voided_at: str | None


class SentOut(InvoiceOut):
    emailed_to: str | None = Field(
        description="The address the invoice was e-mailed to (null: no e-mail, or SES "
        "refused it; sending again retries)"
    )
