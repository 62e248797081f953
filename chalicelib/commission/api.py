"""``/admin/commission-config``: commission rules at every level the engine resolves.

Most specific first: technician x item (``/tech/{tid}/item/{iid}``), the technician's rate
for the item's category (``/tech/{tid}/category/{category}``), the technician's default
plan per role (``/tech/{tid}/plan/{technician|installer}``: percentage or marginal tiers),
the item's default rate (``/item/{iid}``) and the tenant default with the discount scale
(``/tenant``, served by the settings feature with ``/admin/settings``). Recorded sales keep
their snapshot whatever changes here.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import AliasChoices, Field, StrictBool, model_validator

from chalicelib.catalog.rules import MAX_CATEGORY
from chalicelib.commission import rules
from chalicelib.commission import service as config
from chalicelib.core import roles
from chalicelib.core.errors import NotFound, invalid
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import Amount, Body, Bps, Out, Timestamp, reference_example

bp = Blueprint(__name__)
TAG = "commission-config"


class OverrideIn(Body):
    """Exactly one of ``commission_rate_bps`` (share of the sale price) or ``flat_cents``
    (per unit). ``ov_rate_bps`` is paid on the part of the price above list;
    ``discount_scale_enabled`` applies the tenant's discount scale to this rate."""

    model_config = reference_example(
        {"commission_rate_bps": 750, "ov_rate_bps": 0, "discount_scale_enabled": False}
    )

    commission_rate_bps: Bps | None = None
    flat_cents: Amount | None = None
    ov_rate_bps: Bps = 0
    discount_scale_enabled: StrictBool = False

    @model_validator(mode="after")
    def _one_base(self) -> OverrideIn:
        if (self.commission_rate_bps is None) == (self.flat_cents is None):
            raise ValueError("give exactly one of commission_rate_bps or flat_cents")
        return self


class OverrideOut(Out):
    technician_id: int
    item_id: int
    commission_rate_bps: int | None
    flat_cents: int | None
    ov_rate_bps: int
    discount_scale_enabled: bool
    updated_at: Timestamp


class RateIn(Body):
    commission_rate_bps: Bps


class CategoryRateEntryOut(Out):
    category: str
    commission_rate_bps: int


class OfTechnician(Out):
    technician_id: int


class CategoryRateOut(CategoryRateEntryOut, OfTechnician):
    pass


class PlanTierIn(Body):
    """A marginal bracket: ``rate_bps`` on the part of the sale price up to
    ``up_to_cents`` (null for the last, open-ended bracket)."""

    up_to_cents: Amount | None = None
    rate_bps: Bps


class PlanIn(Body):
    """``percentage``: ``rate_bps``. ``tiered``: ``tiers`` ascending, the last one open
    ("5% on the first $1,000 and 8% above" = ``[{"up_to_cents": 100000, "rate_bps": 500},
    {"up_to_cents": null, "rate_bps": 800}]``)."""

    kind: Literal["percentage", "tiered"]
    rate_bps: Bps | None = None
    tiers: list[PlanTierIn] | None = Field(default=None, max_length=20)


class PlanTierOut(Out):
    up_to_cents: int | None
    rate_bps: int


class PlanEntryOut(Out):
    kind: str
    rate_bps: int | None
    tiers: list[PlanTierOut]


class OfTechnicianRole(OfTechnician):
    role: str


class PlanOut(PlanEntryOut, OfTechnicianRole):
    pass


class TechnicianConfigOut(Out):
    technician_id: int
    items: list[OverrideOut]
    category_rates: list[CategoryRateEntryOut]
    plans: dict[str, PlanEntryOut]


class ItemDefaultOut(Out):
    item_id: int
    commission_rate_bps: int | None = Field(
        validation_alias=AliasChoices("commission_rate_bps", "default_commission_bps")
    )


class DeletedOut(Out):
    deleted: bool


def _ids(req: ApiRequest) -> tuple[int, int]:
    return req.int_param("technician_id"), req.int_param("item_id")


def _role(req: ApiRequest) -> str:
    role = req.params.get("role", "")
    if role not in rules.ROLES:
        raise NotFound(f"unknown plan role {role!r}; expected technician or installer")
    return role


def _category(req: ApiRequest) -> str:
    category = unquote(req.params.get("category", ""))
    if len(category) > MAX_CATEGORY:
        raise invalid("category", f"at most {MAX_CATEGORY} characters")
    return category


# --- technician x item ---------------------------------------------------------------------
@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/item/{item_id}",
    "PUT",
    summary="Set a technician's rate for one line item",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    body=OverrideIn,
    response=OverrideOut,
)
def put_override(req: ApiRequest) -> Any:
    """Creates or replaces the override. 404 when the technician or item does not exist."""
    override = rules.TechItemOverride(**req.body.model_dump())
    return config.put_override(req.tenant_id, *_ids(req), override, req.user.user_id)


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/item/{item_id}",
    "GET",
    summary="A technician's rate for one line item",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=OverrideOut,
)
def get_override(req: ApiRequest) -> Any:
    return config.get_override(req.tenant_id, *_ids(req))


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/item/{item_id}",
    "DELETE",
    summary="Remove a technician's rate for one line item",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=DeletedOut,
)
def delete_override(req: ApiRequest) -> Any:
    config.delete_override(req.tenant_id, *_ids(req))
    return {"deleted": True}


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}",
    "GET",
    summary="All commission rules of a technician",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=TechnicianConfigOut,
)
def technician_config(req: ApiRequest) -> Any:
    """Item overrides, category rates and plans."""
    return config.technician_config(req.tenant_id, req.int_param("technician_id"))


# --- technician x category -------------------------------------------------------------------
@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/category/{category}",
    "PUT",
    summary="Set a technician's rate for a category",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    body=RateIn,
    response=CategoryRateOut,
)
def put_category_rate(req: ApiRequest) -> Any:
    """Categories match line items case-insensitively (URL-encode spaces)."""
    return config.put_category_rate(
        req.tenant_id, req.int_param("technician_id"), _category(req), req.body.commission_rate_bps
    )


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/category/{category}",
    "GET",
    summary="A technician's rate for a category",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=CategoryRateOut,
)
def get_category_rate(req: ApiRequest) -> Any:
    return config.get_category_rate(req.tenant_id, req.int_param("technician_id"), _category(req))


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/category/{category}",
    "DELETE",
    summary="Remove a technician's rate for a category",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=DeletedOut,
)
def delete_category_rate(req: ApiRequest) -> Any:
    config.delete_category_rate(req.tenant_id, req.int_param("technician_id"), _category(req))
    return {"deleted": True}


# --- technician default plans --------------------------------------------------------------
@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/plan/{role}",
    "PUT",
    summary="Set a technician's default plan (technician or installer role)",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    body=PlanIn,
    response=PlanOut,
)
def put_plan(req: ApiRequest) -> Any:
    body: PlanIn = req.body
    plan = {
        "kind": body.kind,
        "rate_bps": body.rate_bps,
        "tiers": [t.model_dump() for t in body.tiers or []],
    }
    return config.put_plan(req.tenant_id, req.int_param("technician_id"), _role(req), plan)


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/plan/{role}",
    "GET",
    summary="A technician's default plan",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=PlanOut,
)
def get_plan(req: ApiRequest) -> Any:
    return config.get_plan(req.tenant_id, req.int_param("technician_id"), _role(req))


@endpoint(
    bp,
    "/admin/commission-config/tech/{technician_id}/plan/{role}",
    "DELETE",
    summary="Remove a technician's default plan",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=DeletedOut,
)
def delete_plan(req: ApiRequest) -> Any:
    config.delete_plan(req.tenant_id, req.int_param("technician_id"), _role(req))
    return {"deleted": True}


# --- item default --------------------------------------------------------------------------
@endpoint(
    bp,
    "/admin/commission-config/item/{item_id}",
    "PUT",
    summary="Set a line item's default rate",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    body=RateIn,
    response=ItemDefaultOut,
)
def put_item_default(req: ApiRequest) -> Any:
    return config.put_item_default(
        req.tenant_id, req.int_param("item_id"), req.body.commission_rate_bps
    )


@endpoint(
    bp,
    "/admin/commission-config/item/{item_id}",
    "GET",
    summary="A line item's default rate",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=ItemDefaultOut,
)
def get_item_default(req: ApiRequest) -> Any:
    return config.get_item_default(req.tenant_id, req.int_param("item_id"))


@endpoint(
    bp,
    "/admin/commission-config/item/{item_id}",
    "DELETE",
    summary="Remove a line item's default rate",
    tag=TAG,
    permission=roles.COMMISSION_CONFIG,
    response=DeletedOut,
)
def delete_item_default(req: ApiRequest) -> Any:
    config.delete_item_default(req.tenant_id, req.int_param("item_id"))
    return {"deleted": True}
