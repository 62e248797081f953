"""The request and response models of ``/admin/estimates`` and the public signed-link
routes (``estimates.api``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, model_validator

from chalicelib.core.schemas import (
    Body,
    Bps,
    IdQuery,
    IsoDate,
    Out,
    Query,
    reference_example,
)
from chalicelib.dispatch.models import JobOut, JobPatch
from chalicelib.estimates.rules import MAX_LINES, STATUSES
from chalicelib.invoices.models import DocumentCustomer, InvoiceOut, LineIn, LineOut, Notes

Status = Literal["draft", "sent", "accepted", "declined", "expired", "converted"]
assert set(Status.__args__) == set(STATUSES)  # type: ignore[attr-defined]
Lines = Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]


class EstimateIn(DocumentCustomer):
    """The customer is ``customer_id``, else the tenant's customer with
    ``customer_email``, else a new customer made from ``customer_name``/``customer_email``
    (linked, never duplicated). ``valid_until`` is today or later; ``tax_bps`` (0-10,000)
    applies to the whole subtotal."""

    model_config = reference_example(
        {
            "customer_name": "Jane Smith",
            "customer_email": "[email protected]",
            "line_items": [
                {"description": "New HVAC System", "amount_cents": 850000, "quantity": 1},
                {"description": "Installation Labor", "amount_cents": 250000, "quantity": 1},
            ],
            "valid_until": "2026-04-30",
        }
    )

    line_items: Lines
    valid_until: IsoDate
    tax_bps: Bps = 0
    notes: Notes | None = None


class EstimatePatch(Body):
    """A draft's line items, ``valid_until``, tax and notes (``null`` notes clears them)."""

    model_config = reference_example({"valid_until": "2026-05-15", "tax_bps": 825})

    line_items: Lines | None = None
    valid_until: IsoDate | None = None
    tax_bps: Bps | None = None
    notes: Notes | None = None


class EstimateFilter(Query):
    """``status`` (``expired``: sent, ``valid_until`` before today, UTC), ``customer_id``
    and an inclusive ``valid_until`` range."""

    status: Status | None = None
    customer_id: IdQuery | None = None
    valid_from: IsoDate | None = Field(
        default=None, description="valid_until on or after, YYYY-MM-DD"
    )
    valid_to: IsoDate | None = Field(
        default=None, description="valid_until on or before, YYYY-MM-DD"
    )

    @model_validator(mode="after")
    def _range(self) -> EstimateFilter:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from must not be after valid_to")
        return self


class ConvertIn(JobPatch):
    """``create_job: true`` also creates a pending dispatch job for the estimate's
    customer (the other fields are the job's, as ``POST /admin/dispatch`` takes them; the
    title defaults to the estimate number and its first line). ``due_date`` is the
    invoice's (default: 30 days from today)."""

    model_config = reference_example(
        {"create_job": True, "scheduled_start": "2026-05-04T09:00:00Z", "priority": "normal"}
    )

    create_job: StrictBool = False
    due_date: IsoDate | None = None


class EstimateOut(Out):
    id: int
    estimate_number: str
    status: Status
    customer_id: int
    customer_name: str | None
    customer_email: str | None
    line_items: list[LineOut]
    tax_bps: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    valid_until: str
    notes: str | None
    created_at: str
    updated_at: str
    sent_at: str | None
    responded_at: str | None
    responded_via: Literal["staff", "portal", "link"] | None
    converted_at: str | None
    invoice_id: int | None
    job_id: int | None


class SentOut(EstimateOut):
    emailed_to: str | None = Field(
        description="The address the estimate was e-mailed to (null: no e-mail, or SES "
        "refused it; sending again retries)"
    )
    public_url: str = Field(
        description="The customer's signed link (view, accept, decline without a login; "
        "it works until the end of valid_until, UTC)"
    )


class PublicEstimateOut(Out):
    """What the customer sees through the signed link (no internal ids but the number)."""

    estimate_number: str
    business_name: str
    status: Status
    customer_name: str | None
    line_items: list[LineOut]
    tax_bps: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    valid_until: str
    notes: str | None
    sent_at: str | None
    responded_at: str | None


class ConvertedOut(Out):
    invoice: InvoiceOut
    job: JobOut | None
    estimate: EstimateOut
