"""Pure rules of sales: statuses and their moves, sale and payment dates, which sales earn
commission, and how stored commission settings become the engine's input.

No AWS, no HTTP. Money is int cents, rates int bps (see ``domain.money``); the commission
arithmetic itself is ``domain.commission``.

Rules (SPEC.md "Commission engine")
-----------------------------------
* ``approval_status``: ``pending`` -> ``approved`` | ``rejected`` (final). A voided sale
  cannot be approved or rejected.
* ``payment_status``: ``unpaid`` | ``partial`` | ``paid`` | ``refunded``, any move allowed;
  ``unpaid`` clears ``payment_date``, the others keep the given date, else the one already
  recorded, else today. Dates are never in the future.
* Only approved, non-voided sales earn commission.
* ``sale_date`` defaults to today in the tenant's timezone and is never in the future.
* Voiding an approved sale whose pay period is closed claws its commission back: one
  negative adjustment per earner (technician, installer) dated in the open period.
* Installer commission: the installer's own installer plan, else the tenant's installer
  default rate (0 unless configured). Technician x item overrides, category rates and
  item defaults are selling rules and apply to the selling technician only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.commission import (CommissionConfig, CommissionSnapshot, SaleLine,
                                          TechItemOverride, TechPlan, calculate_commission,
                                          clawback)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
APPROVAL_STATUSES = (PENDING, APPROVED, REJECTED)
UNPAID, PARTIAL, PAID, REFUNDED = "unpaid", "partial", "paid", "refunded"
PAYMENT_STATUSES = (UNPAID, PARTIAL, PAID, REFUNDED)
TECHNICIAN, INSTALLER = "technician", "installer"


class SaleRuleError(Exception):
    """A move the sale's current state does not allow (HTTP 409)."""


class SaleInputError(ValueError):
    """Input that can never be valid (HTTP 422); ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# --- dates -----------------------------------------------------------------------------
def tenant_today(timezone_name: str | None, now: datetime | None = None) -> date:
    """Today's date in the tenant's timezone (UTC when the name is unknown)."""
    now = now or datetime.now(timezone.utc)
    try:
        zone = ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def check_sale_date(sale_date: date | None, today: date) -> date:
    """The sale's date: ``today`` by default; never after ``today``."""
    if sale_date is None:
        return today
    if sale_date > today:
        raise SaleInputError("sale_date", f"must not be in the future (today is {today})")
    return sale_date


def payment_update(status: str, given: date | None, current: str | None,
                   today: date) -> str | None:
    """The ``payment_date`` (ISO) stored with a new ``payment_status``."""
    if status not in PAYMENT_STATUSES:
        raise SaleInputError("status", f"must be one of {', '.join(PAYMENT_STATUSES)}")
    if given is not None and given > today:
        raise SaleInputError("payment_date", f"must not be in the future (today is {today})")
    if status == UNPAID:
        if given is not None:
            raise SaleInputError("payment_date", "must be empty when the status is unpaid")
        return None
    if given is not None:
        return given.isoformat()
    return current or today.isoformat()


# --- approval ------------------------------------------------------------------------------
def check_approval(current: str, target: str, voided: bool) -> None:
    """``pending`` -> ``approved`` | ``rejected``; anything else is a ``SaleRuleError``."""
    if target not in (APPROVED, REJECTED):
        raise ValueError(f"unknown approval target {target!r}")
    if voided:
        raise SaleRuleError("a voided sale cannot be approved or rejected")
    if current != PENDING:
        raise SaleRuleError(f"sale is already {current}; only pending sales can be "
                            f"{'approved' if target == APPROVED else 'rejected'}")


def earns_commission(approval_status: str, voided: bool) -> bool:
    return approval_status == APPROVED and not voided


# --- commission configuration --------------------------------------------------------------
def category_key(category: str) -> str:
    """Categories match case- and space-insensitively: ``' Air  Conditioning'`` ->
    ``'air conditioning'``."""
    return " ".join(category.split()).lower()


def plan_from_dict(data: Mapping[str, Any], role: str) -> TechPlan:
    """A stored/posted plan ``{"kind", "rate_bps", "tiers"}`` as a validated ``TechPlan``
    (raises ``CommissionRuleError``)."""
    kind = data.get("kind")
    if kind == "tiered":
        return TechPlan.tiered(list(data.get("tiers") or []), role=role)  # type: ignore[arg-type]
    return TechPlan(kind=kind, rate_bps=data.get("rate_bps"),  # type: ignore[arg-type]
                    tiers=tuple(data.get("tiers") or ()), role=role)  # type: ignore[arg-type]


def plan_to_dict(plan: TechPlan) -> dict[str, Any]:
    return {"kind": plan.kind, "rate_bps": plan.rate_bps,
            "tiers": [tier.to_dict() for tier in plan.tiers]}


def override_from_dict(data: Mapping[str, Any]) -> TechItemOverride:
    return TechItemOverride(
        commission_rate_bps=data.get("commission_rate_bps"), flat_cents=data.get("flat_cents"),
        ov_rate_bps=data.get("ov_rate_bps") or 0,
        discount_scale_enabled=bool(data.get("discount_scale_enabled", False)))


@dataclass(frozen=True)
class TenantCommission:
    """The tenant-wide part of the configuration (tenant settings)."""

    default_rate_bps: int = 0
    installer_default_rate_bps: int = 0
    discount_tiers: tuple[Mapping[str, Any], ...] = ()
    discount_scale_all: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "TenantCommission":
        return cls(default_rate_bps=int(settings.get("default_commission_bps") or 0),
                   installer_default_rate_bps=int(
                       settings.get("installer_default_commission_bps") or 0),
                   discount_tiers=tuple(settings.get("discount_tiers") or ()),
                   discount_scale_all=bool(settings.get("discount_scale_all", False)))


def seller_config(tenant: TenantCommission, *, override: Mapping[str, Any] | None,
                  category_rate_bps: int | None, plan: Mapping[str, Any] | None,
                  item_default_bps: int | None) -> CommissionConfig:
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
        role=TECHNICIAN)


def installer_config(tenant: TenantCommission,
                     plan: Mapping[str, Any] | None) -> CommissionConfig:
    """The installer's config: the installer plan, else the tenant's installer default."""
    return CommissionConfig(
        tenant_default_rate_bps=tenant.installer_default_rate_bps,
        plan=plan_from_dict(plan, INSTALLER) if plan else None,
        discount_tiers=tuple(tenant.discount_tiers),
        discount_scale_all=tenant.discount_scale_all,
        role=INSTALLER)


def commissions(line: SaleLine, seller: CommissionConfig,
                installer: CommissionConfig | None
                ) -> tuple[CommissionSnapshot, CommissionSnapshot | None]:
    """Snapshots for the seller and (when named) the installer."""
    return (calculate_commission(line, seller),
            calculate_commission(line, installer) if installer is not None else None)


# --- voiding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clawback:
    role: str
    technician_id: int
    amount_cents: int  # negative


def clawbacks(*, approval_status: str, voided: bool, period_closed: bool,
              technician_id: int, snapshot: Mapping[str, Any],
              installer_id: int | None, installer_snapshot: Mapping[str, Any] | None
              ) -> list[Clawback]:
    """Adjustments owed when voiding a sale: none unless the sale earned commission and its
    period is closed (in an open period the voided sale simply stops counting)."""
    if not period_closed or not earns_commission(approval_status, voided):
        return []
    result = []
    amount = clawback(CommissionSnapshot.from_dict(snapshot))
    if amount:
        result.append(Clawback(TECHNICIAN, technician_id, amount))
    if installer_id is not None and installer_snapshot:
        amount = clawback(CommissionSnapshot.from_dict(installer_snapshot))
        if amount:
            result.append(Clawback(INSTALLER, installer_id, amount))
    return result
