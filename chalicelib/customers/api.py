"""``/admin/customers``: the tenant's customers (sales, jobs and invoices link to them)."""

from __future__ import annotations

from typing import Annotated, Any

from chalice import Blueprint
from pydantic import BeforeValidator, Field

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import (
    Body,
    Email,
    Id,
    Out,
    Query,
    Timestamp,
    changes_of,
    id_from,
    page_of,
)
from chalicelib.customers import rules
from chalicelib.customers import service as customers

bp = Blueprint(__name__)
ONE = "/admin/customers/{customer_id}"


class CustomerBillingAddressIn(Body):
    """The billing address (the customer's ``address``/``city``/``state``/``zip`` are the
    service address). In a PATCH only the keys sent change; null clears one."""

    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=50)
    zip: str | None = Field(default=None, max_length=20)


class CustomerPatch(Body):
    """Only the fields sent change; null clears an optional field. ``address``, ``city``,
    ``state``, ``zip`` are the service address; ``billing_address`` is an object of the
    same four keys (null clears it). ``tags``: at most 20 labels of 1-30 characters
    (letters, digits, space, - _ . / &), de-duplicated case-insensitively; the list sent
    replaces the tags. ``active=false`` leaves the customer and its history as they are
    but lists it only under ``?active=false``."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=50)
    zip: str | None = Field(default=None, max_length=20)
    billing_address: CustomerBillingAddressIn | None = None
    tags: list[Annotated[str, Field(max_length=rules.MAX_TAG)]] | None = Field(
        default=None, max_length=rules.MAX_TAGS
    )
    notes: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class CustomerIn(CustomerPatch):
    """E-mail addresses are unique among a tenant's customers (409)."""

    name: str = Field(min_length=1, max_length=200)


class CustomersQuery(Query):
    active: bool | None = Field(
        default=None, description="true: only active customers; false: only inactive ones"
    )
    search: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Finds the customers whose name, a later word of the name, e-mail, phone digits "
            "or ZIP starts with it (case-insensitive; punctuation of a phone number is "
            "ignored). At most 1,000 matching terms: a broader prefix is 400."
        ),
    )


def _active(value: Any) -> bool:
    return value is not False


def _listed(value: Any) -> list:
    return list(value or [])


class CustomerBillingAddressOut(Out):
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None


class CustomerMergedOut(Out):
    """A customer folded into this one: who merged it (user id) and when; ``via``: the
    customer it had been merged into first (null: merged straight into this one)."""

    customer_id: int
    email: str | None = None
    merged_at: str
    merged_by: int | None = None
    via: int | None = None


class CustomerOut(Out):
    id: int = id_from("customer_id")
    name: str
    email: str | None
    phone: str | None
    address: str | None
    city: str | None
    state: str | None
    zip: str | None
    billing_address: CustomerBillingAddressOut | None = None
    tags: Annotated[list[str], BeforeValidator(_listed)] = []
    notes: str | None
    active: Annotated[bool, BeforeValidator(_active)] = True
    merged: Annotated[list[CustomerMergedOut], BeforeValidator(_listed)] = Field(
        default=[], validation_alias="absorbed"
    )
    created_at: Timestamp
    updated_at: Timestamp


class CustomerMergeIn(Body):
    """``from_id`` is folded into the customer of the path."""

    from_id: Id


class CustomerHistoryEntryOut(Out):
    type: str = Field(description="job, sale, invoice or estimate")
    id: int
    date: str = Field(
        description="job, estimate: created_at (ISO instant); sale: sale date; invoice: due date"
    )
    status: str
    amount_cents: int | None = None
    summary: str
    customer_id: int | None = Field(
        default=None, description="the customer the record names (a merged customer's id)"
    )


class CustomerHistoryOut(Out):
    customer_id: int
    items: list[CustomerHistoryEntryOut]
    limit: int
    next_cursor: str | None = None


@endpoint(
    bp,
    "/admin/customers",
    "GET",
    summary="List customers",
    tag="customers",
    permission=roles.CUSTOMERS_READ,
    query=CustomersQuery,
    response=page_of(CustomerOut),
    paginated=True,
)
def list_customers(req: ApiRequest) -> Any:
    """Newest first (by id). ``total`` is exact; pass a page's ``next_cursor`` as
    ``cursor`` to walk on at the same cost per page.

    ``search`` finds customers by prefix, case-insensitive: of the whole name or of any
    later word of it ("doe" finds "John Doe"), of the e-mail, of the phone number's
    digits ("813-555" and "(813) 555" both search 813555) or of the ZIP. City, address
    and notes are not searched. Results are ordered by the matching term (A-Z), newest
    first within a term, each customer once. A search may match at most 1,000 terms: a
    prefix that matches more is 400 ``BAD_REQUEST`` (type more of it).

    ``active=true|false``: only the active (inactive) customers, with or without
    ``search``; ``total`` stays exact. Merged-away customers are never listed."""
    return customers.list_page(
        req.tenant_id,
        req.page,  # type: ignore[arg-type]
        req.query.search,  # type: ignore[union-attr]
        req.query.active,  # type: ignore[union-attr]
    )


@endpoint(
    bp,
    "/admin/customers",
    "POST",
    summary="Create a customer",
    tag="customers",
    permission=roles.CUSTOMERS_WRITE,
    body=CustomerIn,
    response=CustomerOut,
    status=201,
)
def create_customer(req: ApiRequest) -> Any:
    return customers.create(req.tenant_id, req.body.model_dump())


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get a customer",
    tag="customers",
    permission=roles.CUSTOMERS_READ,
    response=CustomerOut,
)
def get_customer(req: ApiRequest) -> Any:
    """A merged-away customer's id answers the customer it was merged into (the body's
    ``id`` is that one's)."""
    return customers.get(req.tenant_id, req.int_param("customer_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Update a customer",
    tag="customers",
    permission=roles.CUSTOMERS_WRITE,
    body=CustomerPatch,
    response=CustomerOut,
)
def update_customer(req: ApiRequest) -> Any:
    """An e-mail another customer has is 409; so is a merged-away customer."""
    return customers.update(
        req.tenant_id, req.int_param("customer_id"), changes_of(req.body, ("name", "active"))
    )


@endpoint(
    bp,
    f"{ONE}/merge",
    "POST",
    summary="Merge a customer into this one",
    tag="customers",
    permission=roles.CUSTOMERS_WRITE,
    body=CustomerMergeIn,
    response=CustomerOut,
)
def merge_customer(req: ApiRequest) -> Any:
    """Folds ``from_id`` into this customer and answers this one. The merged customer
    leaves the list, the search and the total; its id answers this customer; its e-mail
    links new sales, jobs and invoices to this customer; this customer's history shows
    its records. ``merged`` lists who merged what when. Into itself: 422 (``from_id``);
    either already merged, or this one already holding 10 merged customers: 409; an id
    of no customer of the tenant: 404."""
    return customers.merge(
        req.tenant_id, req.int_param("customer_id"), req.body.from_id, req.user.user_id
    )


@endpoint(
    bp,
    f"{ONE}/history",
    "GET",
    summary="A customer's history",
    tag="customers",
    permission=roles.CUSTOMERS_READ,
    response=CustomerHistoryOut,
    paginated=True,
)
def customer_history(req: ApiRequest) -> Any:
    """The customer's jobs, sales, invoices and estimates, newest first, with those of
    every customer merged into it: ``{type, id, date, status, amount_cents, summary,
    customer_id}``. ``date`` is a job's or an estimate's ``created_at``, a sale's date, an
    invoice's due date; ties by type (sale, job, invoice, estimate), then id. Pages by
    ``limit`` and ``cursor`` (the ``next_cursor``, null on the last page); ``page`` is
    not taken (400 past 1). Agreements are not in it yet."""
    return customers.history(req.tenant_id, req.int_param("customer_id"), req.page)  # type: ignore[arg-type]
