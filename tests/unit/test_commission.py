"""Unit tests for chalicelib.domain.commission (pure commission engine)."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.commission import (
    RULE_LEVELS,
    CommissionConfig,
    CommissionRuleError,
    CommissionSnapshot,
    Component,
    DiscountTier,
    PlanTier,
    SaleLine,
    TechItemOverride,
    TechPlan,
    calculate_commission,
    clawback,
    compute_discount_bps,
    resolve_rule,
    select_discount_tier,
    validate_discount_tiers,
    validate_tiers,
)

FIVE_THEN_EIGHT = TechPlan.tiered([(100000, 500), (None, 800)])  # 5 % on first $1,000, 8 % above
SCALE = (DiscountTier(500, 1000), DiscountTier(1000, 700), DiscountTier(2000, 500))


def amounts(snapshot: CommissionSnapshot) -> dict[str, int]:
    return {c.label: c.amount_cents for c in snapshot.components}


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


@pytest.mark.parametrize(("price", "expected"), [(5000, 0), (15000, 2), (25000, 2), (35000, 4), (-0, 0)])
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
        (("override", "category_rate_bps", "plan", "item_default_rate_bps"), "tenant_default", 1000),
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
    assert (snap.rate_bps, snap.flat_cents, snap.plan_kind, snap.tiers, snap.ov_rate_bps) == (1500, None, None, (), 0)
    assert snap.effective_rate_bps == 1500
    plan_snap = calculate_commission(SALE, CommissionConfig(100, plan=FIVE_THEN_EIGHT))
    assert plan_snap.tiers == (PlanTier(100000, 500), PlanTier(None, 800))
    assert plan_snap.rate_bps is None and plan_snap.effective_rate_bps is None


# ---------------------------------------------------------------- roles


def test_installer_role_uses_installer_plan() -> None:
    installer_plan = TechPlan.percentage(400, role="installer")
    snap = calculate_commission(SaleLine(100000), CommissionConfig(100, plan=installer_plan, role="installer"))
    assert snap.role == "installer"
    assert snap.rule == "tech_plan"
    assert snap.commission_cents == 4000
    tech = calculate_commission(SaleLine(100000), CommissionConfig(100, plan=TechPlan.percentage(900)))
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
    snap = calculate_commission(SaleLine(999999, list_price_cents=500000, quantity=quantity), config)
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
    config = CommissionConfig(100, override=TechItemOverride(commission_rate_bps=1000, ov_rate_bps=5000))
    snap = calculate_commission(SaleLine(30000, list_price_cents=10000, quantity=3), config)
    assert snap.discount_bps == 0
    assert amounts(snap) == {"base": 3000}


# ---------------------------------------------------------------- overage


def overage_config(**override: Any) -> CommissionConfig:
    params: dict[str, Any] = {"commission_rate_bps": 1000, "ov_rate_bps": 2000}
    params.update(override)
    return CommissionConfig(100, override=TechItemOverride(**params))


def test_overage_paid_above_list_times_quantity() -> None:
    snap = calculate_commission(SaleLine(25000, list_price_cents=10000, quantity=2), overage_config())
    assert amounts(snap) == {"base": 2500, "overage": 1000}
    assert snap.components[-1] == Component("overage", 1000, 5000, 2000)
    assert snap.commission_cents == 3500


@pytest.mark.parametrize("price", [20000, 19999, 0])
def test_no_overage_at_or_below_list(price: int) -> None:
    snap = calculate_commission(SaleLine(price, list_price_cents=10000, quantity=2), overage_config())
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
    assert calculate_commission(SaleLine(15000, list_price_cents=10000), config).commission_cents == 0
    assert calculate_commission(SaleLine(25000, list_price_cents=10000), config).commission_cents == 2


def test_list_price_zero_is_all_overage() -> None:
    snap = calculate_commission(SaleLine(10000, list_price_cents=0), overage_config())
    assert amounts(snap) == {"base": 1000, "overage": 2000}


def test_overage_only_from_override() -> None:
    snap = calculate_commission(SaleLine(25000, list_price_cents=10000), CommissionConfig(1000, category_rate_bps=1000))
    assert snap.ov_rate_bps == 0
    assert amounts(snap) == {"base": 2500}


# ---------------------------------------------------------------- discount


@pytest.mark.parametrize(
    ("sale", "listed", "expected"),
    [
        (90000, 100000, 1000),
        (20000, 30000, 3333),  # 3333.33 floored
        (10000, 30000, 6666),  # 6666.67 floored (not rounded up)
        (90001, 100000, 999),  # 9.999 % stays below the 10 % boundary
        (899999, 1000000, 1000),  # 10.0001 % floors onto the boundary
        (0, 100000, 10000),
        (100000, 100000, 0),
        (150000, 100000, 0),
        (5000, 0, 0),
        (5000, None, 0),
    ],
)
def test_compute_discount_bps_floors(sale: int, listed: int | None, expected: int) -> None:
    assert compute_discount_bps(sale, listed) == expected


def test_discount_uses_list_times_quantity() -> None:
    snap = calculate_commission(SaleLine(27000, list_price_cents=10000, quantity=3), CommissionConfig(100))
    assert snap.discount_bps == 1000


@pytest.mark.parametrize(
    ("discount", "rate"),
    [(0, 1000), (500, 1000), (501, 700), (1000, 700), (1001, 500), (2000, 500), (2001, 500), (10000, 500)],
)
def test_select_discount_tier_boundaries(discount: int, rate: int) -> None:
    tier = select_discount_tier(discount, SCALE)
    assert tier is not None and tier.rate_bps == rate


def test_select_discount_tier_empty_and_zero_tail() -> None:
    assert select_discount_tier(300, ()) is None
    scale = SCALE + (DiscountTier(10000, 0),)
    tier = select_discount_tier(2500, scale)
    assert tier == DiscountTier(10000, 0)


@pytest.mark.parametrize(
    ("sale", "rate", "expected"),
    [
        (100000, 1000, 10000),  # no discount: first tier
        (95000, 1000, 9500),  # 5 % exactly: on the first boundary, still first tier
        (94999, 1000, 9500),  # 5.001 % floors to 500 bps: first tier (9499.9 -> 9500)
        (94990, 700, 6649),  # 5.01 % = 501 bps: second tier (6649.3 -> 6649)
        (90000, 700, 6300),  # 10 % exactly: second tier
        (89999, 700, 6300),  # 10.001 % floors to 1000 bps: second tier (6299.93 -> 6300)
        (89990, 500, 4500),  # 1001 bps: third tier (4499.5 -> 4500, tie to even)
        (80000, 500, 4000),  # 20 %: third tier
        (50000, 500, 2500),  # 50 %: beyond the last tier -> last tier's rate
    ],
)
def test_discount_scale_via_override(sale: int, rate: int, expected: int) -> None:
    override = TechItemOverride(commission_rate_bps=1500, discount_scale_enabled=True)
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)
    snap = calculate_commission(SaleLine(sale, list_price_cents=100000), config)
    assert snap.discount_scale_applied
    assert snap.discount_scale_source == "override"
    assert snap.discount_tier is not None and snap.discount_tier.rate_bps == rate
    assert snap.discount_scale == SCALE
    assert snap.effective_rate_bps == rate
    assert snap.rate_bps == 1500  # the rule's own rate is still recorded
    assert snap.components == (Component("base", expected, sale, rate),)
    assert snap.commission_cents == expected


def test_discount_scale_exact_boundaries_explicit() -> None:
    override = TechItemOverride(commission_rate_bps=1500, discount_scale_enabled=True)
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)

    def run(sale: int) -> CommissionSnapshot:
        return calculate_commission(SaleLine(sale, list_price_cents=100000), config)

    assert (run(95000).discount_bps, run(95000).effective_rate_bps) == (500, 1000)  # on 5 % boundary
    assert (run(94999).discount_bps, run(94999).effective_rate_bps) == (500, 1000)  # 5.001 % floors to 500
    assert (run(94990).discount_bps, run(94990).effective_rate_bps) == (501, 700)
    assert (run(90000).discount_bps, run(90000).effective_rate_bps) == (1000, 700)  # on 10 % boundary
    assert (run(89990).discount_bps, run(89990).effective_rate_bps) == (1001, 500)
    assert run(90000).commission_cents == 6300


def test_discount_scale_via_tenant_flag_applies_to_any_rate_rule() -> None:
    config = CommissionConfig(100, category_rate_bps=1500, discount_tiers=SCALE, discount_scale_all=True)
    snap = calculate_commission(SaleLine(90000, list_price_cents=100000), config)
    assert snap.rule == "tech_category"
    assert snap.discount_scale_source == "tenant"
    assert snap.effective_rate_bps == 700
    assert snap.commission_cents == 6300


def test_discount_scale_replaces_tiered_plan() -> None:
    config = CommissionConfig(100, plan=FIVE_THEN_EIGHT, discount_tiers=SCALE, discount_scale_all=True)
    snap = calculate_commission(SaleLine(150000, list_price_cents=200000), config)  # 25 % off
    assert snap.discount_bps == 2500
    assert snap.components == (Component("base", 7500, 150000, 500),)
    assert snap.tiers == FIVE_THEN_EIGHT.tiers


def test_discount_scale_off_without_flag_or_tiers() -> None:
    sale = SaleLine(90000, list_price_cents=100000)
    # tiers but no flag
    snap = calculate_commission(sale, CommissionConfig(100, category_rate_bps=1500, discount_tiers=SCALE))
    assert not snap.discount_scale_applied and snap.discount_scale_source is None
    assert snap.discount_bps == 1000  # still recorded
    assert snap.commission_cents == 13500
    # override flag but the tenant has no tiers
    override = TechItemOverride(commission_rate_bps=1500, discount_scale_enabled=True)
    snap = calculate_commission(sale, CommissionConfig(100, override=override))
    assert not snap.discount_scale_applied
    assert snap.commission_cents == 13500


def test_discount_scale_with_overage() -> None:
    override = TechItemOverride(commission_rate_bps=1500, ov_rate_bps=2000, discount_scale_enabled=True)
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)
    snap = calculate_commission(SaleLine(110000, list_price_cents=100000), config)
    assert amounts(snap) == {"base": 11000, "overage": 2000}  # 0 % discount -> first tier 10 %


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"commission_rate_bps": 100, "flat_cents": 100},
        {"commission_rate_bps": 10001},
        {"commission_rate_bps": -1},
        {"commission_rate_bps": True},
        {"commission_rate_bps": 5.0},
        {"flat_cents": -1},
        {"flat_cents": 1.5},
        {"commission_rate_bps": 100, "ov_rate_bps": 10001},
        {"commission_rate_bps": 100, "discount_scale_enabled": 1},
    ],
)
def test_override_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommissionRuleError):
        TechItemOverride(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tenant_default_rate_bps": 10001},
        {"tenant_default_rate_bps": 7.5},
        {"tenant_default_rate_bps": 100, "category_rate_bps": -5},
        {"tenant_default_rate_bps": 100, "item_default_rate_bps": False},
        {"tenant_default_rate_bps": 100, "discount_scale_all": "yes"},
        {"tenant_default_rate_bps": 100, "discount_tiers": [(1000, 500), (500, 700)]},
        {"tenant_default_rate_bps": 100, "override": {"commission_rate_bps": 5}},
        {"tenant_default_rate_bps": 100, "plan": {"kind": "percentage"}},
    ],
)
def test_config_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommissionRuleError):
        CommissionConfig(**kwargs)


@pytest.mark.parametrize(
    "args",
    [(-1,), (1.5,), (True,), (100, -1), (100, 1.0), (100, 100, 0), (100, 100, -2), (100, 100, True)],
)
def test_sale_validation(args: tuple[Any, ...]) -> None:
    with pytest.raises(CommissionRuleError):
        SaleLine(*args)


def test_errors_are_value_errors_with_clear_messages() -> None:
    with pytest.raises(ValueError, match="sale_price_cents must be >= 0 cents, got -1"):
        SaleLine(-1)
    with pytest.raises(ValueError, match="rate_bps must be an integer, got float"):
        CommissionConfig(100, category_rate_bps=7.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one of commission_rate_bps or flat_cents"):
        TechItemOverride()


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "at least one tier"),
        ([(100000, 500)], r"tiers\[0\]: the last tier must have up_to_cents null"),
        ([(None, 500), (None, 800)], r"tiers\[0\]: only the last tier"),
        ([(100000, 500), (100000, 600), (None, 800)], r"tiers\[1\]: up_to_cents must be greater than tiers\[0\] \(100000\)"),
        ([(200000, 500), (100000, 600), (None, 800)], r"tiers\[1\]"),
        ([(0, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be > 0"),
        ([(-5, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be >= 0"),
        ([(100000, 10001), (None, 800)], r"tiers\[0\]: rate_bps must be between 0 and 10000"),
        ([(100000, 5.5), (None, 800)], r"tiers\[0\]: rate_bps must be an integer"),
        ([(1.5, 500), (None, 800)], r"tiers\[0\]: up_to_cents must be an integer"),
        ([{"up_to_cents": 100}, (None, 800)], r"tiers\[0\]: missing field 'rate_bps'"),
        ([(1, 2, 3)], r"tiers\[0\]: expected a PlanTier"),
        ("abc", "tiers must be a list"),
    ],
)
def test_validate_tiers_errors(tiers: Any, message: str) -> None:
    with pytest.raises(CommissionRuleError, match=message):
        validate_tiers(tiers)


def test_validate_tiers_accepts_pairs_dicts_and_objects() -> None:
    expected = (PlanTier(100000, 500), PlanTier(None, 800))
    assert validate_tiers([(100000, 500), (None, 800)]) == expected
    assert validate_tiers([{"up_to_cents": 100000, "rate_bps": 500}, {"up_to_cents": None, "rate_bps": 800}]) == expected
    assert validate_tiers(list(expected)) == expected
    assert validate_tiers([(None, 800)]) == (PlanTier(None, 800),)


def test_validate_discount_tiers() -> None:
    assert validate_discount_tiers([]) == ()
    assert validate_discount_tiers([(500, 1000), {"max_discount_bps": 1000, "rate_bps": 700}]) == SCALE[:2]
    with pytest.raises(CommissionRuleError, match=r"discount_tiers\[1\]: max_discount_bps must be greater"):
        validate_discount_tiers([(500, 1000), (500, 700)])
    with pytest.raises(CommissionRuleError, match=r"discount_tiers\[0\]: max_discount_bps must be between"):
        validate_discount_tiers([(10001, 1000)])


def test_plan_validation() -> None:
    with pytest.raises(CommissionRuleError, match="needs rate_bps"):
        TechPlan(kind="percentage")
    with pytest.raises(CommissionRuleError, match="must not have tiers"):
        TechPlan(kind="percentage", rate_bps=5, tiers=(PlanTier(None, 5),))
    with pytest.raises(CommissionRuleError, match="must not have rate_bps"):
        TechPlan(kind="tiered", rate_bps=5, tiers=(PlanTier(None, 5),))
    with pytest.raises(CommissionRuleError, match="plan kind"):
        TechPlan(kind="bonus")  # type: ignore[arg-type]
    assert TechPlan(kind="tiered", tiers=[(None, 5)]).tiers == (PlanTier(None, 5),)  # type: ignore[arg-type]


def test_calculate_rejects_wrong_types() -> None:
    with pytest.raises(CommissionRuleError):
        calculate_commission({"sale_price_cents": 1}, CommissionConfig(1))  # type: ignore[arg-type]
    with pytest.raises(CommissionRuleError):
        calculate_commission(SaleLine(1), {"tenant_default_rate_bps": 1})  # type: ignore[arg-type]


# ---------------------------------------------------------------- snapshot & clawback


def test_snapshot_round_trip_and_json() -> None:
    override = TechItemOverride(commission_rate_bps=1500, ov_rate_bps=2000, discount_scale_enabled=True)
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)
    snap = calculate_commission(SaleLine(85000, list_price_cents=40000, quantity=2), config)
    data = snap.to_dict()
    text = json.dumps(data)
    assert CommissionSnapshot.from_dict(json.loads(text)) == snap
    assert data["rule"] == "tech_item"
    assert data["components"][0]["label"] == "base"
    assert data["discount_tier"] == {"max_discount_bps": 500, "rate_bps": 1000}


def test_snapshot_is_frozen_and_to_dict_is_a_copy() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(0, plan=FIVE_THEN_EIGHT))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.commission_cents = 1  # type: ignore[misc]
    data = snap.to_dict()
    original = copy.deepcopy(data)
    data["components"][0]["amount_cents"] = 999
    data["tiers"].append({"up_to_cents": None, "rate_bps": 1})
    assert snap.to_dict() == original


def test_snapshot_keeps_copies_of_mutable_inputs() -> None:
    tiers = [(100000, 500), (None, 800)]
    scale = [(500, 1000), (1000, 700)]
    config = CommissionConfig(0, plan=TechPlan.tiered(tiers), discount_tiers=scale)  # type: ignore[arg-type]
    snap = calculate_commission(SaleLine(150000), config)
    before = snap.to_dict()
    tiers[0] = (1, 10000)
    scale.append((2000, 0))
    assert config.discount_tiers == SCALE[:2]
    assert snap.to_dict() == before


def test_from_dict_rejects_tampering() -> None:
    data = calculate_commission(SaleLine(150000), CommissionConfig(750)).to_dict()
    bad = dict(data, commission_cents=1)
    with pytest.raises(CommissionRuleError, match="sum of the components"):
        CommissionSnapshot.from_dict(bad)
    with pytest.raises(CommissionRuleError, match="schema_version"):
        CommissionSnapshot.from_dict(dict(data, schema_version=99))
    with pytest.raises(CommissionRuleError, match="missing field 'rule'"):
        CommissionSnapshot.from_dict({k: v for k, v in data.items() if k != "rule"})
    with pytest.raises(CommissionRuleError, match="rule must be one of"):
        CommissionSnapshot.from_dict(dict(data, rule="magic"))
    with pytest.raises(CommissionRuleError):
        CommissionSnapshot.from_dict(dict(data, commission_cents=11250.0))


def test_clawback() -> None:
    snap = calculate_commission(SaleLine(150000), CommissionConfig(750))
    assert clawback(snap) == -11250
    assert clawback(calculate_commission(SaleLine(0), CommissionConfig(750))) == 0
    with pytest.raises(CommissionRuleError):
        clawback(snap.to_dict())  # type: ignore[arg-type]


# ---------------------------------------------------------------- property tests

rates = st.integers(min_value=0, max_value=10000)
optional_rates = st.none() | rates


@st.composite
def plan_tiers(draw: st.DrawFn) -> list[tuple[int | None, int]]:
    edges = sorted(draw(st.sets(st.integers(min_value=1, max_value=10**7), max_size=4)))
    bounds: list[int | None] = [*edges, None]
    return [(edge, draw(rates)) for edge in bounds]


@st.composite
def discount_scales(draw: st.DrawFn) -> list[tuple[int, int]]:
    maxima = sorted(draw(st.sets(st.integers(min_value=0, max_value=10000), max_size=4)))
    return [(m, draw(rates)) for m in maxima]


overrides = st.none() | st.builds(
    TechItemOverride,
    commission_rate_bps=rates,
    ov_rate_bps=rates,
    discount_scale_enabled=st.booleans(),
) | st.builds(
    TechItemOverride,
    flat_cents=st.integers(min_value=0, max_value=10**6),
    ov_rate_bps=rates,
    discount_scale_enabled=st.booleans(),
)

plans = st.none() | st.builds(TechPlan.percentage, rates) | st.builds(TechPlan.tiered, plan_tiers())

configs = st.builds(
    CommissionConfig,
    tenant_default_rate_bps=rates,
    override=overrides,
    category_rate_bps=optional_rates,
    plan=plans,
    item_default_rate_bps=optional_rates,
    discount_tiers=discount_scales(),
    discount_scale_all=st.booleans(),
)

sales = st.builds(
    SaleLine,
    sale_price_cents=st.integers(min_value=0, max_value=10**9),
    list_price_cents=st.none() | st.integers(min_value=0, max_value=10**8),
    quantity=st.integers(min_value=1, max_value=20),
)


def reference_commission(sale: SaleLine, config: CommissionConfig) -> int:
    """Independent exact model: Fraction arithmetic, Python's round() (exact, ties to even)."""
    price = Fraction(sale.sale_price_cents)
    listed = None if sale.list_price_cents is None else Fraction(sale.list_price_cents * sale.quantity)
    discount = math.floor((listed - price) / listed * 10000) if listed and price < listed else 0

    flat = rate = tiers = None
    ov_rate, scale_flag = 0, config.discount_scale_all
    if config.override is not None:
        flat, rate = config.override.flat_cents, config.override.commission_rate_bps
        ov_rate = config.override.ov_rate_bps
        scale_flag = scale_flag or config.override.discount_scale_enabled
    elif config.category_rate_bps is not None:
        rate = config.category_rate_bps
    elif config.plan is not None:
        rate, tiers = config.plan.rate_bps, config.plan.tiers or None
    elif config.item_default_rate_bps is not None:
        rate = config.item_default_rate_bps
    else:
        rate = config.tenant_default_rate_bps

    total = 0
    if flat is not None:
        total += flat * sale.quantity
    elif scale_flag and config.discount_tiers:
        matching = [t for t in config.discount_tiers if t.max_discount_bps >= discount]
        scale_rate = (matching[0] if matching else config.discount_tiers[-1]).rate_bps
        total += round(price * Fraction(scale_rate, 10000))
    elif tiers is not None:
        lower = Fraction(0)
        for tier in tiers:
            upper = price if tier.up_to_cents is None else min(price, Fraction(tier.up_to_cents))
            total += round(max(Fraction(0), upper - lower) * Fraction(tier.rate_bps, 10000))
            if tier.up_to_cents is None:
                break
            lower = Fraction(tier.up_to_cents)
    else:
        assert rate is not None
        total += round(price * Fraction(rate, 10000))
    if listed is not None and price > listed:
        total += round((price - listed) * Fraction(ov_rate, 10000))
    return total


def _reject_float(text: str) -> Any:
    raise AssertionError(f"float in snapshot JSON: {text}")


@settings(max_examples=200, deadline=None)
@given(sale=sales, config=configs)
def test_matches_exact_fraction_reference(sale: SaleLine, config: CommissionConfig) -> None:
    snap = calculate_commission(sale, config)
    assert type(snap.commission_cents) is int
    assert all(type(c.amount_cents) is int for c in snap.components)
    assert snap.commission_cents == sum(c.amount_cents for c in snap.components)
    assert snap.commission_cents == reference_commission(sale, config)
    assert snap.commission_cents >= 0
    assert snap.rule in RULE_LEVELS
    assert clawback(snap) == -snap.commission_cents


@settings(max_examples=200, deadline=None)
@given(sale=sales, config=configs, other=configs)
def test_snapshot_immutable_and_round_trips(sale: SaleLine, config: CommissionConfig, other: CommissionConfig) -> None:
    snap = calculate_commission(sale, config)
    before = copy.deepcopy(snap.to_dict())
    text = json.dumps(before)
    json.loads(text, parse_float=_reject_float)
    assert CommissionSnapshot.from_dict(json.loads(text)) == snap

    # A new config with different rates (the tenant edits its rules) leaves the snapshot alone.
    changed = dataclasses.replace(
        other,
        tenant_default_rate_bps=(config.tenant_default_rate_bps + 1) % 10001,
        category_rate_bps=None if config.category_rate_bps is None else (config.category_rate_bps + 7) % 10001,
    )
    calculate_commission(sale, changed)
    assert snap.to_dict() == before
