"""The engine's inputs: the rules one earner may have, the tenant's settings, the sold line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.commission.rules.checks import (
    PLAN_KINDS,
    ROLES,
    CommissionRuleError,
    PlanKind,
    Role,
    _as_sequence,
    _choice,
    _flag,
    _optional_cents,
    _optional_rate,
    _rate,
    _sale,
    _set,
)
from chalicelib.commission.rules.tiers import (
    DiscountTier,
    PlanTier,
    validate_discount_tiers,
    validate_tiers,
)


@dataclass(frozen=True)
class TechItemOverride:
    """Rule for one technician selling one specific item (level 1).

    Exactly one of ``commission_rate_bps`` (percentage of the sale price) or
    ``flat_cents`` (fixed amount per unit) must be set. ``ov_rate_bps`` is paid
    on the amount sold above list. ``discount_scale_enabled`` turns the
    tenant's discount scale on for this rule (ignored with ``flat_cents``).
    """

    commission_rate_bps: int | None = None
    flat_cents: int | None = None
    ov_rate_bps: int = 0
    discount_scale_enabled: bool = False

    def __post_init__(self) -> None:
        if (self.commission_rate_bps is None) == (self.flat_cents is None):
            raise CommissionRuleError(
                "override must set exactly one of commission_rate_bps or flat_cents"
            )
        _optional_rate(self.commission_rate_bps, "commission_rate_bps")
        _optional_cents(self.flat_cents, "flat_cents")
        _rate(self.ov_rate_bps, "ov_rate_bps")
        _flag(self.discount_scale_enabled, "discount_scale_enabled")


@dataclass(frozen=True)
class TechPlan:
    """A technician's default plan for one role (level 3).

    ``kind="percentage"`` needs ``rate_bps`` and no tiers; ``kind="tiered"``
    needs ``tiers`` (see :func:`validate_tiers`) and no ``rate_bps``. Prefer the
    :meth:`percentage` and :meth:`tiered` constructors.
    """

    kind: PlanKind
    rate_bps: int | None = None
    tiers: tuple[PlanTier, ...] = ()
    role: Role = "technician"

    def __post_init__(self) -> None:
        _choice(self.kind, "plan kind", PLAN_KINDS)
        _choice(self.role, "plan role", ROLES)
        if self.kind == "percentage":
            if self.rate_bps is None:
                raise CommissionRuleError("a percentage plan needs rate_bps")
            _rate(self.rate_bps, "rate_bps")
            if _as_sequence(self.tiers, "tiers"):
                raise CommissionRuleError("a percentage plan must not have tiers")
            _set(self, "tiers", ())
        else:
            if self.rate_bps is not None:
                raise CommissionRuleError("a tiered plan must not have rate_bps (use tiers)")
            _set(self, "tiers", validate_tiers(self.tiers))

    @classmethod
    def percentage(cls, rate_bps: int, role: Role = "technician") -> TechPlan:
        """A flat-percentage plan."""
        return cls(kind="percentage", rate_bps=rate_bps, role=role)

    @classmethod
    def tiered(
        cls,
        tiers: Iterable[PlanTier | Mapping[str, Any] | tuple[int | None, int]],
        role: Role = "technician",
    ) -> TechPlan:
        """A marginal-bracket plan, e.g. ``TechPlan.tiered([(100000, 500), (None, 800)])``."""
        return cls(kind="tiered", tiers=validate_tiers(tiers), role=role)


@dataclass(frozen=True)
class CommissionConfig:
    """Everything the resolver may need for one sale and one earner.

    ``override``, ``category_rate_bps``, ``plan`` and ``item_default_rate_bps``
    are optional (``None`` = not configured) and are tried in that order;
    ``tenant_default_rate_bps`` is the final fallback. ``discount_tiers`` is
    the tenant's discount scale; ``discount_scale_all`` applies it to every
    rate-based rule. ``role`` is the earner's role and must match ``plan.role``.
    Lists passed in are copied into tuples.
    """

    tenant_default_rate_bps: int
    override: TechItemOverride | None = None
    category_rate_bps: int | None = None
    plan: TechPlan | None = None
    item_default_rate_bps: int | None = None
    discount_tiers: tuple[DiscountTier, ...] = ()
    discount_scale_all: bool = False
    role: Role = "technician"

    def __post_init__(self) -> None:
        _rate(self.tenant_default_rate_bps, "tenant_default_rate_bps")
        if self.override is not None and not isinstance(self.override, TechItemOverride):
            raise CommissionRuleError("override must be a TechItemOverride")
        _optional_rate(self.category_rate_bps, "category_rate_bps")
        _choice(self.role, "role", ROLES)
        if self.plan is not None:
            if not isinstance(self.plan, TechPlan):
                raise CommissionRuleError("plan must be a TechPlan")
            if self.plan.role != self.role:
                raise CommissionRuleError(
                    f"plan is a {self.plan.role} plan but the role is {self.role}"
                )
        _optional_rate(self.item_default_rate_bps, "item_default_rate_bps")
        _set(self, "discount_tiers", validate_discount_tiers(self.discount_tiers))
        _flag(self.discount_scale_all, "discount_scale_all")


@dataclass(frozen=True)
class SaleLine:
    """One sold line: ``sale_price_cents`` is the line TOTAL; ``list_price_cents`` is per unit."""

    sale_price_cents: int
    list_price_cents: int | None = None
    quantity: int = 1

    def __post_init__(self) -> None:
        _sale(self.sale_price_cents, self.list_price_cents, self.quantity)

    @property
    def list_total_cents(self) -> int | None:
        """``list_price_cents * quantity``, or ``None`` when there is no list price."""
        return None if self.list_price_cents is None else self.list_price_cents * self.quantity
