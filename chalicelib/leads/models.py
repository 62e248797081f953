"""The request and response models of ``/admin/leads``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from chalicelib.core.schemas import (
    Amount,
    Body,
    Bps,
    Email,
    IsoDate,
    Out,
    Query,
    reference_example,
)
from chalicelib.leads.rules import SOURCES, STATUSES

Status = Literal["new", "contacted", "qualified", "won", "lost"]
Source = Literal["web", "phone", "referral", "portal", "other"]
assert set(Status.__args__) == set(STATUSES)  # type: ignore[attr-defined]
assert set(Source.__args__) == set(SOURCES)  # type: ignore[attr-defined]


def _text(limit: int) -> Any:
    return Annotated[str, Field(max_length=limit)]


class LeadPatch(Body):
    """Only the fields sent change; null clears an optional one (an e-mail or a phone
    must remain)."""

    model_config = reference_example({"phone": "813-555-0142", "description": "Two units"})

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: Email | None = None
    phone: _text(40) | None = None
    source: Source | None = None
    description: _text(5000) | None = None
    service_address: _text(300) | None = None
    service_city: _text(100) | None = None
    service_state: _text(50) | None = None
    service_zip: _text(20) | None = None


class LeadIn(LeadPatch):
    """A new lead (status ``new``): an e-mail or a phone number is required (422)."""

    model_config = reference_example(
        {
            "name": "Dana Fox",
            "email": "dana@example.com",
            "phone": "813-555-0100",
            "source": "web",
            "description": "Water heater leaking",
            "service_address": "1 Main St",
            "service_city": "Tampa",
            "service_state": "FL",
            "service_zip": "33601",
        }
    )

    name: Annotated[str, Field(min_length=1, max_length=200)]
    source: Source


class StatusIn(Body):
    """``contacted`` (from new), ``qualified`` (from contacted), ``lost`` (from any open
    status, with a ``reason``). ``won`` comes from converting the lead."""

    model_config = reference_example({"status": "contacted"})

    status: Status
    reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class LineIn(Body):
    description: Annotated[str, Field(min_length=1, max_length=500)]
    amount_cents: Amount = Field(description="Unit price in integer cents")
    quantity: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1


class ConvertIn(Body):
    """``create``: ``estimate`` (with ``line_items`` and ``valid_until``; ``tax_bps``,
    ``notes``) or ``job`` (``title``, default the lead's name; ``description``, default
    the lead's; ``priority``, ``job_type``, ``estimated_minutes``, ``scheduled_start`` and
    ``scheduled_end``; the service address is the lead's)."""

    model_config = reference_example(
        {
            "create": "estimate",
            "line_items": [{"description": "Water heater", "amount_cents": 120000}],
            "valid_until": "2030-01-31",
        }
    )

    create: Literal["estimate", "job"]
    line_items: Annotated[list[LineIn], Field(min_length=1, max_length=100)] | None = None
    valid_until: IsoDate | None = None
    tax_bps: Bps | None = None
    notes: _text(2000) | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    description: _text(5000) | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    job_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    estimated_minutes: Annotated[StrictInt, Field(ge=1, le=100000)] | None = None
    scheduled_start: Annotated[str, Field(max_length=40)] | None = None
    scheduled_end: Annotated[str, Field(max_length=40)] | None = None


class LeadFilter(Query):
    status: Status | None = None
    source: Source | None = None


class LeadOut(Out):
    id: int
    name: str
    email: str | None
    phone: str | None
    source: Source
    description: str | None
    service_address: str | None
    service_city: str | None
    service_state: str | None
    service_zip: str | None
    status: Status
    lost_reason: str | None
    customer_id: int | None
    estimate_id: int | None
    job_id: int | None
    history: list[dict[str, Any]] = Field(
        description="Every status change, oldest first: from, to, at, by (user id), reason"
    )
    created_by: int | None
    created_at: str
    updated_at: str
    won_at: str | None
    lost_at: str | None


class HistoryPage(Out):
    items: list[dict[str, Any]]


class CustomerBrief(Out):
    id: int
    name: str
    email: str | None
    phone: str | None
    address: str | None
    city: str | None
    state: str | None
    zip: str | None


class ConvertedOut(Out):
    lead: LeadOut
    customer: CustomerBrief
    estimate: dict[str, Any] | None = Field(
        default=None, description="The estimate made (``create: estimate``)"
    )
    job: dict[str, Any] | None = Field(default=None, description="The job made (``create: job``)")
