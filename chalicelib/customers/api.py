"""``/admin/customers``: the tenant's customers (sales, jobs and invoices link to them)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import Field

from chalicelib.core import roles
from chalicelib.core.pagination import paginate
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
        default=None, max_length=200, description="matches name, e-mail, phone, city or ZIP"
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
    """Newest first."""
    found = customers.list_all(req.tenant_id, search=req.query.search)
    return paginate(found, req.page)  # type: ignore[arg-type]


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
