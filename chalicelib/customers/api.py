"""``/admin/customers``: the tenant's customers (sales, jobs and invoices link to them)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import Field

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Body, Email, Out, Query, Timestamp, changes_of, id_from, page_of
from chalicelib.customers import service as customers

bp = Blueprint(__name__)


class CustomerPatch(Body):
    """Only the fields sent change; null clears an optional field."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=50)
    zip: str | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


class CustomerIn(CustomerPatch):
    """E-mail addresses are unique among a tenant's customers (409)."""

    name: str = Field(min_length=1, max_length=200)


class CustomersQuery(Query):
    search: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Finds the customers whose name, a later word of the name, e-mail, phone digits "
            "or ZIP starts with it (case-insensitive; punctuation of a phone number is "
            "ignored). At most 1,000 matching terms: a broader prefix is 400."
        ),
    )


class CustomerOut(Out):
    id: int = id_from("customer_id")
    name: str
    email: str | None
    phone: str | None
    address: str | None
    city: str | None
    state: str | None
    zip: str | None
    notes: str | None
    created_at: Timestamp
    updated_at: Timestamp


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
    prefix that matches more is 400 ``BAD_REQUEST`` (type more of it)."""
    return customers.list_page(req.tenant_id, req.page, req.query.search)  # type: ignore[arg-type]


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
    "/admin/customers/{customer_id}",
    "GET",
    summary="Get a customer",
    tag="customers",
    permission=roles.CUSTOMERS_READ,
    response=CustomerOut,
)
def get_customer(req: ApiRequest) -> Any:
    return customers.get(req.tenant_id, req.int_param("customer_id"))


@endpoint(
    bp,
    "/admin/customers/{customer_id}",
    "PATCH",
    summary="Update a customer",
    tag="customers",
    permission=roles.CUSTOMERS_WRITE,
    body=CustomerPatch,
    response=CustomerOut,
)
def update_customer(req: ApiRequest) -> Any:
    return customers.update(
        req.tenant_id, req.int_param("customer_id"), changes_of(req.body, ("name",))
    )
