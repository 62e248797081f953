"""How stored commission settings become the engine's input: the plans, overrides, tenant
defaults and discount scale kept by technicians, line items and the tenant settings, for
the selling technician and for the installer. Pure.

Installer commission: the installer's own installer plan, else the tenant's installer
default rate (0 unless configured). Technician x item overrides, category rates and item
defaults are selling rules and apply to the selling technician only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.commission.rules.engine import calculate_commission
from chalicelib.commission.rules.inputs import (
    CommissionConfig,
    SaleLine,
    TechItemOverride,
    TechPlan,
)
from chalicelib.commission.rules.snapshot import CommissionSnapshot

TECHNICIAN, INSTALLER = "technician", "installer"


def plan_from_dict(data: Mapping[str, Any], role: str) -> TechPlan:
    """A stored/posted plan ``{"kind", "rate_bps", "tiers"}`` as a validated ``TechPlan``
    (raises ``CommissionRuleError``)."""
    kind = data.get("kind")
    if kind == "tiered":
        return TechPlan.tiered(list(data.get("tiers") or []), role=role)  # type: ignore[arg-type]
    return TechPlan(
        kind=kind,
        rate_bps=data.get("rate_bps"),  # type: ignore[arg-type]
        tiers=tuple(data.get("tiers") or ()),
        role=role,
    )  # type: ignore[arg-type]


def plan_to_dict(plan: TechPlan) -> dict[str, Any]:
    return {
        "kind": plan.kind,
        "rate_bps": plan.rate_bps,
        "tiers": [tier.to_dict() for tier in plan.tiers],
    }


def override_from_dict(data: Mapping[str, Any]) -> TechItemOverride:
    return TechItemOverride(
        commission_rate_bps=data.get("commission_rate_bps"),
        flat_cents=data.get("flat_cents"),
        ov_rate_bps=data.get("ov_rate_bps") or 0,
        discount_scale_enabled=bool(data.get("discount_scale_enabled", False)),
    )


@dataclass(frozen=True)
class TenantCommission:
    """The tenant-wide part of the configuration (tenant settings)."""

    default_rate_bps: int = 0
    installer_default_rate_bps: int = 0
    discount_tiers: tuple[Mapping[str, Any], ...] = ()
    discount_scale_all: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TenantCommission:
        return cls(
            default_rate_bps=int(settings.get("default_commission_bps") or 0),
            installer_default_rate_bps=int(settings.get("installer_default_commission_bps") or 0),
            discount_tiers=tuple(settings.get("discount_tiers") or ()),
            discount_scale_all=bool(settings.get("discount_scale_all", False)),
        )


def seller_config(
    tenant: TenantCommission,
    *,
    override: Mapping[str, Any] | None,
    category_rate_bps: int | None,
    plan: Mapping[str, Any] | None,
    item_default_bps: int | None,
) -> CommissionConfig:
    """The selling technician's config: override, category rate, technician plan, item
    default, tenant default (most specific first)."""
    return CommissionConfig(
        tenant_default_rate_bps=tenant.default_rate_bps,
        override=override_from_dict(override) if override else None,
        category_rate_bps=category_rate_bps,
        plan=plan_from_dict(plan, TECHNICIAN) if plan else None,
        item_default_rate_bps=item_default_bps,
        discount_tiers=tuple(tenant.discount_tiers),
        discount_scale_all=tenant.discount_scale_all,
        role=TECHNICIAN,
    )


def installer_config(tenant: TenantCommission, plan: Mapping[str, Any] | None) -> CommissionConfig:
    """The installer's config: the installer plan, else the tenant's installer default."""
    return CommissionConfig(
        tenant_default_rate_bps=tenant.installer_default_rate_bps,
        plan=plan_from_dict(plan, INSTALLER) if plan else None,
        discount_tiers=tuple(tenant.discount_tiers),
        discount_scale_all=tenant.discount_scale_all,
        role=INSTALLER,
    )


def commissions(
    line: SaleLine, seller: CommissionConfig, installer: CommissionConfig | None
) -> tuple[CommissionSnapshot, CommissionSnapshot | None]:
    """Snapshots for the seller and (when named) the installer."""
    return (
        calculate_commission(line, seller),
        calculate_commission(line, installer) if installer is not None else None,
    )
