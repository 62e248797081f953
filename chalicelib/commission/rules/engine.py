"""The calculation: resolve the winning rule, apply the discount scale and the overage.

The rules it follows are the specification in :mod:`chalicelib.commission.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.commission.rules.checks import CommissionRuleError, _cents
from chalicelib.commission.rules.inputs import CommissionConfig, SaleLine
from chalicelib.commission.rules.snapshot import CommissionSnapshot, Component
from chalicelib.commission.rules.tiers import DiscountTier, PlanTier, validate_discount_tiers
from chalicelib.core import money


@dataclass(frozen=True)
class ResolvedRule:
    """The rule that wins for a config (before looking at the sale).

    Exactly one of ``rate_bps``, ``flat_cents`` or ``tiers`` describes the base
    commission. ``discount_scale_enabled`` is the override's own flag.
    """

    level: str
    rate_bps: int | None = None
    flat_cents: int | None = None
    plan_kind: str | None = None
    tiers: tuple[PlanTier, ...] = ()
    ov_rate_bps: int = 0
    discount_scale_enabled: bool = False


def resolve_rule(config: CommissionConfig) -> ResolvedRule:
    """Pick the most specific configured rule (see :mod:`chalicelib.commission.rules`)."""
    if not isinstance(config, CommissionConfig):
        raise CommissionRuleError("config must be a CommissionConfig")
    override = config.override
    if override is not None:
        return ResolvedRule(
            level="tech_item",
            rate_bps=override.commission_rate_bps,
            flat_cents=override.flat_cents,
            ov_rate_bps=override.ov_rate_bps,
            discount_scale_enabled=override.discount_scale_enabled,
        )
    if config.category_rate_bps is not None:
        return ResolvedRule(level="tech_category", rate_bps=config.category_rate_bps)
    plan = config.plan
    if plan is not None:
        return ResolvedRule(
            level="tech_plan", rate_bps=plan.rate_bps, plan_kind=plan.kind, tiers=plan.tiers
        )
    if config.item_default_rate_bps is not None:
        return ResolvedRule(level="item_default", rate_bps=config.item_default_rate_bps)
    return ResolvedRule(level="tenant_default", rate_bps=config.tenant_default_rate_bps)


def compute_discount_bps(sale_price_cents: int, list_total_cents: int | None) -> int:
    """Discount of a line in bps, **floored**: ``floor((list - sale) * 10000 / list)``.

    ``list_total_cents`` is the list price of the whole line (unit list price
    x quantity). Returns 0 when sold at or above list, or when the list total
    is ``None`` or 0. Always in 0..10000.
    """
    sale = _cents(sale_price_cents, "sale_price_cents")
    if list_total_cents is None:
        return 0
    listed = _cents(list_total_cents, "list_total_cents")
    if listed == 0 or sale >= listed:
        return 0
    return (listed - sale) * money.BPS_DENOMINATOR // listed


def select_discount_tier(discount_bps: int, tiers: Iterable[DiscountTier]) -> DiscountTier | None:
    """First tier whose ``max_discount_bps >= discount_bps``; past the end, the last tier.

    Returns ``None`` when there are no tiers. ``tiers`` are validated with
    :func:`validate_discount_tiers`.
    """
    scale = validate_discount_tiers(tiers)
    if not scale:
        return None
    for tier in scale:
        if tier.max_discount_bps >= discount_bps:
            return tier
    return scale[-1]


def _rated(label: str, basis_cents: int, rate_bps: int) -> Component:
    """The component paying ``rate_bps`` of ``basis_cents``, rounded once."""
    return Component(
        label=label,
        amount_cents=money.apply_bps(basis_cents, rate_bps),
        basis_cents=basis_cents,
        rate_bps=rate_bps,
    )


def _tiered_components(amount_cents: int, tiers: tuple[PlanTier, ...]) -> tuple[Component, ...]:
    """Split ``amount_cents`` over marginal brackets; one rounded component per bracket used.

    ``tier_1`` is always present (possibly 0); later brackets only when part of
    the amount falls into them.
    """
    components: list[Component] = []
    lower = 0
    for index, tier in enumerate(tiers, start=1):
        upper = amount_cents if tier.up_to_cents is None else min(amount_cents, tier.up_to_cents)
        portion = max(0, upper - lower)
        if portion > 0 or index == 1:
            components.append(_rated(f"tier_{index}", portion, tier.rate_bps))
        if tier.up_to_cents is None or amount_cents <= tier.up_to_cents:
            break
        lower = tier.up_to_cents
    return tuple(components)


def calculate_commission(sale: SaleLine, config: CommissionConfig) -> CommissionSnapshot:
    """Compute the commission for one sale line and one earner.

    Resolves the rule (:func:`resolve_rule`), applies the discount scale when
    it is enabled, adds the overage, and returns an immutable
    :class:`CommissionSnapshot`. Raises :class:`CommissionRuleError` on
    invalid input.
    """
    if not isinstance(sale, SaleLine):
        raise CommissionRuleError("sale must be a SaleLine")
    rule = resolve_rule(config)
    price = sale.sale_price_cents
    list_total = sale.list_total_cents
    discount = compute_discount_bps(price, list_total)

    scale_source: str | None = None
    if rule.flat_cents is None and config.discount_tiers:
        if rule.discount_scale_enabled:
            scale_source = "override"
        elif config.discount_scale_all:
            scale_source = "tenant"
    matched = select_discount_tier(discount, config.discount_tiers) if scale_source else None

    components: list[Component] = []
    effective_rate: int | None = None
    if rule.flat_cents is not None:
        components.append(Component(label="flat", amount_cents=rule.flat_cents * sale.quantity))
    elif matched is not None:
        effective_rate = matched.rate_bps
    elif rule.plan_kind == "tiered":
        components.extend(_tiered_components(price, rule.tiers))
    else:
        effective_rate = rule.rate_bps
    if effective_rate is not None:
        components.append(_rated("base", price, effective_rate))

    if rule.ov_rate_bps and list_total is not None and price > list_total:
        components.append(_rated("overage", price - list_total, rule.ov_rate_bps))

    return CommissionSnapshot(
        rule=rule.level,
        role=config.role,
        sale_price_cents=price,
        list_price_cents=sale.list_price_cents,
        quantity=sale.quantity,
        rate_bps=rule.rate_bps,
        flat_cents=rule.flat_cents,
        plan_kind=rule.plan_kind,
        tiers=rule.tiers,
        ov_rate_bps=rule.ov_rate_bps,
        discount_bps=discount,
        discount_scale_applied=matched is not None,
        discount_scale_source=scale_source,
        discount_scale=config.discount_tiers if matched is not None else (),
        discount_tier=matched,
        effective_rate_bps=effective_rate,
        components=tuple(components),
        commission_cents=sum(item.amount_cents for item in components),
    )


def clawback(snapshot: CommissionSnapshot) -> int:
    """Negative adjustment (cents) reversing ``snapshot``, for voiding a sale in a closed
    period."""
    if not isinstance(snapshot, CommissionSnapshot):
        raise CommissionRuleError("snapshot must be a CommissionSnapshot")
    return -snapshot.commission_cents
