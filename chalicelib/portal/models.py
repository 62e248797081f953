"""The request and response models of the customer portal (``/customer/...``) and of
``/admin/reviews`` (``portal.api``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from chalicelib.core import text
from chalicelib.core.schemas import (
    Body,
    IdQuery,
    IsoDate,
    Out,
    Password,
    Query,
    Timestamp,
    checked_by,
    reference_example,
)
from chalicelib.portal.rules import MAX_RATING, MIN_RATING

# The reference's example e-mail is the text its published page shows in place of an
# address ("[email protected]", an obfuscated link): accepted as written, so the
# documented register and login calls work unchanged (it is an identity like any other).
REFERENCE_PLACEHOLDER = "[email protected]"


def _email_problem(value: str) -> str | None:
    return None if value == REFERENCE_PLACEHOLDER else text.email_problem(value)


PortalEmail = Annotated[
    str,
    Field(max_length=text.MAX_EMAIL_LENGTH, json_schema_extra={"format": "email"}),
    checked_by(_email_problem),
    AfterValidator(text.normalize_email),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]
BusinessCode = Annotated[str, Field(min_length=1, max_length=64)]
Code = Annotated[str, Field(pattern=r"^\d{6}$", description="the 6-digit code e-mailed")]


class CustomerRegisterIn(Body):
    model_config = reference_example(
        {
            "email": REFERENCE_PLACEHOLDER,
            "password": "customerPassword123!",
            "first_name": "Jane",
            "last_name": "Doe",
        }
    )

    email: PortalEmail
    password: Password
    first_name: Name
    last_name: Name


class CustomerLoginIn(Body):
    model_config = reference_example(
        {"email": REFERENCE_PLACEHOLDER, "password": "customerPassword123!"}
    )

    email: Annotated[str, Field(min_length=1, max_length=text.MAX_EMAIL_LENGTH)]
    password: Annotated[str, Field(min_length=1, max_length=text.PASSWORD_MAX_LENGTH)]


class CustomerRefreshIn(Body):
    model_config = reference_example({"refresh_token": "eyJ..."})

    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class CustomerVerifyIn(Body):
    model_config = reference_example({"code": "123456"})

    code: Code


class PortalAccountOut(Out):
    id: str
    email: str
    first_name: str | None
    last_name: str | None
    name: str
    email_verified: bool
    verified_at: Timestamp
    created_at: Timestamp


class CustomerSessionOut(Out):
    model_config = reference_example(
        {
            "access_token": "eyJ...",
            "refresh_token": "eyJ...",
            "email_verified": False,
            "customer": {
                "id": "5f0c3b8e9d2a4c7e8f1a2b3c4d5e6f70",
                "email": "jane@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "name": "Jane Doe",
                "email_verified": False,
                "verified_at": None,
                "created_at": "2026-03-28T09:00:00+00:00",
            },
        }
    )

    access_token: str
    refresh_token: str
    email_verified: bool
    customer: PortalAccountOut


class CustomerRefreshOut(Out):
    access_token: str
    refresh_token: str


class CustomerLogoutOut(Out):
    logged_out: bool


class ResentOut(Out):
    sent: bool = Field(description="false when SES refused the e-mail (ask again)")
    email: str


class PortalLineOut(Out):
    description: str
    amount_cents: int
    quantity: int
    total_cents: int


class PortalInvoiceOut(Out):
    business_code: str
    business_name: str
    id: int
    invoice_number: str
    status: str
    customer_name: str | None
    line_items: list[PortalLineOut]
    tax_bps: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    paid_cents: int
    balance_cents: int
    due_date: str
    created_at: str
    sent_at: str | None
    paid_at: str | None


class PortalEstimateOut(Out):
    business_code: str
    business_name: str
    id: int
    estimate_number: str
    status: str
    customer_name: str | None
    line_items: list[PortalLineOut]
    tax_bps: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    valid_until: str
    created_at: str
    sent_at: str | None
    responded_at: str | None
    responded_via: str | None


class ServiceRequestIn(Body):
    model_config = reference_example(
        {
            "business_code": "MYCOMPANY",
            "description": "Water heater leaking in the garage",
            "preferred_date": "2026-04-02",
            "address": "123 Oak St, Tampa FL 33601",
            "phone": "+1 813 555 0100",
        }
    )

    business_code: BusinessCode
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    preferred_date: IsoDate | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None


class ServiceRequestOut(Out):
    business_code: str
    business_name: str
    lead_id: int
    status: str
    preferred_date: str | None
    description: str


class ReviewIn(Body):
    model_config = reference_example(
        {
            "business_code": "MYCOMPANY",
            "job_id": 42,
            "rating": 5,
            "text": "On time and the AC works again.",
        }
    )

    business_code: BusinessCode
    job_id: Annotated[StrictInt, Field(ge=1, le=10**10 - 1)]
    rating: Annotated[StrictInt, Field(ge=MIN_RATING, le=MAX_RATING)]
    text: Annotated[str, Field(max_length=2000)] | None = None


class ReviewOut(Out):
    id: int = Field(description="the reviewed job's id (one review per job)")
    job_id: int
    technician_id: int | None
    customer_id: int
    rating: int
    text: str | None
    created_at: str


class PostedReviewOut(ReviewOut):
    business_code: str
    business_name: str


class ReviewFilter(Query):
    """``technician_id``: one technician's reviews; ``rating``: 1-5."""

    technician_id: IdQuery | None = None
    rating: Annotated[int, Field(ge=MIN_RATING, le=MAX_RATING)] | None = None


class RatingOut(Out):
    technician_id: int
    review_count: int
    rating_average: str | None = Field(
        description='the average rating to one decimal, as text ("4.5"); null without reviews'
    )
