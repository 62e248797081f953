"""Unit tests for chalicelib.commission.rules: the discount and the discount scale."""

from __future__ import annotations

import pytest

from chalicelib.commission.rules import (
    CommissionConfig,
    CommissionSnapshot,
    Component,
    DiscountTier,
    SaleLine,
    TechItemOverride,
    calculate_commission,
    compute_discount_bps,
    select_discount_tier,
)
from tests.commission.rules_samples import FIVE_THEN_EIGHT, SCALE, amounts

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
    snap = calculate_commission(
        SaleLine(27000, list_price_cents=10000, quantity=3), CommissionConfig(100)
    )
    assert snap.discount_bps == 1000


@pytest.mark.parametrize(
    ("discount", "rate"),
    [
        (0, 1000),
        (500, 1000),
        (501, 700),
        (1000, 700),
        (1001, 500),
        (2000, 500),
        (2001, 500),
        (10000, 500),
    ],
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

    assert (run(95000).discount_bps, run(95000).effective_rate_bps) == (
        500,
        1000,
    )  # on 5 % boundary
    assert (run(94999).discount_bps, run(94999).effective_rate_bps) == (
        500,
        1000,
    )  # 5.001 % floors to 500
    assert (run(94990).discount_bps, run(94990).effective_rate_bps) == (501, 700)
    assert (run(90000).discount_bps, run(90000).effective_rate_bps) == (
        1000,
        700,
    )  # on 10 % boundary
    assert (run(89990).discount_bps, run(89990).effective_rate_bps) == (1001, 500)
    assert run(90000).commission_cents == 6300


def test_discount_scale_via_tenant_flag_applies_to_any_rate_rule() -> None:
    config = CommissionConfig(
        100, category_rate_bps=1500, discount_tiers=SCALE, discount_scale_all=True
    )
    snap = calculate_commission(SaleLine(90000, list_price_cents=100000), config)
    assert snap.rule == "tech_category"
    assert snap.discount_scale_source == "tenant"
    assert snap.effective_rate_bps == 700
    assert snap.commission_cents == 6300


def test_discount_scale_replaces_tiered_plan() -> None:
    config = CommissionConfig(
        100, plan=FIVE_THEN_EIGHT, discount_tiers=SCALE, discount_scale_all=True
    )
    snap = calculate_commission(SaleLine(150000, list_price_cents=200000), config)  # 25 % off
    assert snap.discount_bps == 2500
    assert snap.components == (Component("base", 7500, 150000, 500),)
    assert snap.tiers == FIVE_THEN_EIGHT.tiers


def test_discount_scale_off_without_flag_or_tiers() -> None:
    sale = SaleLine(90000, list_price_cents=100000)
    # tiers but no flag
    snap = calculate_commission(
        sale, CommissionConfig(100, category_rate_bps=1500, discount_tiers=SCALE)
    )
    assert not snap.discount_scale_applied and snap.discount_scale_source is None
    assert snap.discount_bps == 1000  # still recorded
    assert snap.commission_cents == 13500
    # override flag but the tenant has no tiers
    override = TechItemOverride(commission_rate_bps=1500, discount_scale_enabled=True)
    snap = calculate_commission(sale, CommissionConfig(100, override=override))
    assert not snap.discount_scale_applied
    assert snap.commission_cents == 13500


def test_discount_scale_with_overage() -> None:
    override = TechItemOverride(
        commission_rate_bps=1500, ov_rate_bps=2000, discount_scale_enabled=True
    )
    config = CommissionConfig(100, override=override, discount_tiers=SCALE)
    snap = calculate_commission(SaleLine(110000, list_price_cents=100000), config)
    assert amounts(snap) == {"base": 11000, "overage": 2000}  # 0 % discount -> first tier 10 %
