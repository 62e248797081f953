"""``/admin/line-items``: the price book (name, category, list price) and its categories."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import Field, StrictBool

from chalicelib.catalog import service as line_items
from chalicelib.catalog.rules import MAX_CATEGORY
from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import (
    Amount,
    Body,
    Bps,
    Out,
    Query,
    Timestamp,
    changes_of,
    id_from,
    page_of,
)

bp = Blueprint(__name__)
NOT_NULL = ("name", "category", "price_cents", "active")


class LineItemIn(Body):
    """``price_cents`` is the list price (per unit) the discount scale and overage compare
    against; ``default_commission_bps`` is the item's default rate (rule level 4)."""

    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="General", min_length=1, max_length=MAX_CATEGORY)
    price_cents: Amount
    description: str | None = Field(default=None, max_length=2000)
    sku: str | None = Field(default=None, max_length=64)
    default_commission_bps: Bps | None = None
    active: StrictBool = True


class LineItemPatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=MAX_CATEGORY)
    price_cents: Amount | None = None
    description: str | None = Field(default=None, max_length=2000)
    sku: str | None = Field(default=None, max_length=64)
    default_commission_bps: Bps | None = None
    active: StrictBool | None = None


class LineItemsQuery(Query):
    category: str | None = Field(
        default=None, max_length=MAX_CATEGORY, description="case-insensitive category match"
    )
    active: bool | None = None


class LineItemOut(Out):
    id: int = id_from("item_id")
    name: str
    category: str
    price_cents: int
    description: str | None
    sku: str | None
    default_commission_bps: int | None
    active: bool
    created_at: Timestamp
    updated_at: Timestamp


class CategoryOut(Out):
    category: str
    item_count: int
    active_item_count: int


class CategoriesOut(Out):
    items: list[CategoryOut]


@endpoint(
    bp,
    "/admin/line-items",
    "GET",
    summary="List line items",
    tag="line-items",
    permission=roles.SELF,
    query=LineItemsQuery,
    response=page_of(LineItemOut),
    paginated=True,
)
def list_line_items(req: ApiRequest) -> Any:
    """By id. Any staff user may read the price book (technicians pick items when
    recording a sale). ``category`` matches case- and space-insensitively. ``total`` is
    exact; pass a page's ``next_cursor`` as ``cursor`` to walk on at the same cost per
    page."""
    return line_items.page(
        req.tenant_id,
        req.page,  # type: ignore[arg-type]
        category=req.query.category,
        active=req.query.active,
    )


@endpoint(
    bp,
    "/admin/line-items/categories",
    "GET",
    summary="Line item categories",
    tag="line-items",
    permission=roles.SELF,
    response=CategoriesOut,
)
def list_categories(req: ApiRequest) -> Any:
    """Distinct categories of the price book (the spelling each was first given) with
    their item counts, from the list's counts (two reads, whatever the size)."""
    return {"items": line_items.categories(req.tenant_id)}


@endpoint(
    bp,
    "/admin/line-items",
    "POST",
    summary="Create a line item",
    tag="line-items",
    permission=roles.COMMISSION_CONFIG,
    body=LineItemIn,
    response=LineItemOut,
    status=201,
)
def create_line_item(req: ApiRequest) -> Any:
    return line_items.create(req.tenant_id, req.body.model_dump())


@endpoint(
    bp,
    "/admin/line-items/{item_id}",
    "GET",
    summary="Get a line item",
    tag="line-items",
    permission=roles.SELF,
    response=LineItemOut,
)
def get_line_item(req: ApiRequest) -> Any:
    return line_items.get(req.tenant_id, req.int_param("item_id"))


@endpoint(
    bp,
    "/admin/line-items/{item_id}",
    "PATCH",
    summary="Update a line item",
    tag="line-items",
    permission=roles.COMMISSION_CONFIG,
    body=LineItemPatch,
    response=LineItemOut,
)
def update_line_item(req: ApiRequest) -> Any:
    """Changing the price or rates never changes recorded sales (they keep snapshots).
    ``active: false`` retires an item: it can no longer be sold."""
    return line_items.update(
        req.tenant_id, req.int_param("item_id"), changes_of(req.body, NOT_NULL)
    )
