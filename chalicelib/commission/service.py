"""Commission configuration at every level the engine resolves (SPEC.md "Commission
engine"), most specific first:

1. technician x item override (``/admin/commission-config/tech/{tid}/item/{iid}``);
2. the technician's rate for the item's category (``.../tech/{tid}/category/{category}``);
3. the technician's default plan per role (``.../tech/{tid}/plan/{technician|installer}``);
4. the item's default rate (``/admin/commission-config/item/{iid}``);
5. the tenant default (``/admin/commission-config/tenant``, also ``/admin/settings``),
   with the tenant's discount-scale tiers (the settings feature).

Levels 2 and 3 are kept on the technician record, level 4 on the line item. Changing any
of these never touches recorded sales: each sale keeps its snapshot.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.catalog import service as catalog
from chalicelib.catalog.rules import category_key, tidy_category
from chalicelib.catalog.service import LineItemItem
from chalicelib.commission import rules, store
from chalicelib.commission.store import CommissionOverrideItem
from chalicelib.core import clock
from chalicelib.core.errors import NotFound, found, invalid
from chalicelib.platform.batch import get_many
from chalicelib.technicians import service as technicians
from chalicelib.technicians.service import CATEGORY_RATES, PLANS

override_ref = store.ref  # the override of a sale's technician and item, for its batch read


def _no_override(technician_id: int, item_id: int) -> str:
    return f"no commission override for technician {technician_id} and line item {item_id}"


# --- level 1: technician x item ------------------------------------------------------------
def put_override(
    tenant_id: str, technician_id: int, item_id: int, override: rules.TechItemOverride, actor: int
) -> CommissionOverrideItem:
    """Create or replace the override (validated by ``TechItemOverride``); 404 when the
    technician or the item does not exist."""
    tech, item = get_many(
        [technicians.ref(tenant_id, technician_id), catalog.ref(tenant_id, item_id)]
    )
    if tech is None or tech.tenant_id != tenant_id:
        raise NotFound(f"technician {technician_id} not found")
    if item is None or item.tenant_id != tenant_id:
        raise NotFound(f"line item {item_id} not found")
    return store.put_override(
        tenant_id, technician_id, item_id, asdict(override), actor, clock.now()
    )


def get_override(tenant_id: str, technician_id: int, item_id: int) -> CommissionOverrideItem:
    return found(
        store.get_override(tenant_id, technician_id, item_id), _no_override(technician_id, item_id)
    )


def delete_override(tenant_id: str, technician_id: int, item_id: int) -> None:
    if not store.delete_override(tenant_id, technician_id, item_id):
        raise NotFound(_no_override(technician_id, item_id))


# --- levels 2 and 3: on the technician --------------------------------------------------------
def technician_config(tenant_id: str, technician_id: int) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    rates = technicians.rules_of(tech, CATEGORY_RATES).values()
    return {
        "technician_id": technician_id,
        "items": store.list_overrides(tenant_id, technician_id),
        "category_rates": [
            {"category": r["category"], "commission_rate_bps": r["rate_bps"]}
            for r in sorted(rates, key=lambda r: r["category"].lower())
        ],
        "plans": technicians.rules_of(tech, PLANS),
    }


def _category_rate(technician_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "technician_id": technician_id,
        "category": entry["category"],
        "commission_rate_bps": entry["rate_bps"],
    }


def _no_category_rate(technician_id: int, category: str) -> NotFound:
    return NotFound(f"technician {technician_id} has no rate for category {category!r}")


def put_category_rate(
    tenant_id: str, technician_id: int, category: str, rate_bps: int
) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    display = tidy_category(category)
    key = category_key(category)
    if not key:
        raise invalid("category", "empty")
    entry = {"category": display, "rate_bps": rate_bps}
    technicians.set_rule(tech, CATEGORY_RATES, key, entry)
    return _category_rate(technician_id, entry)


def get_category_rate(tenant_id: str, technician_id: int, category: str) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    entry = technicians.rules_of(tech, CATEGORY_RATES).get(category_key(category))
    if entry is None:
        raise _no_category_rate(technician_id, category)
    return _category_rate(technician_id, entry)


def delete_category_rate(tenant_id: str, technician_id: int, category: str) -> None:
    tech = technicians.get(tenant_id, technician_id)
    if not technicians.remove_rule(tech, CATEGORY_RATES, category_key(category)):
        raise _no_category_rate(technician_id, category)


def _plan(technician_id: int, role: str, plan: dict[str, Any]) -> dict[str, Any]:
    return {"technician_id": technician_id, "role": role, **plan}


def put_plan(tenant_id: str, technician_id: int, role: str, plan: dict[str, Any]) -> dict[str, Any]:
    stored = rules.plan_to_dict(rules.plan_from_dict(plan, role))
    tech = technicians.get(tenant_id, technician_id)
    technicians.set_rule(tech, PLANS, role, stored)
    return _plan(technician_id, role, stored)


def get_plan(tenant_id: str, technician_id: int, role: str) -> dict[str, Any]:
    tech = technicians.get(tenant_id, technician_id)
    plan = technicians.rules_of(tech, PLANS).get(role)
    if plan is None:
        raise NotFound(f"technician {technician_id} has no {role} plan")
    return _plan(technician_id, role, plan)


def delete_plan(tenant_id: str, technician_id: int, role: str) -> None:
    tech = technicians.get(tenant_id, technician_id)
    if not technicians.remove_rule(tech, PLANS, role):
        raise NotFound(f"technician {technician_id} has no {role} plan")


# --- level 4: the item's default ----------------------------------------------------------
def put_item_default(tenant_id: str, item_id: int, rate_bps: int) -> LineItemItem:
    return catalog.set_default_rate(catalog.get(tenant_id, item_id), rate_bps)


def get_item_default(tenant_id: str, item_id: int) -> LineItemItem:
    item = catalog.get(tenant_id, item_id)
    if item.default_commission_bps is None:
        raise NotFound(f"line item {item_id} has no default commission rate")
    return item


def delete_item_default(tenant_id: str, item_id: int) -> None:
    catalog.set_default_rate(get_item_default(tenant_id, item_id), None)
