"""Commission configuration at every level the engine resolves (SPEC.md "Commission
engine"), most specific first:

1. technician x item override (``/admin/commission-config/tech/{tid}/item/{iid}``);
2. the technician's rate for the item's category (``.../tech/{tid}/category/{category}``);
3. the technician's default plan per role (``.../tech/{tid}/plan/{technician|installer}``);
4. the item's default rate (``/admin/commission-config/item/{iid}``);
5. the tenant default (``/admin/commission-config/tenant``, also ``/admin/settings``),
   with the tenant's discount-scale tiers.

Changing any of these never touches recorded sales: each sale keeps its snapshot.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core.errors import NotFound, ValidationFailed
from chalicelib.domain.commission import CommissionRuleError, TechItemOverride
from chalicelib.domain.sales import category_key, plan_from_dict, plan_to_dict
from chalicelib.services import line_items, technicians
from chalicelib.store import commission_config as store
from chalicelib.store import line_items as item_store
from chalicelib.store import technicians as tech_store
from chalicelib.store.models import CommissionOverrideItem, LineItemItem, TechnicianItem


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _invalid(exc: CommissionRuleError, field: str = "body") -> ValidationFailed:
    return ValidationFailed(f"{field}: {exc}", details=[{"field": field, "message": str(exc)}])


def override_view(item: CommissionOverrideItem) -> dict[str, Any]:
    return {
        "technician_id": int(item.technician_id), "item_id": int(item.item_id),
        "commission_rate_bps": (int(item.commission_rate_bps)
                                if item.commission_rate_bps is not None else None),
        "flat_cents": int(item.flat_cents) if item.flat_cents is not None else None,
        "ov_rate_bps": int(item.ov_rate_bps or 0),
        "discount_scale_enabled": bool(item.discount_scale_enabled),
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
    }


def _tech_and_item(tenant_id: str, technician_id: int,
                   item_id: int) -> tuple[TechnicianItem, LineItemItem]:
    """Both in one BatchGetItem; 404 naming whichever does not exist in this tenant."""
    tech, item = store.technician_and_item(tenant_id, technician_id, item_id)
    if tech is None:
        raise NotFound(f"technician {technician_id} not found")
    if item is None:
        raise NotFound(f"line item {item_id} not found")
    return tech, item  # type: ignore[return-value]


# --- level 1: technician x item ------------------------------------------------------------
def put_override(tenant_id: str, technician_id: int, item_id: int, *,
                 commission_rate_bps: int | None, flat_cents: int | None, ov_rate_bps: int,
                 discount_scale_enabled: bool, actor: int) -> CommissionOverrideItem:
    try:
        TechItemOverride(commission_rate_bps=commission_rate_bps, flat_cents=flat_cents,
                         ov_rate_bps=ov_rate_bps,
                         discount_scale_enabled=discount_scale_enabled)
    except CommissionRuleError as exc:
        raise _invalid(exc) from exc
    _tech_and_item(tenant_id, technician_id, item_id)
    return store.put_override(tenant_id, technician_id, item_id,
                              commission_rate_bps=commission_rate_bps, flat_cents=flat_cents,
                              ov_rate_bps=ov_rate_bps,
                              discount_scale_enabled=discount_scale_enabled, actor=actor,
                              now=_now())


def get_override(tenant_id: str, technician_id: int, item_id: int) -> CommissionOverrideItem:
    item = store.get_override(tenant_id, technician_id, item_id)
    if item is None:
        raise NotFound(f"no commission override for technician {technician_id} "
                       f"and line item {item_id}")
    return item


def delete_override(tenant_id: str, technician_id: int, item_id: int) -> None:
    if not store.delete_override(tenant_id, technician_id, item_id):
        raise NotFound(f"no commission override for technician {technician_id} "
                       f"and line item {item_id}")


# --- levels 2 and 3: on the technician --------------------------------------------------------
def technician_config(tenant_id: str, technician_id: int) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    return {
        "technician_id": technician_id,
        "items": [override_view(o) for o in store.list_overrides(tenant_id, technician_id)],
        "category_rates": [
            {"category": r["category"], "commission_rate_bps": r["rate_bps"]}
            for r in sorted(tech_store.category_rates(tech).values(),
                            key=lambda r: r["category"].lower())],
        "plans": tech_store.plans(tech),
    }


def category_rate_view(technician_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    return {"technician_id": technician_id, "category": entry["category"],
            "commission_rate_bps": entry["rate_bps"]}


def put_category_rate(tenant_id: str, technician_id: int, category: str,
                      rate_bps: int) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    display = line_items.tidy_category(category)
    key = category_key(category)
    if not key:
        raise ValidationFailed("category must not be empty",
                               details=[{"field": "category", "message": "empty"}])
    tech_store.set_category_rate(tech, key, display, rate_bps, _now())
    return category_rate_view(technician_id, {"category": display, "rate_bps": rate_bps})


def get_category_rate(tenant_id: str, technician_id: int, category: str) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    entry = tech_store.category_rates(tech).get(category_key(category))
    if entry is None:
        raise NotFound(f"technician {technician_id} has no rate for category {category!r}")
    return category_rate_view(technician_id, entry)


def delete_category_rate(tenant_id: str, technician_id: int, category: str) -> None:
    tech = technicians.get(tenant_id, technician_id)
    if not tech_store.remove_category_rate(tech, category_key(category), _now()):
        raise NotFound(f"technician {technician_id} has no rate for category {category!r}")


def plan_view(technician_id: int, role: str, plan: dict[str, Any]) -> dict[str, Any]:
    return {"technician_id": technician_id, "role": role, **plan}


def put_plan(tenant_id: str, technician_id: int, role: str,
             plan: dict[str, Any]) -> dict[str, Any]:
    try:
        stored = plan_to_dict(plan_from_dict(plan, role))
    except CommissionRuleError as exc:
        raise _invalid(exc) from exc
    tech = technicians.get(tenant_id, technician_id)
    tech_store.set_plan(tech, role, stored, _now())
    return plan_view(technician_id, role, stored)


def get_plan(tenant_id: str, technician_id: int, role: str) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    plan = tech_store.plans(tech).get(role)
    if plan is None:
        raise NotFound(f"technician {technician_id} has no {role} plan")
    return plan_view(technician_id, role, plan)


def delete_plan(tenant_id: str, technician_id: int, role: str) -> None:
    tech = technicians.get(tenant_id, technician_id)
    if not tech_store.remove_plan(tech, role, _now()):
        raise NotFound(f"technician {technician_id} has no {role} plan")


# --- level 4: the item's default ----------------------------------------------------------
def item_default_view(item: LineItemItem) -> dict[str, Any]:
    return {"item_id": int(item.item_id),
            "commission_rate_bps": (int(item.default_commission_bps)
                                    if item.default_commission_bps is not None else None)}


def put_item_default(tenant_id: str, item_id: int, rate_bps: int) -> LineItemItem:
    item = line_items.get(tenant_id, item_id)
    return item_store.update(item, {"default_commission_bps": rate_bps}, _now())


def get_item_default(tenant_id: str, item_id: int) -> LineItemItem:
    item = line_items.get(tenant_id, item_id)
    if item.default_commission_bps is None:
        raise NotFound(f"line item {item_id} has no default commission rate")
    return item


def delete_item_default(tenant_id: str, item_id: int) -> None:
    item = get_item_default(tenant_id, item_id)
    item_store.update(item, {"default_commission_bps": None}, _now())
