"""Unit tests for chalicelib.commission.rules: worked examples, the rule hierarchy, roles,
flat amounts and quantity, overage."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from chalicelib.commission.rules import (
    CommissionConfig,
    CommissionRuleError,
    Component,
    PlanTier,
    SaleLine,
    TechItemOverride,
    TechPlan,
    calculate_commission,
    resolve_rule,
)
from tests.commission.rules_samples import FIVE_THEN_EIGHT, SCALE, amounts

# ---------------------------------------------------------------- worked examples


def test_tiered_plan_worked_example() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(0, plan=FIVE_THEN_EIGHT))
    assert snap.rule == "tech_plan"
    assert snap.plan_kind == "tiered"
    assert amounts(snap) == {"tier_1": 5000, "tier_2": 4000}
    assert snap.commission_cents == 9000
    assert [(c.basis_cents, c.rate_bps) for c in snap.components] == [(100000, 500), (50000, 800)]


@pytest.mark.parametrize(
    ("price", "expected", "labels"),
    [
        (0, 0, ["tier_1"]),
        (50000, 2500, ["tier_1"]),
        (100000, 5000, ["tier_1"]),  # exactly at the bracket edge: nothing in tier 2
        (100001, 5000, ["tier_1", "tier_2"]),  # 1 cent * 8 % = 0.08 -> 0
        (200000, 13000, ["tier_1", "tier_2"]),
    ],
)
def test_tiered_plan_bracket_edges(price: int, expected: int, labels: list[str]) -> None:
    snap = calculate_commission(SaleLine(price), CommissionConfig(0, plan=FIVE_THEN_EIGHT))
    assert snap.commission_cents == expected
    assert [c.label for c in snap.components] == labels


def test_three_bracket_plan() -> None:
    plan = TechPlan.tiered([(100000, 500), (300000, 800), (None, 1000)])
    snap = calculate_commission(SaleLine(500000), CommissionConfig(0, plan=plan))
    assert amounts(snap) == {"tier_1": 5000, "tier_2": 16000, "tier_3": 20000}
    assert snap.commission_cents == 41000


def test_percentage_worked_example() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(750))
    assert snap.rule == "tenant_default"
    assert snap.commission_cents == 11250
    assert snap.components == (Component("base", 11250, 150000, 750),)


@pytest.mark.parametrize(
    ("price", "expected"), [(5000, 0), (15000, 2), (25000, 2), (35000, 4), (-0, 0)]
)
def test_ties_round_to_even(price: int, expected: int) -> None:
    assert calculate_commission(SaleLine(price), CommissionConfig(1)).commission_cents == expected


def test_each_tier_component_rounded_once_on_its_own() -> None:
    # tier_1: 5000 * 1 bps = 0.5 -> 0; tier_2: 5000 * 1 bps = 0.5 -> 0.
    # Rounding the 1.0 cent total once would give 1; per-component gives 0.
    plan = TechPlan.tiered([(5000, 1), (None, 1)])
    snap = calculate_commission(SaleLine(10000), CommissionConfig(0, plan=plan))
    assert amounts(snap) == {"tier_1": 0, "tier_2": 0}
    assert snap.commission_cents == 0
    # 0.5 -> 0 and 1.5 -> 2
    snap = calculate_commission(SaleLine(20000), CommissionConfig(0, plan=plan))
    assert amounts(snap) == {"tier_1": 0, "tier_2": 2}


# ---------------------------------------------------------------- hierarchy


FULL = CommissionConfig(
    tenant_default_rate_bps=100,
    override=TechItemOverride(commission_rate_bps=1500),
    category_rate_bps=1200,
    plan=TechPlan.percentage(900),
    item_default_rate_bps=300,
)
SALE = SaleLine(100000, list_price_cents=100000)


@pytest.mark.parametrize(
    ("removed", "rule", "expected"),
    [
        ((), "tech_item", 15000),
        (("override",), "tech_category", 12000),
        (("override", "category_rate_bps"), "tech_plan", 9000),
        (("override", "category_rate_bps", "plan"), "item_default", 3000),
        (
            ("override", "category_rate_bps", "plan", "item_default_rate_bps"),
            "tenant_default",
            1000,
        ),
    ],
)
def test_hierarchy_falls_through(removed: tuple[str, ...], rule: str, expected: int) -> None:
    config = dataclasses.replace(FULL, **{name: None for name in removed})
    snap = calculate_commission(SALE, config)
    assert snap.rule == rule
    assert snap.commission_cents == expected
    assert resolve_rule(config).level == rule


@pytest.mark.parametrize(
    ("present", "rule", "expected"),
    [
        ({"override": TechItemOverride(commission_rate_bps=1500)}, "tech_item", 15000),
        ({"category_rate_bps": 1200}, "tech_category", 12000),
        ({"plan": TechPlan.percentage(900)}, "tech_plan", 9000),
        ({"item_default_rate_bps": 300}, "item_default", 3000),
        ({}, "tenant_default", 1000),
    ],
)
def test_each_level_wins_alone(present: dict[str, Any], rule: str, expected: int) -> None:
    snap = calculate_commission(SALE, CommissionConfig(100, **present))
    assert snap.rule == rule
    assert snap.commission_cents == expected


def test_zero_rate_is_configured_not_absent() -> None:
    # A category rate of 0 bps still wins over the plan below it.
    snap = calculate_commission(SALE, dataclasses.replace(FULL, override=None, category_rate_bps=0))
    assert snap.rule == "tech_category"
    assert snap.commission_cents == 0


def test_rule_parameters_recorded() -> None:
    snap = calculate_commission(SALE, FULL)
    assert (snap.rate_bps, snap.flat_cents, snap.plan_kind, snap.tiers, snap.ov_rate_bps) == (
        1500,
        None,
        None,
        (),
        0,
    )
    assert snap.effective_rate_bps == 1500
    plan_snap = calculate_commission(SALE, CommissionConfig(100, plan=FIVE_THEN_EIGHT))
    assert plan_snap.tiers == (PlanTier(100000, 500), PlanTier(None, 800))
    assert plan_snap.rate_bps is None and plan_snap.effective_rate_bps is None


# ---------------------------------------------------------------- roles


def test_installer_role_uses_installer_plan() -> None:
    installer_plan = TechPlan.percentage(400, role="installer")
    snap = calculate_commission(
        SaleLine(100000), CommissionConfig(100, plan=installer_plan, role="installer")
    )
    assert snap.role == "installer"
    assert snap.rule == "tech_plan"
    assert snap.commission_cents == 4000
    tech = calculate_commission(
        SaleLine(100000), CommissionConfig(100, plan=TechPlan.percentage(900))
    )
    assert tech.role == "technician"


def test_plan_role_must_match_config_role() -> None:
    with pytest.raises(CommissionRuleError, match="technician plan but the role is installer"):
        CommissionConfig(100, plan=TechPlan.percentage(900), role="installer")
    with pytest.raises(CommissionRuleError, match="role"):
        CommissionConfig(100, role="apprentice")  # type: ignore[arg-type]


# ---------------------------------------------------------------- flat & quantity


@pytest.mark.parametrize(("quantity", "expected"), [(1, 1500), (3, 4500), (10, 15000)])
def test_flat_cents_times_quantity(quantity: int, expected: int) -> None:
    config = CommissionConfig(100, override=TechItemOverride(flat_cents=1500))
    snap = calculate_commission(
        SaleLine(999999, list_price_cents=500000, quantity=quantity), config
    )
    assert snap.rule == "tech_item"
    assert snap.components == (Component("flat", expected),)
    assert snap.commission_cents == expected
    assert snap.flat_cents == 1500
    assert snap.effective_rate_bps is None


def test_flat_ignores_discount_scale() -> None:
    override = TechItemOverride(flat_cents=2000, discount_scale_enabled=True)
    config = CommissionConfig(100, override=override, discount_tiers=SCALE, discount_scale_all=True)
    snap = calculate_commission(SaleLine(50000, list_price_cents=100000), config)
    assert snap.commission_cents == 2000
    assert snap.discount_bps == 5000
    assert not snap.discount_scale_applied
    assert snap.discount_tier is None and snap.discount_scale == ()


def test_sale_price_is_line_total() -> None:
    # 3 units listed at $100 sold for $300 total: no discount, no overage.
    config = CommissionConfig(
        100, override=TechItemOverride(commission_rate_bps=1000, ov_rate_bps=5000)
    )
    snap = calculate_commission(SaleLine(30000, list_price_cents=10000, quantity=3), config)
    assert snap.discount_bps == 0
    assert amounts(snap) == {"base": 3000}


# ---------------------------------------------------------------- overage


def overage_config(**override: Any) -> CommissionConfig:
    params: dict[str, Any] = {"commission_rate_bps": 1000, "ov_rate_bps": 2000}
    params.update(override)
    return CommissionConfig(100, override=TechItemOverride(**params))


def test_overage_paid_above_list_times_quantity() -> None:
    snap = calculate_commission(
        SaleLine(25000, list_price_cents=10000, quantity=2), overage_config()
    )
    assert amounts(snap) == {"base": 2500, "overage": 1000}
    assert snap.components[-1] == Component("overage", 1000, 5000, 2000)
    assert snap.commission_cents == 3500


@pytest.mark.parametrize("price", [20000, 19999, 0])
def test_no_overage_at_or_below_list(price: int) -> None:
    snap = calculate_commission(
        SaleLine(price, list_price_cents=10000, quantity=2), overage_config()
    )
    assert "overage" not in amounts(snap)


def test_no_overage_without_list_price() -> None:
    snap = calculate_commission(SaleLine(25000), overage_config())
    assert amounts(snap) == {"base": 2500}


def test_overage_on_top_of_flat() -> None:
    config = overage_config(commission_rate_bps=None, flat_cents=500)
    snap = calculate_commission(SaleLine(25000, list_price_cents=10000, quantity=2), config)
    assert amounts(snap) == {"flat": 1000, "overage": 1000}


def test_overage_rounds_half_even() -> None:
    config = overage_config(commission_rate_bps=0, ov_rate_bps=1)
    # 5000 above list * 1 bps = 0.5 -> 0 ; 15000 above -> 1.5 -> 2
    assert (
        calculate_commission(SaleLine(15000, list_price_cents=10000), config).commission_cents == 0
    )
    assert (
        calculate_commission(SaleLine(25000, list_price_cents=10000), config).commission_cents == 2
    )


def test_list_price_zero_is_all_overage() -> None:
    snap = calculate_commission(SaleLine(10000, list_price_cents=0), overage_config())
    assert amounts(snap) == {"base": 1000, "overage": 2000}


def test_overage_only_from_override() -> None:
    snap = calculate_commission(
        SaleLine(25000, list_price_cents=10000), CommissionConfig(1000, category_rate_bps=1000)
    )
    assert snap.ov_rate_bps == 0
    assert amounts(snap) == {"base": 2500}
